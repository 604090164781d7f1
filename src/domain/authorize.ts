import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Actor } from './actor.js';
import {
  type GroupPrivilege,
  type OnezonePrivilege,
  type SpacePrivilege,
  groupPrivileges,
  onezonePrivileges,
  spacePrivileges,
} from './privileges.js';

/** The id of the predefined group whose members administer the zone. */
export const ADMINS_GROUP = 'admins';

/**
 * Whether `userId` administers the `admins` group whatever privileges they hold in it: any zone
 * administrator (an effective member) does. They could grant themselves any privilege anyway, and
 * otherwise dropping their own could leave `admins` beyond anyone's reach.
 */
export async function administersAdmins(store: Store, groupId: string, userId: string): Promise<boolean> {
  return groupId === ADMINS_GROUP && store.groups.hasEffectiveUser(ADMINS_GROUP, userId);
}

/** What a group write locks besides the group's row (see `groupWrite`). */
export interface GroupWriteLocks {
  graph?: true;
  admins?: true;
}

/**
 * Refuses, inside the transaction that removed a membership or an account, to leave the
 * `admins` group without any user: nobody could administer the zone any more (the 2016 zone
 * healed this by re-adding its administrators at their next login; a restart here re-adds
 * `admin`, see bootstrap.ts).
 */
export async function keepAnAdministrator(tx: Store): Promise<void> {
  // Callers lock the `admins` row when their transaction starts (`groupWrite`'s `admins`, or
  // `tx.groups.lock(ADMINS_GROUP)`): taken here, after their deletions, it would be taken in the opposite order to
  // a change of `admins` itself, and PostgreSQL would end one of them as a deadlock.
  if (!(await tx.groups.hasAnyUser(ADMINS_GROUP))) {
    throw new ApiError('invalidRequest', 'The zone would be left without an administrator: the admins group must keep at least one user.');
  }
}

/**
 * What a provider may do in a space it supports, on the routes open to providers (RC2: "any GET
 * except groups/token": view the space and its users, mint user invites and support tokens).
 */
const PROVIDER_IN_SPACE = spacePrivileges.toMask(['space_view_data', 'space_invite_user', 'space_add_provider']);

/**
 * Declarative authorization, one call per service method. A missing resource is 404 before
 * anything else; a caller without the privilege gets 403.
 */
export function authorizer(store: Store) {
  async function onezoneMask(actor: Actor): Promise<number> {
    return actor.kind === 'user' ? store.onezone.effectiveOfUser(actor.userId) : 0;
  }

  return {
    /** Requires `privilege` in the space, or (when given) the zone-wide `orZone` privilege. */
    async space(actor: Actor, spaceId: string, privilege: SpacePrivilege, orZone?: OnezonePrivilege): Promise<void> {
      if (!(await store.spaces.exists(spaceId))) throw new ApiError('notFound', 'Space not found.');
      if (actor.kind === 'user') {
        const mask = (await store.spaces.effectivePrivileges(spaceId, actor.userId)) ?? 0;
        if (mask & spacePrivileges.bit(privilege)) return;
      }
      if (actor.kind === 'provider' && PROVIDER_IN_SPACE & spacePrivileges.bit(privilege)) {
        if (await store.providers.supports(spaceId, actor.providerId)) return;
      }
      if (orZone && (await onezoneMask(actor)) & onezonePrivileges.bit(orZone)) return;
      throw await refusal(() => store.spaces.exists(spaceId), 'Space not found.', `This operation requires the '${privilege}' privilege in the space.`);
    },

    /**
     * Requires `privilege` among the user's effective privileges in the group (direct or through
     * nested groups; RC2 asked for direct membership, see docs/compatibility.md).
     */
    async group(actor: Actor, groupId: string, privilege: GroupPrivilege): Promise<void> {
      if (!(await store.groups.exists(groupId))) throw new ApiError('notFound', 'Group not found.');
      if (actor.kind === 'user') {
        const mask = (await store.groups.effectivePrivileges(groupId, actor.userId)) ?? 0;
        if (mask & groupPrivileges.bit(privilege)) return;
        if (await administersAdmins(store, groupId, actor.userId)) return;
      }
      throw await refusal(() => store.groups.exists(groupId), 'Group not found.', `This operation requires the '${privilege}' privilege in the group.`);
    },

    /**
     * `write` in a transaction that is authorized inside it, after locking the space's row: a
     * concurrent change of the caller's own rights in the space is then either seen or made to
     * wait. Authorized before the transaction, a member could keep privileges taken from it at
     * the same moment (its own change, allowed by what it held, committed after the demotion).
     */
    spaceWrite<T>(actor: Actor, spaceId: string, privilege: SpacePrivilege, orZone: OnezonePrivilege | undefined, write: (tx: Store) => Promise<T>): Promise<T> {
      return store.transaction(async (tx) => {
        await tx.spaces.lock(spaceId);
        await authorizer(tx).space(actor, spaceId, privilege, orZone);
        return write(tx);
      });
    },

    /**
     * As `spaceWrite`, for a write on a group authorized by a privilege in it. `locks` names what
     * else the write takes, so that every transaction takes them in one order (PostgreSQL):
     * the nesting graph (a change of nesting), the `admins` row (a removal, which ends with
     * `keepAnAdministrator`), then the group's row.
     */
    groupWrite<T>(actor: Actor, groupId: string, privilege: GroupPrivilege, locks: GroupWriteLocks, write: (tx: Store) => Promise<T>): Promise<T> {
      return store.transaction(async (tx) => {
        if (locks.graph) await tx.groups.lockGraph();
        if (locks.admins) await tx.groups.lock(ADMINS_GROUP);
        await tx.groups.lock(groupId);
        await authorizer(tx).group(actor, groupId, privilege);
        return write(tx);
      });
    },

    async zone(actor: Actor, privilege: OnezonePrivilege): Promise<void> {
      if ((await onezoneMask(actor)) & onezonePrivileges.bit(privilege)) return;
      throw new ApiError('forbidden', `This operation requires the '${privilege}' Onezone privilege.`);
    },

    /** Zone administrators: effective members of the `admins` group. */
    async admin(actor: Actor): Promise<void> {
      if (actor.kind === 'user' && (await store.groups.hasEffectiveUser(ADMINS_GROUP, actor.userId))) return;
      throw new ApiError('forbidden', 'This operation is for zone administrators only.');
    },
  };
}

/**
 * 403, unless the space or group was deleted since it was found (its privileges are read by
 * another statement, which then finds none): that is still a 404.
 */
async function refusal(exists: () => Promise<boolean>, notFound: string, forbidden: string): Promise<ApiError> {
  return (await exists()) ? new ApiError('forbidden', forbidden) : new ApiError('notFound', notFound);
}

export type Authorizer = ReturnType<typeof authorizer>;
