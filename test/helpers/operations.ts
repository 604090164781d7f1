import type { OnezoneClient } from '../../src/client/index.js';
import { InviteType } from '../../src/domain/invites.js';
import type { GroupPrivilege, OnezonePrivilege, SpacePrivilege } from '../../src/domain/privileges.js';
import { groupPrivileges, spacePrivileges } from '../../src/domain/privileges.js';
import { type TestZone, passwordOf } from './zone.js';

/**
 * Every user-facing operation of the API as a table: how to call it through the SDK and who may.
 * The auth matrix (test/api/auth-matrix.test.ts) runs each row against a fresh fixture, so a
 * route added without a row here fails that test.
 */

/** Entities made fresh for each row, straight through the store. */
export interface Fixture {
  /** A space: alice owns it; bob (the subject) and carol are direct members. */
  space: string;
  /** A group: alice owns it; bob and carol are members. */
  group: string;
  /** A subgroup nested in `group`. */
  child: string;
  /** A group that `group` is nested in. */
  parent: string;
  /** A group that is a member of `space`. */
  spaceGroup: string;
  /** A space that `group` is a member of. */
  groupSpace: string;
  /** Invites alice minted to other entities: for a user to a space and a group, for a group to a space and a group. */
  spaceInvite: string;
  groupInvite: string;
  spaceGroupInvite: string;
  nestedInvite: string;
  carol: string;
}

export type Requirement =
  | { space: SpacePrivilege; orZone?: OnezonePrivilege }
  | { group: GroupPrivilege }
  | { zone: OnezonePrivilege }
  /** Zone administrators: effective members of the `admins` group. */
  | 'admin'
  /** Any authenticated user, acting on their own account. */
  | 'self';

export interface Operation {
  id: string;
  needs: Requirement;
  /** Run the permitted call as a throwaway user (the operation deletes its caller, or revokes its token). */
  throwaway?: boolean;
  call: (api: OnezoneClient, f: Fixture) => Promise<unknown>;
}

export const USER_OPERATIONS: Operation[] = [
  // /user…: the caller's own account
  { id: 'get_user', needs: 'self', call: (a) => a.user.get() },
  { id: 'modify_user', needs: 'self', call: (a) => a.user.modify({ name: 'renamed' }) },
  { id: 'remove_user', needs: 'self', throwaway: true, call: (a) => a.user.remove() },
  { id: 'get_client_token', needs: 'self', call: (a) => a.user.clientToken() },
  {
    id: 'change_user_password',
    needs: 'self',
    throwaway: true,
    call: async (a) => a.user.changePassword(passwordOf((await a.user.get()).login), 'a-new-password'),
  },
  { id: 'revoke_client_token', needs: 'self', throwaway: true, call: (a) => a.user.signOut() },
  { id: 'get_user_spaces', needs: 'self', call: (a) => a.user.spaces() },
  { id: 'create_user_space', needs: 'self', call: (a) => a.user.createSpace('mine') },
  { id: 'get_user_default_space', needs: 'self', call: (a) => a.user.defaultSpace() },
  { id: 'set_user_default_space', needs: 'self', call: (a, f) => a.user.setDefaultSpace(f.space) },
  { id: 'join_space', needs: 'self', call: (a, f) => a.user.joinSpace(f.spaceInvite) },
  { id: 'join_group', needs: 'self', call: (a, f) => a.user.joinGroup(f.groupInvite) },
  { id: 'get_user_space_token', needs: 'self', call: (a) => a.user.spaceCreateToken() },
  { id: 'get_user_space', needs: 'self', call: (a, f) => a.user.space(f.space) },
  { id: 'delete_user_space', needs: 'self', call: (a, f) => a.user.leaveSpace(f.space) },
  { id: 'get_user_groups', needs: 'self', call: (a) => a.user.groups() },
  { id: 'create_group_for_user', needs: 'self', call: (a) => a.user.createGroup('mine', 'team') },
  { id: 'get_user_group', needs: 'self', call: (a, f) => a.user.group(f.group) },
  { id: 'leave_group', needs: 'self', call: (a, f) => a.user.leaveGroup(f.group) },
  { id: 'get_user_effective_groups', needs: 'self', call: (a) => a.user.effectiveGroups() },
  { id: 'create_space', needs: 'self', call: (a) => a.spaces.create('mine') },
  { id: 'create_group', needs: 'self', call: (a) => a.groups.create('mine', 'role') },

  { id: 'list_user_tokens', needs: 'self', call: (a) => a.tokens.list() },
  { id: 'get_user_token', needs: 'self', call: async (a) => a.tokens.get((await a.tokens.list())[0]!.tokenId) },
  { id: 'modify_user_token', needs: 'self', call: async (a, f) => a.tokens.setRevoked(await issuedInvite(a, f), true) },
  { id: 'remove_user_token', needs: 'self', call: async (a, f) => a.tokens.remove(await issuedInvite(a, f)) },
  { id: 'get_zone_user', needs: 'admin', call: (a, f) => a.users.get(f.carol) },
  { id: 'create_user', needs: 'admin', call: (a, f) => a.users.create({ login: `made-${f.space.slice(6, 20)}`, password: 'a-long-password', name: 'Made' }) },
  { id: 'get_metrics', needs: { zone: 'view_privileges' }, call: (a) => a.zone.metrics() },
  { id: 'list_audit_events', needs: { zone: 'view_privileges' }, call: (a, f) => a.audit.list({ targetType: 'space', targetId: f.space }) },

  // /spaces/{id}…
  { id: 'get_spaces', needs: { zone: 'list_spaces' }, call: (a) => a.spaces.list() },
  { id: 'get_space', needs: { space: 'space_view_data', orZone: 'list_spaces' }, call: (a, f) => a.spaces.get(f.space) },
  { id: 'modify_space', needs: { space: 'space_change_data' }, call: (a, f) => a.spaces.rename(f.space, 'renamed') },
  { id: 'remove_space', needs: { space: 'space_remove' }, call: (a, f) => a.spaces.remove(f.space) },
  { id: 'get_space_users', needs: { space: 'space_view_data' }, call: (a, f) => a.spaces.users(f.space) },
  { id: 'add_user_to_space', needs: { zone: 'add_member_to_space' }, call: (a, f) => a.spaces.addUser(f.groupSpace, f.carol) },
  { id: 'get_space_user_token', needs: { space: 'space_invite_user' }, call: (a, f) => a.spaces.userInviteToken(f.space) },
  { id: 'create_space_user_invite_token', needs: { space: 'space_invite_user' }, call: (a, f) => a.spaces.createUserInvite(f.space, { usageLimit: 3 }) },
  { id: 'get_space_user', needs: { space: 'space_view_data' }, call: (a, f) => a.spaces.user(f.space, f.carol) },
  { id: 'remove_space_user', needs: { space: 'space_remove_user', orZone: 'remove_member_from_space' }, call: (a, f) => a.spaces.removeUser(f.space, f.carol) },
  { id: 'get_space_user_privileges', needs: { space: 'space_view_data' }, call: (a, f) => a.spaces.userPrivileges(f.space, f.carol) },
  { id: 'set_space_user_privileges', needs: { space: 'space_set_privileges' }, call: (a, f) => a.spaces.setUserPrivileges(f.space, f.carol, ['space_view_data']) },
  { id: 'get_space_groups', needs: { space: 'space_view_data' }, call: (a, f) => a.spaces.groups(f.space) },
  { id: 'add_group_to_space', needs: { zone: 'add_member_to_space' }, call: (a, f) => a.spaces.addGroup(f.space, f.child) },
  { id: 'get_space_group_token', needs: { space: 'space_invite_group' }, call: (a, f) => a.spaces.groupInviteToken(f.space) },
  { id: 'create_space_group_invite_token', needs: { space: 'space_invite_group' }, call: (a, f) => a.spaces.createGroupInvite(f.space, { usageLimit: 2 }) },
  { id: 'get_space_group', needs: { space: 'space_view_data' }, call: (a, f) => a.spaces.group(f.space, f.spaceGroup) },
  { id: 'delete_space_group', needs: { space: 'space_remove_group', orZone: 'remove_member_from_space' }, call: (a, f) => a.spaces.removeGroup(f.space, f.spaceGroup) },
  { id: 'get_space_group_privileges', needs: { space: 'space_view_data' }, call: (a, f) => a.spaces.groupPrivileges(f.space, f.spaceGroup) },
  { id: 'set_space_group_privileges', needs: { space: 'space_set_privileges' }, call: (a, f) => a.spaces.setGroupPrivileges(f.space, f.spaceGroup, ['space_view_data']) },

  // /groups/{id}…
  { id: 'get_group', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.get(f.group) },
  { id: 'modify_group', needs: { group: 'group_change_data' }, call: (a, f) => a.groups.modify(f.group, { name: 'renamed' }) },
  { id: 'remove_group', needs: { group: 'group_remove' }, call: (a, f) => a.groups.remove(f.group) },
  { id: 'get_group_effective_users', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.effectiveUsers(f.group) },
  { id: 'get_groups_effective_user', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.effectiveUser(f.group, f.carol) },
  { id: 'get_groups_user_privileges', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.effectiveUserPrivileges(f.group, f.carol) },
  { id: 'get_group_users', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.users(f.group) },
  { id: 'create_user_group_invite_token', needs: { group: 'group_invite_user' }, call: (a, f) => a.groups.userInviteToken(f.group) },
  { id: 'create_group_user_invite_token', needs: { group: 'group_invite_user' }, call: (a, f) => a.groups.createUserInvite(f.group, { usageLimit: 2 }) },
  { id: 'get_group_user', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.user(f.group, f.carol) },
  { id: 'remove_group_user', needs: { group: 'group_remove_user' }, call: (a, f) => a.groups.removeUser(f.group, f.carol) },
  { id: 'get_group_user_privileges', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.userPrivileges(f.group, f.carol) },
  { id: 'set_user_group_privileges', needs: { group: 'group_set_privileges' }, call: (a, f) => a.groups.setUserPrivileges(f.group, f.carol, ['group_view_data']) },
  { id: 'get_parent_groups', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.parents(f.group) },
  { id: 'get_parent_group', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.parent(f.group, f.parent) },
  { id: 'get_nested_groups', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.nested(f.group) },
  { id: 'get_nested_group_token', needs: { group: 'group_invite_group' }, call: (a, f) => a.groups.nestedInviteToken(f.group) },
  { id: 'create_subgroup_invite_token', needs: { group: 'group_invite_group' }, call: (a, f) => a.groups.createNestedInvite(f.group, { usageLimit: 2 }) },
  { id: 'join_nested_group', needs: { group: 'group_join_group' }, call: (a, f) => a.groups.joinNested(f.group, f.nestedInvite) },
  { id: 'get_nested_group', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.nestedGroup(f.group, f.child) },
  { id: 'delete_nested_group', needs: { group: 'group_remove_group' }, call: (a, f) => a.groups.removeNested(f.group, f.child) },
  { id: 'get_nested_group_privileges', needs: { group: 'group_view_data' }, call: (a, f) => a.groups.nestedPrivileges(f.group, f.child) },
  { id: 'set_group_nested_privileges', needs: { group: 'group_set_privileges' }, call: (a, f) => a.groups.setNestedPrivileges(f.group, f.child, ['group_view_data']) },

  // /groups/{id}/spaces…
  { id: 'get_group_spaces', needs: { group: 'group_view_data' }, call: (a, f) => a.groupSpaces.list(f.group) },
  { id: 'create_space_for_group', needs: { group: 'group_create_space' }, call: (a, f) => a.groupSpaces.create(f.group, 'theirs') },
  { id: 'group_join_space', needs: { group: 'group_join_space' }, call: (a, f) => a.groupSpaces.join(f.group, f.spaceGroupInvite) },
  { id: 'create_group_spaces_token', needs: { group: 'group_create_space_token' }, call: (a, f) => a.groupSpaces.createToken(f.group) },
  { id: 'get_group_space', needs: { group: 'group_view_data' }, call: (a, f) => a.groupSpaces.get(f.group, f.groupSpace) },
  { id: 'remove_group_from_space', needs: { group: 'group_leave_space' }, call: (a, f) => a.groupSpaces.leave(f.group, f.groupSpace) },

  // /privileges…
  { id: 'get_user_onezone_privileges', needs: { zone: 'view_privileges' }, call: (a, f) => a.privileges.user(f.carol) },
  { id: 'set_user_onezone_privileges', needs: { zone: 'set_privileges' }, call: (a, f) => a.privileges.setUser(f.carol, ['list_spaces']) },
  { id: 'remove_user_onezone_privileges', needs: { zone: 'set_privileges' }, call: (a, f) => a.privileges.removeUser(f.carol) },
  { id: 'get_group_onezone_privileges', needs: { zone: 'view_privileges' }, call: (a, f) => a.privileges.group(f.child) },
  { id: 'set_group_onezone_privileges', needs: { zone: 'set_privileges' }, call: (a, f) => a.privileges.setGroup(f.child, ['list_spaces']) },
  { id: 'remove_group_onezone_privileges', needs: { zone: 'set_privileges' }, call: (a, f) => a.privileges.removeGroup(f.child) },
];

/** Has the caller create a space and mint an invite to it; returns the invite's id. */
async function issuedInvite(a: OnezoneClient, f: Fixture): Promise<string> {
  const own = await a.user.createSpace(`own-${f.space.slice(6, 16)}`);
  await a.spaces.userInviteToken(own);
  const invites = (await a.tokens.list()).filter((t) => t.kind === 'invite');
  return invites[invites.length - 1]!.tokenId;
}

let seq = 0;
const newId = (kind: string) => `${kind}-${process.pid}-${++seq}`.padEnd(43, 'x');

/**
 * Builds a fresh fixture through the store (fast, no HTTP). `alice` owns everything with all
 * privileges; `bob` is a plain member of the space and the group, with privileges the caller sets.
 */
export async function makeFixture(z: TestZone, alice: string, bob: string, carol: string): Promise<Fixture> {
  const { store } = z.zone;
  const now = Math.floor(Date.now() / 1000);
  const space = newId('space');
  const groupSpace = newId('space');
  const targetSpace = newId('space');
  const [group, child, parent, spaceGroup, target] = ['group', 'child', 'parent', 'sgroup', 'target'].map(newId) as [string, string, string, string, string];
  await store.transaction(async (tx) => {
    for (const id of [space, groupSpace, targetSpace]) {
      await tx.spaces.insert({ id, name: id.slice(0, 12), created_at: now });
      await tx.spaces.addUser(id, alice, spacePrivileges.all);
    }
    for (const id of [group, child, parent, spaceGroup, target]) {
      await tx.groups.insert({ id, name: id.slice(0, 12), type: 'team', created_at: now });
      await tx.groups.addUser(id, alice, groupPrivileges.all);
    }
    await tx.spaces.addUser(space, bob, 0);
    await tx.spaces.addUser(space, carol, spacePrivileges.bit('space_view_data'));
    await tx.groups.addUser(group, bob, 0);
    await tx.groups.addUser(group, carol, groupPrivileges.bit('group_view_data'));
    await tx.groups.addNested(group, child, groupPrivileges.bit('group_view_data'));
    await tx.groups.addNested(parent, group, groupPrivileges.bit('group_view_data'));
    await tx.spaces.addGroup(space, spaceGroup, spacePrivileges.bit('space_view_data'));
    await tx.spaces.addGroup(groupSpace, group, spacePrivileges.bit('space_view_data'));
  });
  const { invites } = z.zone.services;
  const issuer = { type: 'user' as const, id: alice };
  const spaceInvite = await invites.mint(store, { type: InviteType.spaceInviteUser, issuer, target: { type: 'space', id: targetSpace } });
  const groupInvite = await invites.mint(store, { type: InviteType.groupInviteUser, issuer, target: { type: 'group', id: target } });
  const spaceGroupInvite = await invites.mint(store, { type: InviteType.spaceInviteGroup, issuer, target: { type: 'space', id: targetSpace } });
  const nestedInvite = await invites.mint(store, { type: InviteType.groupInviteGroup, issuer, target: { type: 'group', id: target } });
  return { space, group, child, parent, spaceGroup, groupSpace, spaceInvite, groupInvite, spaceGroupInvite, nestedInvite, carol };
}

/** Gives `bob` exactly `mask` in the fixture's space or group, or as Onezone privileges. */
export async function grant(z: TestZone, f: Fixture, bob: string, needs: Exclude<Requirement, 'self' | 'admin'>, mask: number): Promise<void> {
  const { store } = z.zone;
  if ('space' in needs) await store.spaces.setUserPrivileges(f.space, bob, mask);
  else if ('group' in needs) await store.groups.setUserPrivileges(f.group, bob, mask);
  else await store.onezone.set('user', bob, mask);
}
