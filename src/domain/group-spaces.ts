import { ApiError } from '../errors.js';
import type { SpaceRow } from '../store/spaces.js';
import type { Actor, UserActor } from './actor.js';
import { auditor } from './audit.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { type InviteService, InviteType } from './invites.js';
import { SPACE_MEMBER_DEFAULT, spacePrivileges } from './privileges.js';
import { groupNotDirect } from './space-members.js';
import { assertIssuerMayInvite, clearDefaultsOfGroup, joinDetails } from './spaces.js';

/** A group's spaces, as managed through `/groups/{id}/spaces…`. */
export function groupSpaceService({ store, clock, ids }: Deps, authorize: Authorizer, invites: InviteService) {
  const audit = auditor({ clock });
  return {
    /** The spaces the group is a direct member of. */
    async list(actor: Actor, groupId: string): Promise<string[]> {
      await authorize.group(actor, groupId, 'group_view_data');
      return store.spaces.ofGroup(groupId);
    },

    async get(actor: Actor, groupId: string, spaceId: string): Promise<SpaceRow> {
      await authorize.group(actor, groupId, 'group_view_data');
      const space = await store.spaces.byId(spaceId);
      if (!space || (await store.spaces.groupPrivileges(spaceId, groupId)) === undefined) throw await groupNotDirect(store, spaceId, groupId);
      return space;
    },

    /** `POST /groups/{id}/spaces`: the group (not the caller) becomes the member, with every space privilege. */
    async create(actor: UserActor, groupId: string, name: string): Promise<string> {
      const id = ids();
      await authorize.groupWrite(actor, groupId, 'group_create_space', {}, async (tx) => {
        await tx.spaces.insert({ id, name, created_at: clock() });
        await tx.spaces.addGroup(id, groupId, spacePrivileges.all);
        await audit(tx, actor, 'space.create', { target: ['space', id], subject: ['group', groupId], details: { name } });
      });
      return id;
    },

    /**
     * `POST /groups/{id}/spaces/join`, the join pattern of `spaces.join` with a
     * `space_invite_group_token`: one transaction, authorized inside it, issuer re-checked, a
     * use counted only when the group was not a member yet.
     */
    async join(actor: UserActor, groupId: string, token: string): Promise<string> {
      return invites.counted(authorize.groupWrite(actor, groupId, 'group_join_space', {}, async (tx) => {
        const invite = await invites.open(tx, token, InviteType.spaceInviteGroup);
        const spaceId = invite.target_id!;
        if (!(await tx.spaces.exists(spaceId))) throw new ApiError('invalidToken');
        await assertIssuerMayInvite(tx, invite, spaceId, 'space_invite_group');
        const privileges = invite.privileges ?? SPACE_MEMBER_DEFAULT;
        const added = await tx.spaces.addGroup(spaceId, groupId, privileges);
        if (added) {
          await audit(tx, actor, 'space.group.join', { target: ['space', spaceId], subject: ['group', groupId], details: joinDetails(invite, privileges) });
          await invites.countUse(tx, invite);
        }
        return { id: spaceId, added };
      }));
    },

    /** `GET /groups/{id}/spaces/token`: a space-creation token naming the group, for a provider. */
    async createToken(actor: UserActor, groupId: string): Promise<string> {
      await authorize.group(actor, groupId, 'group_create_space_token');
      return invites.mint(store, {
        type: InviteType.spaceCreate,
        issuer: { type: 'user', id: actor.userId },
        target: { type: 'group', id: groupId },
      });
    },

    /**
     * `DELETE /groups/{id}/spaces/{sid}`; the space stays, even when this was its last member.
     * Users who reached it only through the group lose it as their default space.
     */
    async leave(actor: Actor, groupId: string, spaceId: string): Promise<void> {
      await authorize.groupWrite(actor, groupId, 'group_leave_space', {}, async (tx) => {
        // The space's row next (group, then space, then users, as every writer takes them): a
        // deletion of the space takes it before the users' rows and the memberships, and two
        // groups leaving at once see each other's leave when they clear the users' defaults.
        await tx.spaces.lock(spaceId);
        if (!(await tx.spaces.removeGroup(spaceId, groupId))) throw await groupNotDirect(tx, spaceId, groupId);
        await clearDefaultsOfGroup(tx, groupId, spaceId);
        await audit(tx, actor, 'space.group.leave', { target: ['space', spaceId], subject: ['group', groupId] });
      });
    },
  };
}

export type GroupSpaceService = ReturnType<typeof groupSpaceService>;
