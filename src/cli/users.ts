import type { Command } from './command.js';
import { UsageError } from './errors.js';
import { fields } from './output.js';
import { SET_OPTIONS, SET_PARAMS, privilegeList, privilegesSet, setDetails, showPrivileges } from './privileges.js';

/** Any user account by id (`/users/{id}`, `/privileges/users/{id}`): commands for zone administrators. */
export const userCommands: Command[] = [
  {
    // The zone has no list of users to show here; the word only groups the commands below.
    name: 'users',
    params: 'COMMAND',
    summary: 'User accounts by id; zone administrators',
    arity: [0, 0],
    async run() {
      throw new UsageError(`missing COMMAND: 'users show', 'users zone-privileges' or 'users set-zone-privileges' (onezone users --help)`);
    },
  },
  {
    name: 'users show',
    params: 'USER_ID',
    summary: 'Show any user account; zone administrators',
    arity: [1, 1],
    async run(ctx, { args }) {
      const u = await ctx.client().users.get(args[0]!);
      ctx.out.print(u, () =>
        fields([
          ['User ID', u.userId],
          ['Login', u.login],
          ['Name', u.name],
          ['Alias', u.alias || 'none'],
          ['Emails', u.emailList.length === 0 ? 'none' : u.emailList.join(', ')],
        ]),
      );
    },
  },
  {
    name: 'users zone-privileges',
    params: 'USER_ID',
    summary: "Show a user's own Onezone (zone-wide) privileges, without those of their groups; zone administrators",
    arity: [1, 1],
    async run(ctx, { args }) {
      const userId = args[0]!;
      showPrivileges(ctx.out, { userId }, await ctx.client().privileges.user(userId));
    },
  },
  {
    name: 'users set-zone-privileges',
    params: `USER_ID ${SET_PARAMS}`,
    summary: "Replace a user's Onezone privileges with a comma-separated list (--none: no privileges); zone administrators",
    details: setDetails('Onezone'),
    options: SET_OPTIONS,
    arity: [1, 2],
    async run(ctx, inv) {
      const userId = inv.args[0]!;
      const privileges = privilegeList('Onezone', inv, 1);
      await ctx.client().privileges.setUser(userId, privileges);
      privilegesSet(ctx.out, { userId }, privileges, `user ${userId} in the zone`);
    },
  },
];
