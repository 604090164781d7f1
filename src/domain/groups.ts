import { ApiError } from '../errors.js';
import type { GroupRow, MemberRow } from '../store/groups.js';
import type { Store } from '../store/index.js';
import type { TokenRow } from '../store/tokens.js';
import type { Actor, UserActor } from './actor.js';
import { auditor } from './audit.js';
import { ADMINS_GROUP, type Authorizer, administersAdmins, keepAnAdministrator } from './authorize.js';
import type { Deps } from './deps.js';
import { type InviteService, InviteType } from './invites.js';
import { GROUP_MEMBER_DEFAULT, type GroupPrivilege, groupPrivileges } from './privileges.js';
import type { InviteOptions } from './spaces.js';

export const GROUP_TYPES = ['organization', 'unit', 'team', 'role'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];

export interface GroupPatch {
  name?: string;
  type?: GroupType;
}

const groupNotFound = () => new ApiError('notFound', 'Group not found.');
const notMember = () => new ApiError('notFound', 'The user is not a member of this group.');
const notSubgroup = () => new ApiError('notFound', 'The group is not a subgroup of this group.');
const notParent = () => new ApiError('notFound', 'The group is not a parent of this group.');

export function groupService({ store, clock, ids }: Deps, authorize: Authorizer, invites: InviteService) {
  const audit = auditor({ clock });
  const mustExist = async (groupId: string): Promise<GroupRow> => {
    const group = await store.groups.byId(groupId);
    if (!group) throw groupNotFound();
    return group;
  };

  const invite = async (
    actor: UserActor,
    groupId: string,
    privilege: 'group_invite_user' | 'group_invite_group',
    opts: InviteOptions,
  ): Promise<string> => {
    await authorize.group(actor, groupId, privilege);
    if (opts.privileges != null && opts.privileges !== GROUP_MEMBER_DEFAULT) {
      // Handing out more than the default is setting privileges, so it needs that right too.
      await authorize.group(actor, groupId, 'group_set_privileges');
    }
    return invites.mint(store, {
      type: privilege === 'group_invite_user' ? InviteType.groupInviteUser : InviteType.groupInviteGroup,
      issuer: { type: 'user', id: actor.userId },
      target: { type: 'group', id: groupId },
      ...opts,
    });
  };

  /** The group's view of a user (`{userId, login, name}`), after `group_view_data`. */
  const member = async (actor: Actor, groupId: string, userId: string, effective: boolean): Promise<MemberRow> => {
    await authorize.group(actor, groupId, 'group_view_data');
    const row = await store.groups.member(groupId, userId, effective);
    if (!row) throw notMember();
    return row;
  };

  return {
    /** `POST /groups`, `POST /user/groups`: the creator gets every group privilege. */
    async create(actor: UserActor, name: string, type: GroupType): Promise<string> {
      const id = ids();
      await store.transaction(async (tx) => {
        await tx.groups.insert({ id, name, type, created_at: clock() });
        await tx.groups.addUser(id, actor.userId, groupPrivileges.all);
        await audit(tx, actor, 'group.create', { target: ['group', id], details: { name, type } });
      });
      return id;
    },

    async get(actor: Actor, groupId: string): Promise<GroupRow> {
      await authorize.group(actor, groupId, 'group_view_data');
      return mustExist(groupId);
    },

    /** `PATCH /groups/{id}`: either field or both (RC2 demanded both). */
    async modify(actor: Actor, groupId: string, patch: GroupPatch): Promise<void> {
      const changes = { ...(patch.name !== undefined && { name: patch.name }), ...(patch.type !== undefined && { type: patch.type }) };
      // Authorized with the row locked, in the transaction: a privilege taken away meanwhile counts.
      await authorize.groupWrite(actor, groupId, 'group_change_data', {}, async (tx) => {
        if (Object.keys(changes).length === 0) throw new ApiError('invalidRequest', "missing required key: 'name' or 'type'");
        await tx.groups.update(groupId, changes);
        await audit(tx, actor, 'group.update', { target: ['group', groupId], details: changes });
      });
    },

    /**
     * `DELETE /groups/{id}`: memberships in and of the group go by cascade; its invites and
     * zone privileges go in the same transaction. The `admins` group is the zone's root of trust.
     * Locks are taken in the order joins take them, so that on PostgreSQL they wait for each other
     * instead of deadlocking: the nesting graph (`joinNested` locks it first; the cascade would
     * take it after the group's row), the `admins` row (which `keepAnAdministrator` reads, and a
     * change of `admins` locks first: authorize.ts `groupWrite`), the group's row (a join's
     * membership locks it before its invite's row), then the invites.
     */
    async remove(actor: Actor, groupId: string): Promise<void> {
      await authorize.groupWrite(actor, groupId, 'group_remove', { graph: true, admins: true }, async (tx) => {
        if (groupId === ADMINS_GROUP) throw new ApiError('invalidRequest', 'The predefined admins group cannot be removed.');
        await tx.groups.delete(groupId);
        await tx.tokens.deleteByTarget('group', groupId);
        await tx.onezone.remove('group', groupId);
        await keepAnAdministrator(tx);
        await audit(tx, actor, 'group.delete', { target: ['group', groupId] });
      });
    },

    async users(actor: Actor, groupId: string): Promise<string[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      return store.groups.users(groupId);
    },

    async effectiveUsers(actor: Actor, groupId: string): Promise<readonly string[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      return store.groups.effectiveUsers(groupId);
    },

    user: (actor: Actor, groupId: string, userId: string) => member(actor, groupId, userId, false),
    effectiveUser: (actor: Actor, groupId: string, userId: string) => member(actor, groupId, userId, true),

    /** Privileges held directly in the group (what PUT sets). */
    async userPrivileges(actor: Actor, groupId: string, userId: string): Promise<GroupPrivilege[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      const mask = await store.groups.userPrivileges(groupId, userId);
      if (mask === undefined) throw notMember();
      return groupPrivileges.toNames(mask);
    },

    /** Privileges held directly and through every nested group (RC2 group-graph algebra). */
    async effectiveUserPrivileges(actor: Actor, groupId: string, userId: string): Promise<GroupPrivilege[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      const mask = await store.groups.effectivePrivileges(groupId, userId);
      if (mask === undefined) throw notMember();
      return groupPrivileges.toNames(mask);
    },

    /** Replaces the user's direct privileges, as the 2016 server did. */
    async setUserPrivileges(actor: Actor, groupId: string, userId: string, names: readonly GroupPrivilege[]): Promise<void> {
      const mask = groupPrivileges.toMask(names);
      await authorize.groupWrite(actor, groupId, 'group_set_privileges', {}, async (tx) => {
        if (!(await tx.groups.setUserPrivileges(groupId, userId, mask))) throw notMember();
        await audit(tx, actor, 'group.user.privileges', { target: ['group', groupId], subject: ['user', userId], details: { privileges: groupPrivileges.toNames(mask) } });
      });
    },

    async removeUser(actor: Actor, groupId: string, userId: string): Promise<void> {
      await authorize.groupWrite(actor, groupId, 'group_remove_user', { admins: true }, async (tx) => {
        if (!(await tx.groups.removeUser(groupId, userId))) throw notMember();
        await keepAnAdministrator(tx);
        await audit(tx, actor, 'group.user.remove', { target: ['group', groupId], subject: ['user', userId] });
      });
    },

    inviteUser: (actor: UserActor, groupId: string, opts: InviteOptions = {}) => invite(actor, groupId, 'group_invite_user', opts),
    inviteGroup: (actor: UserActor, groupId: string, opts: InviteOptions = {}) => invite(actor, groupId, 'group_invite_group', opts),

    async parents(actor: Actor, groupId: string): Promise<string[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      return store.groups.parents(groupId);
    },

    async parent(actor: Actor, groupId: string, parentId: string): Promise<GroupRow> {
      await authorize.group(actor, groupId, 'group_view_data');
      if ((await store.groups.nestedPrivileges(parentId, groupId)) === undefined) throw notParent();
      return mustExist(parentId);
    },

    async nested(actor: Actor, groupId: string): Promise<string[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      return store.groups.nested(groupId);
    },

    async nestedGroup(actor: Actor, groupId: string, childId: string): Promise<GroupRow> {
      await authorize.group(actor, groupId, 'group_view_data');
      if ((await store.groups.nestedPrivileges(groupId, childId)) === undefined) throw notSubgroup();
      return mustExist(childId);
    },

    async nestedPrivileges(actor: Actor, groupId: string, childId: string): Promise<GroupPrivilege[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      const mask = await store.groups.nestedPrivileges(groupId, childId);
      if (mask === undefined) throw notSubgroup();
      return groupPrivileges.toNames(mask);
    },

    async setNestedPrivileges(actor: Actor, groupId: string, childId: string, names: readonly GroupPrivilege[]): Promise<void> {
      const mask = groupPrivileges.toMask(names);
      await authorize.groupWrite(actor, groupId, 'group_set_privileges', { graph: true }, async (tx) => {
        if (!(await tx.groups.setNestedPrivileges(groupId, childId, mask))) throw notSubgroup();
        await audit(tx, actor, 'group.nested.privileges', { target: ['group', groupId], subject: ['group', childId], details: { privileges: groupPrivileges.toNames(mask) } });
      });
    },

    async removeNested(actor: Actor, groupId: string, childId: string): Promise<void> {
      await authorize.groupWrite(actor, groupId, 'group_remove_group', { graph: true, admins: true }, async (tx) => {
        if (!(await tx.groups.removeNested(groupId, childId))) throw notSubgroup();
        await keepAnAdministrator(tx);
        await audit(tx, actor, 'group.nested.remove', { target: ['group', groupId], subject: ['group', childId] });
      });
    },

    /** `GET /user/groups`: direct groups only, as in RC2. */
    listOfUser: (actor: UserActor): Promise<string[]> => store.groups.ofUser(actor.userId),

    /** `GET /user/effective_groups`: every group the user belongs to at any depth. */
    effectiveOfUser: (actor: UserActor): Promise<string[]> => store.groups.effectiveOfUser(actor.userId),

    /** `GET /user/groups/{gid}`: any effective member; others see 404. */
    async getOfUser(actor: UserActor, groupId: string): Promise<GroupRow> {
      const group = await store.groups.byId(groupId);
      if (!group || !(await store.groups.hasEffectiveUser(groupId, actor.userId))) {
        throw new ApiError('notFound', 'You are not a member of this group.');
      }
      return group;
    },

    /** `DELETE /user/groups/{gid}`: leaves a group the user belongs to directly. */
    async leave(actor: UserActor, groupId: string): Promise<void> {
      await store.transaction(async (tx) => {
        await tx.groups.lock(ADMINS_GROUP);
        if (await tx.groups.removeUser(groupId, actor.userId)) {
          await keepAnAdministrator(tx);
          return audit(tx, actor, 'group.user.leave', { target: ['group', groupId], subject: ['user', actor.userId] });
        }
        throw (await tx.groups.hasEffectiveUser(groupId, actor.userId))
          ? new ApiError('invalidRequest', 'You belong to this group through a subgroup; leave the subgroup instead.')
          : new ApiError('notFound', 'You are not a member of this group.');
      });
    },

    /**
     * `POST /user/groups/join`. One transaction: prove the token, re-check that its issuer may
     * still invite, add the membership, count the use. A direct member already gets the same
     * answer and the token keeps its use.
     */
    async join(actor: UserActor, token: string): Promise<string> {
      return invites.counted(store.transaction(async (tx) => {
        const row = await invites.open(tx, token, InviteType.groupInviteUser);
        const groupId = row.target_id!;
        if (!(await tx.groups.exists(groupId))) throw new ApiError('invalidToken');
        await assertIssuerMayInvite(tx, row, groupId, 'group_invite_user');
        const privileges = row.privileges ?? GROUP_MEMBER_DEFAULT;
        const added = await tx.groups.addUser(groupId, actor.userId, privileges);
        if (added) {
          await audit(tx, actor, 'group.user.join', { target: ['group', groupId], subject: ['user', actor.userId], details: joinDetails(row, privileges) });
          await invites.countUse(tx, row);
        }
        return { id: groupId, added };
      }));
    },

    /**
     * `POST /groups/{id}/nested/join`: group `childId` joins the group that issued the token.
     * The join pattern of `join`, plus a cycle check made under the graph lock, so two
     * concurrent joins cannot close a cycle between them. Returns the parent's id.
     */
    async joinNested(actor: UserActor, childId: string, token: string): Promise<string> {
      // The graph first, then the child's row (authorize.ts `groupWrite`), the right to join checked under them.
      return invites.counted(authorize.groupWrite(actor, childId, 'group_join_group', { graph: true }, async (tx) => {
        const row = await invites.open(tx, token, InviteType.groupInviteGroup);
        const parentId = row.target_id!;
        if (!(await tx.groups.exists(parentId))) throw new ApiError('invalidToken');
        await assertIssuerMayInvite(tx, row, parentId, 'group_invite_group');
        if ((await tx.groups.nestedPrivileges(parentId, childId)) !== undefined) return { id: parentId, added: false };
        if (await tx.groups.isWithin(parentId, childId)) {
          throw new ApiError('wouldIntroduceCycle', 'The group cannot join: it would become its own ancestor.');
        }
        const privileges = row.privileges ?? GROUP_MEMBER_DEFAULT;
        await tx.groups.addNested(parentId, childId, privileges);
        await audit(tx, actor, 'group.nested.add', { target: ['group', parentId], subject: ['group', childId], details: joinDetails(row, privileges) });
        await invites.countUse(tx, row);
        return { id: parentId, added: true };
      }));
    },
  };
}

/** What a join's event records: the invite's id (never its text) and the privileges it gave. */
const joinDetails = (invite: TokenRow, privileges: number) => ({ tokenId: invite.id, privileges: groupPrivileges.toNames(privileges) });

/**
 * The issuer of an invite must still hold the inviting privilege at join time, and
 * `group_set_privileges` as well when the invite hands out more than the default.
 */
async function assertIssuerMayInvite(
  tx: Store,
  invite: TokenRow,
  groupId: string,
  privilege: 'group_invite_user' | 'group_invite_group',
): Promise<void> {
  const mask = invite.issuer_type === 'user' ? ((await tx.groups.effectivePrivileges(groupId, invite.issuer_id)) ?? 0) : 0;
  let needed = groupPrivileges.bit(privilege);
  if (invite.privileges !== null && invite.privileges !== GROUP_MEMBER_DEFAULT) needed |= groupPrivileges.bit('group_set_privileges');
  if ((mask & needed) !== needed && !(invite.issuer_type === 'user' && (await administersAdmins(tx, groupId, invite.issuer_id)))) {
    throw new ApiError('invalidToken', 'The issuer of this token may no longer invite to this group.');
  }
}

export type GroupService = ReturnType<typeof groupService>;
