import { ApiError, invalidField } from '../errors.js';
import type { SpaceRow } from '../store/spaces.js';
import type { Actor, UserActor } from './actor.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { type InviteService, InviteType } from './invites.js';
import { SPACE_MEMBER_DEFAULT, spacePrivileges } from './privileges.js';

export interface InviteOptions {
  usageLimit?: number | null;
  ttl?: number;
  privileges?: number | null;
}

export function spaceService({ store, clock, ids }: Deps, authorize: Authorizer, invites: InviteService) {
  const mustExist = async (spaceId: string): Promise<SpaceRow> => {
    const space = await store.spaces.byId(spaceId);
    if (!space) throw new ApiError('notFound', 'Space not found.');
    return space;
  };

  return {
    /** The creator gets every space privilege. */
    async create(actor: UserActor, name: string): Promise<string> {
      const id = ids();
      await store.transaction(async (tx) => {
        await tx.spaces.insert({ id, name, created_at: clock() });
        await tx.spaces.addUser(id, actor.userId, spacePrivileges.all);
      });
      return id;
    },

    /** `GET /spaces/{id}`: members with space_view_data, or holders of list_spaces. */
    async get(actor: Actor, spaceId: string): Promise<SpaceRow> {
      await authorize.space(actor, spaceId, 'space_view_data', 'list_spaces');
      return mustExist(spaceId);
    },

    /** `GET /user/spaces/{sid}`: any effective member; others see 404. */
    async getOfUser(actor: UserActor, spaceId: string): Promise<SpaceRow> {
      const space = await store.spaces.byId(spaceId);
      if (!space || (await store.spaces.effectivePrivileges(spaceId, actor.userId)) === undefined) {
        throw new ApiError('notFound', 'You are not a member of this space.');
      }
      return space;
    },

    async listOfUser(actor: UserActor): Promise<{ spaces: string[]; defaultSpace: string | undefined }> {
      const [spaces, user] = await Promise.all([store.spaces.ofUser(actor.userId), store.users.byId(actor.userId)]);
      const stored = user?.default_space_id ?? undefined;
      return { spaces, defaultSpace: stored !== undefined && spaces.includes(stored) ? stored : undefined };
    },

    /** The default space, unless the user has left it since (then none, as the 2016 server said). */
    async defaultOf(actor: UserActor): Promise<string | undefined> {
      const user = await store.users.byId(actor.userId);
      const stored = user?.default_space_id;
      if (!stored) return undefined;
      return (await store.spaces.effectivePrivileges(stored, actor.userId)) === undefined ? undefined : stored;
    },

    async setDefault(actor: UserActor, spaceId: string): Promise<void> {
      if ((await store.spaces.effectivePrivileges(spaceId, actor.userId)) === undefined) {
        throw invalidField('spaceId', 'not a space you belong to');
      }
      await store.users.update(actor.userId, { default_space_id: spaceId });
    },

    /** `DELETE /user/spaces/{sid}`: leaves a space the user belongs to directly. */
    async leave(actor: UserActor, spaceId: string): Promise<void> {
      await store.transaction(async (tx) => {
        if (!(await tx.spaces.removeUser(spaceId, actor.userId))) {
          const viaGroup = (await tx.spaces.effectivePrivileges(spaceId, actor.userId)) !== undefined;
          throw viaGroup
            ? new ApiError('invalidRequest', 'You belong to this space through a group; leave the group instead.')
            : new ApiError('notFound', 'You are not a member of this space.');
        }
        const user = await tx.users.byId(actor.userId);
        if (user?.default_space_id === spaceId && (await tx.spaces.effectivePrivileges(spaceId, actor.userId)) === undefined) {
          await tx.users.update(actor.userId, { default_space_id: null });
        }
      });
    },

    async users(actor: Actor, spaceId: string): Promise<string[]> {
      await authorize.space(actor, spaceId, 'space_view_data');
      return store.spaces.users(spaceId);
    },

    /** Mints a user invite. RC2's GET is single use; the POST extension may set limit, lifetime, privileges. */
    async inviteUser(actor: UserActor, spaceId: string, opts: InviteOptions = {}): Promise<string> {
      await authorize.space(actor, spaceId, 'space_invite_user');
      if (opts.privileges != null && opts.privileges !== SPACE_MEMBER_DEFAULT) {
        // Handing out more than the default is setting privileges, so it needs that right too.
        await authorize.space(actor, spaceId, 'space_set_privileges');
      }
      return invites.mint(store, {
        type: InviteType.spaceInviteUser,
        issuer: { type: 'user', id: actor.userId },
        target: { type: 'space', id: spaceId },
        ...opts,
      });
    },

    /**
     * `POST /user/spaces/join`. One transaction: prove the token, re-check that its issuer may
     * still invite, add the membership, count the use. A direct member already gets the same
     * answer and the token keeps its use.
     */
    async join(actor: UserActor, token: string): Promise<string> {
      return store.transaction(async (tx) => {
        const invite = await invites.open(tx, token, InviteType.spaceInviteUser);
        const spaceId = invite.target_id!;
        if (!(await tx.spaces.exists(spaceId))) throw new ApiError('invalidToken');
        await assertIssuerMayInvite(tx, invite.issuer_type, invite.issuer_id, spaceId, invite.privileges);
        const added = await tx.spaces.addUser(spaceId, actor.userId, invite.privileges ?? SPACE_MEMBER_DEFAULT);
        if (added) await invites.countUse(tx, invite);
        return spaceId;
      });
    },
  };
}

async function assertIssuerMayInvite(
  tx: Deps['store'],
  issuerType: string,
  issuerId: string,
  spaceId: string,
  carried: number | null,
): Promise<void> {
  const mask = issuerType === 'user' ? ((await tx.spaces.effectivePrivileges(spaceId, issuerId)) ?? 0) : 0;
  let needed = spacePrivileges.bit('space_invite_user');
  if (carried !== null && carried !== SPACE_MEMBER_DEFAULT) needed |= spacePrivileges.bit('space_set_privileges');
  if ((mask & needed) !== needed) {
    throw new ApiError('invalidToken', 'The issuer of this token may no longer invite users to this space.');
  }
}

export type SpaceService = ReturnType<typeof spaceService>;
