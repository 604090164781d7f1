import { ApiError, invalidField } from '../errors.js';
import type { Store } from '../store/index.js';
import { listHas } from '../store/answers.js';
import type { SpaceRow } from '../store/spaces.js';
import type { TokenRow } from '../store/tokens.js';
import { accountGone, type Actor, type UserActor } from './actor.js';
import { auditor } from './audit.js';
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
  const audit = auditor({ clock });
  const mustExist = async (spaceId: string): Promise<SpaceRow> => {
    const space = await store.spaces.byId(spaceId);
    if (!space) throw new ApiError('notFound', 'Space not found.');
    return space;
  };

  const invite = async (
    actor: UserActor,
    spaceId: string,
    privilege: 'space_invite_user' | 'space_invite_group',
    opts: InviteOptions,
  ): Promise<string> => {
    await authorize.space(actor, spaceId, privilege);
    if (opts.privileges != null && opts.privileges !== SPACE_MEMBER_DEFAULT) {
      // Handing out more than the default is setting privileges, so it needs that right too.
      await authorize.space(actor, spaceId, 'space_set_privileges');
    }
    return invites.mint(store, {
      type: privilege === 'space_invite_user' ? InviteType.spaceInviteUser : InviteType.spaceInviteGroup,
      issuer: { type: 'user', id: actor.userId },
      target: { type: 'space', id: spaceId },
      ...opts,
    });
  };

  /**
   * A default space the user no longer reaches, found by a read: cleared, as the 2016 server did,
   * so that it stays none when the space is reached again (through a group rejoining it, say)
   * until the user sets one. Checked again in the transaction, which answers what it leaves.
   */
  const resetDefault = (userId: string): Promise<string | undefined> => store.transaction((tx) => reachableDefault(tx, userId));

  return {
    /** The creator gets every space privilege. */
    async create(actor: UserActor, name: string): Promise<string> {
      const id = ids();
      await store.transaction(async (tx) => {
        await tx.spaces.insert({ id, name, created_at: clock() });
        await tx.spaces.addUser(id, actor.userId, spacePrivileges.all);
        await audit(tx, actor, 'space.create', { target: ['space', id], details: { name } });
      });
      return id;
    },

    /** `GET /spaces`: every space in the zone, for holders of the Onezone `list_spaces`. */
    async list(actor: Actor): Promise<string[]> {
      await authorize.zone(actor, 'list_spaces');
      return store.spaces.list();
    },

    /** `PATCH /spaces/{id}`: one name for everyone (no per-user aliases). */
    async rename(actor: Actor, spaceId: string, name: string): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_change_data', undefined, async (tx) => {
        await tx.spaces.rename(spaceId, name);
        await audit(tx, actor, 'space.rename', { target: ['space', spaceId], details: { name } });
      });
    },

    /**
     * `DELETE /spaces/{id}`: memberships go by cascade, defaults pointing here are cleared by the
     * foreign key, and invites to the space die with it, all at once. The space's row goes first
     * (`spaceWrite` locks it): a join locks it (its membership's foreign key) before its invite's
     * row, so taking the two in the same order makes them wait for each other, not deadlock on
     * PostgreSQL.
     */
    async remove(actor: Actor, spaceId: string): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_remove', undefined, async (tx) => {
        await tx.spaces.delete(spaceId);
        await tx.tokens.deleteByTarget('space', spaceId);
        await audit(tx, actor, 'space.delete', { target: ['space', spaceId] });
      });
    },

    /**
     * `GET /user/spaces/token`: a space-creation token naming the user, to hand to a provider
     * that creates (and supports) a space for them later.
     */
    createToken(actor: UserActor): Promise<string> {
      return invites.mint(store, {
        type: InviteType.spaceCreate,
        issuer: { type: 'user', id: actor.userId },
        target: { type: 'user', id: actor.userId },
      });
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

    async listOfUser(actor: UserActor): Promise<{ spaces: readonly string[]; defaultSpace: string | undefined }> {
      const [spaces, user] = await Promise.all([store.spaces.ofUser(actor.userId), actor.account ?? store.users.byId(actor.userId)]);
      const stored = user?.default_space_id ?? undefined;
      if (stored === undefined || listHas(spaces, stored)) return { spaces, defaultSpace: stored };
      return { spaces, defaultSpace: await resetDefault(actor.userId) };
    },

    /** The default space, unless the user no longer reaches it (then none, as the 2016 server said). */
    async defaultOf(actor: UserActor): Promise<string | undefined> {
      const user = actor.account ?? (await store.users.byId(actor.userId));
      const stored = user?.default_space_id ?? undefined;
      if (stored === undefined || (await store.spaces.effectivePrivileges(stored, actor.userId)) !== undefined) return stored;
      return resetDefault(actor.userId);
    },

    async setDefault(actor: UserActor, spaceId: string): Promise<void> {
      if ((await store.spaces.effectivePrivileges(spaceId, actor.userId)) === undefined) {
        throw invalidField('spaceId', 'not a space you belong to');
      }
      await store.transaction(async (tx) => {
        if (!(await tx.users.update(actor.userId, { default_space_id: spaceId }))) throw accountGone();
        await audit(tx, actor, 'user.default_space', { target: ['user', actor.userId], subject: ['space', spaceId] });
      });
    },

    /** `DELETE /user/spaces/{sid}`: leaves a space the user belongs to directly. */
    async leave(actor: UserActor, spaceId: string): Promise<void> {
      await store.transaction(async (tx) => {
        // The user's row before the membership, as the account's deletion takes them (its
        // cascade), since clearing the default space writes the row after (clearDefaultIfGone).
        if (!(await tx.users.hold(actor.userId))) throw accountGone();
        if (!(await tx.spaces.removeUser(spaceId, actor.userId))) {
          const viaGroup = (await tx.spaces.effectivePrivileges(spaceId, actor.userId)) !== undefined;
          throw viaGroup
            ? new ApiError('invalidRequest', 'You belong to this space through a group; leave the group instead.')
            : new ApiError('notFound', 'You are not a member of this space.');
        }
        await clearDefaultIfGone(tx, actor.userId, spaceId);
        await audit(tx, actor, 'space.user.leave', { target: ['space', spaceId], subject: ['user', actor.userId] });
      });
    },

    /** Mints a user invite. RC2's GET is single use; the POST extension may set limit, lifetime, privileges. */
    inviteUser(actor: UserActor, spaceId: string, opts: InviteOptions = {}): Promise<string> {
      return invite(actor, spaceId, 'space_invite_user', opts);
    },

    /** Mints a group invite (`space_invite_group_token`), used by `POST /groups/{id}/spaces/join`. */
    inviteGroup(actor: UserActor, spaceId: string, opts: InviteOptions = {}): Promise<string> {
      return invite(actor, spaceId, 'space_invite_group', opts);
    },

    /**
     * `POST /user/spaces/join`. One transaction: prove the token, re-check that its issuer may
     * still invite, add the membership, count the use. A direct member already gets the same
     * answer and the token keeps its use.
     */
    async join(actor: UserActor, token: string): Promise<string> {
      return invites.counted(store.transaction(async (tx) => {
        const invite = await invites.open(tx, token, InviteType.spaceInviteUser);
        const spaceId = invite.target_id!;
        if (!(await tx.spaces.exists(spaceId))) throw new ApiError('invalidToken');
        await assertIssuerMayInvite(tx, invite, spaceId, 'space_invite_user');
        const privileges = invite.privileges ?? SPACE_MEMBER_DEFAULT;
        const added = await tx.spaces.addUser(spaceId, actor.userId, privileges);
        if (added) {
          await audit(tx, actor, 'space.user.join', { target: ['space', spaceId], subject: ['user', actor.userId], details: joinDetails(invite, privileges) });
          await invites.countUse(tx, invite);
        }
        return { id: spaceId, added };
      }));
    },
  };
}

/**
 * The issuer of an invite must still hold the inviting privilege at join time, and
 * `space_set_privileges` as well when the invite hands out more than the default.
 */
export async function assertIssuerMayInvite(
  tx: Store,
  invite: TokenRow,
  spaceId: string,
  privilege: 'space_invite_user' | 'space_invite_group',
): Promise<void> {
  let needed = spacePrivileges.bit(privilege);
  if (invite.privileges !== null && invite.privileges !== SPACE_MEMBER_DEFAULT) needed |= spacePrivileges.bit('space_set_privileges');
  if (invite.issuer_type !== 'user' || !(await holds(tx, spaceId, invite.issuer_id, needed))) {
    const whom = privilege === 'space_invite_user' ? 'users' : 'groups';
    throw new ApiError('invalidToken', `The issuer of this token may no longer invite ${whom} to this space.`);
  }
}

/**
 * Whether the user holds every privilege of `needed` in the space. Its own privileges are read
 * first (one row; the creator of a space holds them all), its groups' only when those fall short.
 */
async function holds(tx: Store, spaceId: string, userId: string, needed: number): Promise<boolean> {
  if ((((await tx.spaces.userPrivileges(spaceId, userId)) ?? 0) & needed) === needed) return true;
  return (((await tx.spaces.effectivePrivileges(spaceId, userId)) ?? 0) & needed) === needed;
}

/** What a join's event records: the invite's id (never its text) and the privileges it gave. */
export const joinDetails = (invite: TokenRow, privileges: number) => ({ tokenId: invite.id, privileges: spacePrivileges.toNames(privileges) });

/**
 * A user who no longer reaches a space stops having it as the default. Callers hold the user's
 * row (`users.hold`) before they remove the membership: on PostgreSQL the account's deletion
 * takes the row, then the memberships.
 */
export async function clearDefaultIfGone(tx: Store, userId: string, spaceId: string): Promise<void> {
  const user = await tx.users.byId(userId);
  if (user?.default_space_id === spaceId && (await tx.spaces.effectivePrivileges(spaceId, userId)) === undefined) {
    await tx.users.clearDefault(userId, spaceId);
  }
}

/**
 * When a group leaves a space, its users who reach the space no more stop having it as the
 * default. Taken after the space's or the group's row, as the lock order wants the users' last.
 */
export async function clearDefaultsOfGroup(tx: Store, groupId: string, spaceId: string): Promise<void> {
  // Few users have this space as their default; a group may have many users.
  const holders = await tx.users.withDefault(spaceId);
  if (holders.length === 0) return;
  const members = new Set(await tx.groups.effectiveUsers(groupId));
  for (const userId of holders) if (members.has(userId)) await clearDefaultIfGone(tx, userId, spaceId);
}

/** The user's default space if the user still reaches it; otherwise none, saved. */
async function reachableDefault(tx: Store, userId: string): Promise<string | undefined> {
  const stored = (await tx.users.byId(userId))?.default_space_id ?? undefined;
  if (stored === undefined || (await tx.spaces.effectivePrivileges(stored, userId)) !== undefined) return stored;
  // Conditional: a default the user set meanwhile (PostgreSQL) is theirs to keep, and the answer.
  if (await tx.users.clearDefault(userId, stored)) return undefined;
  return (await tx.users.byId(userId))?.default_space_id ?? undefined;
}

export type SpaceService = ReturnType<typeof spaceService>;
