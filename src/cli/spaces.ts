import { type Command, mapFew } from './command.js';
import { INVITE_OPTIONS, INVITE_PARAMS, inviteOptions, tokenArgument } from './invites.js';
import { fields, memberTable, table } from './output.js';
import { SET_OPTIONS, SET_PARAMS, privilegeList, privilegesSet, setDetails, showPrivileges } from './privileges.js';

/** The zone answers this instead of an id when the user has no default space (RC2 behaviour). */
const NO_DEFAULT = 'undefined';

export const spaceCommands: Command[] = [
  {
    name: 'spaces',
    params: '',
    summary: 'List your spaces (* marks the default)',
    arity: [0, 0],
    async run(ctx) {
      const api = ctx.client().user;
      const { spaces, default: def } = await api.spaces();
      const details = await mapFew(spaces, (sid) => api.space(sid));
      ctx.out.print(
        details.map((s) => ({ ...s, default: s.spaceId === def })),
        () =>
          table(
            ['SPACE ID', 'NAME', 'DEFAULT'],
            details.map((s) => [s.spaceId, s.name, s.spaceId === def ? '*' : '']),
          ),
      );
    },
  },
  {
    name: 'spaces create',
    params: 'NAME',
    summary: 'Create a space (you get every privilege in it); prints its id',
    arity: [1, 1],
    async run(ctx, { args }) {
      ctx.out.value('spaceId', await ctx.client().user.createSpace(args[0]!));
    },
  },
  {
    name: 'spaces show',
    params: 'ID',
    summary: 'Show one of your spaces',
    arity: [1, 1],
    async run(ctx, { args }) {
      const s = await ctx.client().user.space(args[0]!);
      const supports = Object.entries(s.providersSupports ?? {});
      ctx.out.print(s, () =>
        fields([
          ['Space ID', s.spaceId],
          ['Name', s.name],
          ['Canonical name', s.canonicalName],
          ['Providers', supports.length === 0 ? 'none' : supports.map(([pid, size]) => `${pid} (${size} bytes)`).join(', ')],
        ]),
      );
    },
  },
  {
    name: 'spaces join',
    params: 'TOKEN|-',
    summary: "Join a space with an invite token ('-' reads it from standard input); prints its id",
    arity: [1, 1],
    async run(ctx, { args }) {
      const token = await tokenArgument(args[0]!);
      ctx.out.value('spaceId', await ctx.client().user.joinSpace(token));
    },
  },
  {
    name: 'spaces leave',
    params: 'ID',
    summary: 'Leave a space',
    arity: [1, 1],
    async run(ctx, { args }) {
      await ctx.client().user.leaveSpace(args[0]!);
      ctx.out.print({ spaceId: args[0] }, () => `Left space ${args[0]}.\n`);
    },
  },
  {
    name: 'spaces default',
    params: '[ID]',
    summary: 'Show the default space, or make ID the default',
    arity: [0, 1],
    async run(ctx, { args }) {
      const api = ctx.client().user;
      if (args[0] !== undefined) {
        await api.setDefaultSpace(args[0]);
        ctx.out.print({ spaceId: args[0] }, () => `Default space is now ${args[0]}.\n`);
        return;
      }
      const id = await api.defaultSpace();
      const none = id === NO_DEFAULT;
      ctx.out.print({ spaceId: none ? null : id }, () => (none ? 'No default space.\n' : `${id}\n`));
    },
  },
  {
    name: 'spaces invite',
    params: INVITE_PARAMS,
    summary: 'Mint a token that invites a user to the space; prints only the token',
    options: INVITE_OPTIONS,
    arity: [1, 1],
    async run(ctx, { args, opts }) {
      const options = inviteOptions(opts);
      const spaces = ctx.client().spaces;
      const token = options ? await spaces.createUserInvite(args[0]!, options) : await spaces.userInviteToken(args[0]!);
      ctx.out.value('token', token);
    },
  },
  {
    name: 'spaces members',
    params: 'ID',
    summary: 'List the users of a space',
    arity: [1, 1],
    async run(ctx, { args }) {
      const spaces = ctx.client().spaces;
      const sid = args[0]!;
      const members = await mapFew(await spaces.users(sid), (uid) => spaces.user(sid, uid));
      ctx.out.print(members, () => memberTable(members));
    },
  },
  {
    name: 'spaces privileges',
    params: 'SPACE_ID USER_ID [--effective]',
    summary: "Show a user's privileges in a space (--effective: with those held through groups)",
    options: { effective: { type: 'boolean' } },
    arity: [2, 2],
    async run(ctx, { args, opts }) {
      const [spaceId, userId] = args as [string, string];
      const effective = opts.effective === true;
      showPrivileges(ctx.out, { spaceId, userId, effective }, await ctx.client().spaces.userPrivileges(spaceId, userId, { effective }));
    },
  },
  {
    name: 'spaces set-privileges',
    params: `SPACE_ID USER_ID ${SET_PARAMS}`,
    summary: "Replace a user's privileges in a space with a comma-separated list (--none: no privileges)",
    details: setDetails('space'),
    options: SET_OPTIONS,
    arity: [2, 3],
    async run(ctx, inv) {
      const [spaceId, userId] = inv.args as [string, string];
      const privileges = privilegeList('space', inv, 2);
      await ctx.client().spaces.setUserPrivileges(spaceId, userId, privileges);
      privilegesSet(ctx.out, { spaceId, userId }, privileges, `user ${userId} in space ${spaceId}`);
    },
  },
  {
    name: 'spaces group-privileges',
    params: 'SPACE_ID GROUP_ID',
    summary: "Show a group's privileges in a space (each of its effective members holds them)",
    arity: [2, 2],
    async run(ctx, { args }) {
      const [spaceId, groupId] = args as [string, string];
      showPrivileges(ctx.out, { spaceId, groupId }, await ctx.client().spaces.groupPrivileges(spaceId, groupId));
    },
  },
  {
    name: 'spaces set-group-privileges',
    params: `SPACE_ID GROUP_ID ${SET_PARAMS}`,
    summary: "Replace a group's privileges in a space with a comma-separated list (--none: no privileges)",
    details: setDetails('space'),
    options: SET_OPTIONS,
    arity: [2, 3],
    async run(ctx, inv) {
      const [spaceId, groupId] = inv.args as [string, string];
      const privileges = privilegeList('space', inv, 2);
      await ctx.client().spaces.setGroupPrivileges(spaceId, groupId, privileges);
      privilegesSet(ctx.out, { spaceId, groupId }, privileges, `group ${groupId} in space ${spaceId}`);
    },
  },
];
