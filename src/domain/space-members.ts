import { ApiError } from '../errors.js';
import type { GroupRow } from '../store/groups.js';
import type { Store } from '../store/index.js';
import type { UserRow } from '../store/users.js';
import type { Actor } from './actor.js';
import { auditor } from './audit.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { SPACE_MEMBER_DEFAULT, type SpacePrivilege, spacePrivileges } from './privileges.js';
import { clearDefaultIfGone, clearDefaultsOfGroup } from './spaces.js';

const userNotMember = () => new ApiError('notFound', 'The user is not a member of this space.');
const groupNotMember = () => new ApiError('notFound', 'The group is not a member of this space.');

/**
 * 404 for a user who is not a direct member, the kind of member these routes read and change;
 * one who reaches the space through a group is told where that membership is managed.
 */
async function userNotDirect(store: Store, spaceId: string, userId: string): Promise<ApiError> {
  if ((await store.spaces.effectivePrivileges(spaceId, userId)) === undefined) return userNotMember();
  return new ApiError('notFound', 'The user is not a direct member of this space: it belongs through a group, which is where that membership is managed.');
}

/** As `userNotDirect`, for a group nested in a member group of the space. */
export async function groupNotDirect(store: Store, spaceId: string, groupId: string): Promise<ApiError> {
  if (!(await store.spaces.reachedThroughParent(spaceId, groupId))) return groupNotMember();
  return new ApiError('notFound', 'The group is not a direct member of this space: it belongs through a group it is nested in, which is where that membership is managed.');
}

const DEFAULT_NAMES = spacePrivileges.toNames(SPACE_MEMBER_DEFAULT);
/** As stored: each name once, in the enum's order. */
const names = (privileges: readonly SpacePrivilege[]) => spacePrivileges.toNames(spacePrivileges.toMask(privileges));

/** The members of a space, users and groups, as seen and managed through `/spaces/{id}/…`. */
export function spaceMemberService({ store, clock }: Deps, authorize: Authorizer) {
  const audit = auditor({ clock });
  return {
    /** Direct users, or with `effective` also every user reaching the space through groups at any depth. */
    async users(actor: Actor, spaceId: string, effective = false): Promise<string[]> {
      await authorize.space(actor, spaceId, 'space_view_data');
      return effective ? store.spaces.effectiveUsers(spaceId) : store.spaces.users(spaceId);
    },

    /** Any effective member can be looked at; the answer is the public part of the account. */
    async user(actor: Actor, spaceId: string, userId: string): Promise<UserRow> {
      await authorize.space(actor, spaceId, 'space_view_data');
      const user = await store.users.byId(userId);
      if (!user || (await store.spaces.effectivePrivileges(spaceId, userId)) === undefined) throw userNotMember();
      return user;
    },

    /** `PUT /spaces/{id}/users` (zone administration): a direct member with the RC2 default privileges. */
    async addUser(actor: Actor, spaceId: string, userId: string): Promise<void> {
      if (!(await store.spaces.exists(spaceId))) throw new ApiError('notFound', 'Space not found.');
      await authorize.zone(actor, 'add_member_to_space');
      await store.transaction(async (tx) => {
        if (!(await tx.spaces.exists(spaceId))) throw new ApiError('notFound', 'Space not found.');
        if (!(await tx.users.byId(userId))) throw new ApiError('notFound', 'User not found.');
        if (!(await tx.spaces.addUser(spaceId, userId, SPACE_MEMBER_DEFAULT))) return;
        await audit(tx, actor, 'space.user.add', { target: ['space', spaceId], subject: ['user', userId], details: { privileges: DEFAULT_NAMES } });
      });
    },

    async removeUser(actor: Actor, spaceId: string, userId: string): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_remove_user', 'remove_member_from_space', async (tx) => {
        await tx.users.hold(userId);
        if (!(await tx.spaces.removeUser(spaceId, userId))) throw await userNotDirect(tx, spaceId, userId);
        await clearDefaultIfGone(tx, userId, spaceId);
        await audit(tx, actor, 'space.user.remove', { target: ['space', spaceId], subject: ['user', userId] });
      });
    },

    /**
     * The user's own (direct) privileges, the ones `PUT` sets; with `effective` (2016's
     * `?effective=true`) the union of those and what the user holds through groups, for any
     * effective member: what authorization decides by.
     */
    async userPrivileges(actor: Actor, spaceId: string, userId: string, effective = false): Promise<SpacePrivilege[]> {
      await authorize.space(actor, spaceId, 'space_view_data');
      const mask = effective ? await store.spaces.effectivePrivileges(spaceId, userId) : await store.spaces.userPrivileges(spaceId, userId);
      if (mask === undefined) throw effective ? userNotMember() : await userNotDirect(store, spaceId, userId);
      return spacePrivileges.toNames(mask);
    },

    /** Replaces the user's direct privileges. */
    async setUserPrivileges(actor: Actor, spaceId: string, userId: string, privileges: readonly SpacePrivilege[]): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_set_privileges', undefined, async (tx) => {
        if (!(await tx.spaces.setUserPrivileges(spaceId, userId, spacePrivileges.toMask(privileges)))) throw await userNotDirect(tx, spaceId, userId);
        await audit(tx, actor, 'space.user.privileges', { target: ['space', spaceId], subject: ['user', userId], details: { privileges: names(privileges) } });
      });
    },

    async groups(actor: Actor, spaceId: string): Promise<string[]> {
      await authorize.space(actor, spaceId, 'space_view_data');
      return store.spaces.groups(spaceId);
    },

    async group(actor: Actor, spaceId: string, groupId: string): Promise<GroupRow> {
      await authorize.space(actor, spaceId, 'space_view_data');
      const group = await store.groups.byId(groupId);
      if (!group) throw groupNotMember();
      if ((await store.spaces.groupPrivileges(spaceId, groupId)) === undefined) throw await groupNotDirect(store, spaceId, groupId);
      return group;
    },

    /** `PUT /spaces/{id}/groups` (zone administration): a member group with the RC2 default privileges. */
    async addGroup(actor: Actor, spaceId: string, groupId: string): Promise<void> {
      if (!(await store.spaces.exists(spaceId))) throw new ApiError('notFound', 'Space not found.');
      await authorize.zone(actor, 'add_member_to_space');
      await store.transaction(async (tx) => {
        if (!(await tx.spaces.exists(spaceId))) throw new ApiError('notFound', 'Space not found.');
        if (!(await tx.groups.byId(groupId))) throw new ApiError('notFound', 'Group not found.');
        if (!(await tx.spaces.addGroup(spaceId, groupId, SPACE_MEMBER_DEFAULT))) return;
        await audit(tx, actor, 'space.group.add', { target: ['space', spaceId], subject: ['group', groupId], details: { privileges: DEFAULT_NAMES } });
      });
    },

    async removeGroup(actor: Actor, spaceId: string, groupId: string): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_remove_group', 'remove_member_from_space', async (tx) => {
        if (!(await tx.spaces.removeGroup(spaceId, groupId))) throw await groupNotDirect(tx, spaceId, groupId);
        await clearDefaultsOfGroup(tx, groupId, spaceId);
        await audit(tx, actor, 'space.group.remove', { target: ['space', spaceId], subject: ['group', groupId] });
      });
    },

    async groupPrivileges(actor: Actor, spaceId: string, groupId: string): Promise<SpacePrivilege[]> {
      await authorize.space(actor, spaceId, 'space_view_data');
      const mask = await store.spaces.groupPrivileges(spaceId, groupId);
      if (mask === undefined) throw await groupNotDirect(store, spaceId, groupId);
      return spacePrivileges.toNames(mask);
    },

    /** Replaces the group's privileges; every effective user of the group gets them at once. */
    async setGroupPrivileges(actor: Actor, spaceId: string, groupId: string, privileges: readonly SpacePrivilege[]): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_set_privileges', undefined, async (tx) => {
        if (!(await tx.spaces.setGroupPrivileges(spaceId, groupId, spacePrivileges.toMask(privileges)))) throw await groupNotDirect(tx, spaceId, groupId);
        await audit(tx, actor, 'space.group.privileges', { target: ['space', spaceId], subject: ['group', groupId], details: { privileges: names(privileges) } });
      });
    },
  };
}

export type SpaceMemberService = ReturnType<typeof spaceMemberService>;
