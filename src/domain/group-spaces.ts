import { ApiError } from '../errors.js';
import type { SpaceRow } from '../store/spaces.js';
import type { Actor, UserActor } from './actor.js';
import { auditor } from './audit.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { type InviteService, InviteType } from './invites.js';
import { SPACE_MEMBER_DEFAULT, spacePrivileges } from './privileges.js';
import { assertIssuerMayInvite, joinDetails } from './spaces.js';

const notMember = () => new ApiError('notFound', 'The group is not a member of this space.');

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
      if (!space || (await store.spaces.groupPrivileges(spaceId, groupId)) === undefined) throw notMember();
      return space;
    },

    /** `POST /groups/{id}/spaces`: the group (not the caller) becomes the member, with every space privilege. */
    async create(actor: UserActor, groupId: string, name: string): Promise<string> {
      await authorize.group(actor, groupId, 'group_create_space');
      const id = ids();
      await store.transaction(async (tx) => {
        if (!(await tx.groups.exists(groupId))) throw new ApiError('notFound', 'Group not found.');
        await tx.spaces.insert({ id, name, created_at: clock() });
        await tx.spaces.addGroup(id, groupId, spacePrivileges.all);
        await audit(tx, actor, 'space.create', { target: ['space', id], subject: ['group', groupId], details: { name } });
      });
      return id;
    },

    /**
     * `POST /groups/{id}/spaces/join`, the join pattern of `spaces.join` with a
     * `space_invite_group_token`: one transaction, issuer re-checked, a use counted only when
     * the group was not a member yet.
     */
    async join(actor: UserActor, groupId: string, token: string): Promise<string> {
      await authorize.group(actor, groupId, 'group_join_space');
      return invites.counted(store.transaction(async (tx) => {
        const invite = await invites.open(tx, token, InviteType.spaceInviteGroup);
        const spaceId = invite.target_id!;
        if (!(await tx.spaces.exists(spaceId))) throw new ApiError('invalidToken');
        if (!(await tx.groups.exists(groupId))) throw new ApiError('notFound', 'Group not found.');
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

    /** `DELETE /groups/{id}/spaces/{sid}`; the space stays, even when this was its last member. */
    async leave(actor: Actor, groupId: string, spaceId: string): Promise<void> {
      await authorize.group(actor, groupId, 'group_leave_space');
      await store.transaction(async (tx) => {
        if (!(await tx.spaces.removeGroup(spaceId, groupId))) throw notMember();
        await audit(tx, actor, 'space.group.leave', { target: ['space', spaceId], subject: ['group', groupId] });
      });
    },
  };
}

export type GroupSpaceService = ReturnType<typeof groupSpaceService>;
