import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Actor } from './actor.js';
import {
  type OnezonePrivilege,
  type SpacePrivilege,
  onezonePrivileges,
  spacePrivileges,
} from './privileges.js';

/** The id of the predefined group whose members administer the zone. */
export const ADMINS_GROUP = 'admins';

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
      if (orZone && (await onezoneMask(actor)) & onezonePrivileges.bit(orZone)) return;
      throw new ApiError('forbidden', `This operation requires the '${privilege}' privilege in the space.`);
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

export type Authorizer = ReturnType<typeof authorizer>;
