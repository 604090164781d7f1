import type { GroupType } from '../client/index.js';
import { type Command, mapFew } from './command.js';
import { UsageError } from './errors.js';
import { INVITE_OPTIONS, INVITE_PARAMS, inviteOptions, tokenArgument } from './invites.js';
import { fields, memberTable, table } from './output.js';
import { SET_OPTIONS, SET_PARAMS, privilegeList, privilegesSet, setDetails, showPrivileges } from './privileges.js';

const GROUP_TYPES: readonly GroupType[] = ['organization', 'unit', 'team', 'role'];

export const groupCommands: Command[] = [
  {
    name: 'groups',
    params: '',
    summary: 'List the groups you belong to directly',
    arity: [0, 0],
    async run(ctx) {
      const api = ctx.client().user;
      const groups = await mapFew(await api.groups(), (gid) => api.group(gid));
      ctx.out.print(groups, () =>
        table(
          ['GROUP ID', 'NAME', 'TYPE'],
          groups.map((g) => [g.groupId, g.name, g.type]),
        ),
      );
    },
  },
  {
    name: 'groups create',
    params: `NAME [--type ${GROUP_TYPES.join('|')}]`,
    summary: "Create a group (type 'role' unless given); prints its id",
    options: { type: { type: 'string', default: 'role' } },
    arity: [1, 1],
    async run(ctx, { args, opts }) {
      const type = opts.type as GroupType;
      if (!GROUP_TYPES.includes(type)) throw new UsageError(`--type must be one of ${GROUP_TYPES.join(', ')}`);
      ctx.out.value('groupId', await ctx.client().user.createGroup(args[0]!, type));
    },
  },
  {
    name: 'groups show',
    params: 'ID',
    summary: 'Show one of your groups',
    arity: [1, 1],
    async run(ctx, { args }) {
      const g = await ctx.client().user.group(args[0]!);
      ctx.out.print(g, () =>
        fields([
          ['Group ID', g.groupId],
          ['Name', g.name],
          ['Type', g.type],
        ]),
      );
    },
  },
  {
    name: 'groups join',
    params: 'TOKEN|-',
    summary: "Join a group with an invite token ('-' reads it from standard input); prints its id",
    arity: [1, 1],
    async run(ctx, { args }) {
      const token = await tokenArgument(args[0]!);
      ctx.out.value('groupId', await ctx.client().user.joinGroup(token));
    },
  },
  {
    name: 'groups leave',
    params: 'ID',
    summary: 'Leave a group',
    arity: [1, 1],
    async run(ctx, { args }) {
      await ctx.client().user.leaveGroup(args[0]!);
      ctx.out.print({ groupId: args[0] }, () => `Left group ${args[0]}.\n`);
    },
  },
  {
    name: 'groups invite',
    params: INVITE_PARAMS,
    summary: 'Mint a token that invites a user to the group; prints only the token',
    options: INVITE_OPTIONS,
    arity: [1, 1],
    async run(ctx, { args, opts }) {
      const options = inviteOptions(opts);
      const groups = ctx.client().groups;
      const token = options ? await groups.createUserInvite(args[0]!, options) : await groups.userInviteToken(args[0]!);
      ctx.out.value('token', token);
    },
  },
  {
    name: 'groups members',
    params: 'ID [--effective]',
    summary: 'List the users of a group (--effective: also those of its nested groups)',
    options: { effective: { type: 'boolean' } },
    arity: [1, 1],
    async run(ctx, { args, opts }) {
      const groups = ctx.client().groups;
      const gid = args[0]!;
      const members =
        opts.effective === true
          ? await mapFew(await groups.effectiveUsers(gid), (uid) => groups.effectiveUser(gid, uid))
          : await mapFew(await groups.users(gid), (uid) => groups.user(gid, uid));
      ctx.out.print(members, () => memberTable(members));
    },
  },
  {
    name: 'groups privileges',
    params: 'GROUP_ID USER_ID [--effective]',
    summary: "Show a user's privileges in a group (--effective: with those held through nested groups)",
    options: { effective: { type: 'boolean' } },
    arity: [2, 2],
    async run(ctx, { args, opts }) {
      const [groupId, userId] = args as [string, string];
      const effective = opts.effective === true;
      const groups = ctx.client().groups;
      const privileges = effective ? await groups.effectiveUserPrivileges(groupId, userId) : await groups.userPrivileges(groupId, userId);
      showPrivileges(ctx.out, { groupId, userId, effective }, privileges);
    },
  },
  {
    name: 'groups set-privileges',
    params: `GROUP_ID USER_ID ${SET_PARAMS}`,
    summary: "Replace a user's privileges in a group with a comma-separated list (--none: no privileges)",
    details: setDetails('group'),
    options: SET_OPTIONS,
    arity: [2, 3],
    async run(ctx, inv) {
      const [groupId, userId] = inv.args as [string, string];
      const privileges = privilegeList('group', inv, 2);
      await ctx.client().groups.setUserPrivileges(groupId, userId, privileges);
      privilegesSet(ctx.out, { groupId, userId }, privileges, `user ${userId} in group ${groupId}`);
    },
  },
  {
    name: 'groups nested-privileges',
    params: 'GROUP_ID NESTED_GROUP_ID',
    summary: "Show a nested group's privileges in its parent group (each of its effective members holds them)",
    arity: [2, 2],
    async run(ctx, { args }) {
      const [groupId, nestedGroupId] = args as [string, string];
      showPrivileges(ctx.out, { groupId, nestedGroupId }, await ctx.client().groups.nestedPrivileges(groupId, nestedGroupId));
    },
  },
  {
    name: 'groups set-nested-privileges',
    params: `GROUP_ID NESTED_GROUP_ID ${SET_PARAMS}`,
    summary: "Replace a nested group's privileges in its parent with a comma-separated list (--none: no privileges)",
    details: setDetails('group'),
    options: SET_OPTIONS,
    arity: [2, 3],
    async run(ctx, inv) {
      const [groupId, nestedGroupId] = inv.args as [string, string];
      const privileges = privilegeList('group', inv, 2);
      await ctx.client().groups.setNestedPrivileges(groupId, nestedGroupId, privileges);
      privilegesSet(ctx.out, { groupId, nestedGroupId }, privileges, `group ${nestedGroupId} in group ${groupId}`);
    },
  },
  {
    name: 'groups zone-privileges',
    params: 'GROUP_ID',
    summary: "Show a group's Onezone (zone-wide) privileges; zone administrators",
    arity: [1, 1],
    async run(ctx, { args }) {
      const groupId = args[0]!;
      showPrivileges(ctx.out, { groupId }, await ctx.client().privileges.group(groupId));
    },
  },
  {
    name: 'groups set-zone-privileges',
    params: `GROUP_ID ${SET_PARAMS}`,
    summary: "Replace a group's Onezone privileges (its effective members hold them); zone administrators",
    details: setDetails('Onezone'),
    options: SET_OPTIONS,
    arity: [1, 2],
    async run(ctx, inv) {
      const groupId = inv.args[0]!;
      const privileges = privilegeList('Onezone', inv, 1);
      await ctx.client().privileges.setGroup(groupId, privileges);
      privilegesSet(ctx.out, { groupId }, privileges, `group ${groupId} in the zone`);
    },
  },
];
