import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Actor } from './actor.js';
import { auditor } from './audit.js';
import { ADMINS_GROUP, type Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { type OnezonePrivilege, onezonePrivileges } from './privileges.js';

export type Subject = 'user' | 'group';

/**
 * Zone-wide privileges held directly by a user or a group (`/privileges…`). A group's privileges
 * reach every effective member of it; reading needs `view_privileges`, changing `set_privileges`.
 */
export function onezonePrivilegeService({ store, clock }: Deps, authorize: Authorizer) {
  const audit = auditor({ clock });
  // Inside a transaction the row is held: a deletion under way finishes first (and the write
  // then finds nothing), or waits for the commit (and removes what it wrote).
  const mustExist = async (s: Store, subject: Subject, id: string): Promise<void> => {
    const found = subject === 'user' ? await s.users.hold(id) : await s.groups.hold(id);
    if (!found) throw new ApiError('notFound', subject === 'user' ? 'User not found.' : 'Group not found.');
  };

  /** The admins group keeps `set_privileges`: without it, nobody might be able to grant any privilege again. */
  const keepAdminsPrivileges = (subject: Subject, id: string, mask: number): void => {
    if (subject === 'group' && id === ADMINS_GROUP && !(mask & onezonePrivileges.bit('set_privileges'))) {
      throw new ApiError('invalidRequest', "The admins group must keep the 'set_privileges' privilege.");
    }
  };

  return {
    async get(actor: Actor, subject: Subject, id: string): Promise<OnezonePrivilege[]> {
      await mustExist(store, subject, id);
      await authorize.zone(actor, 'view_privileges');
      return onezonePrivileges.toNames(await store.onezone.get(subject, id));
    },

    /** Replaces the whole list. */
    async set(actor: Actor, subject: Subject, id: string, privileges: readonly OnezonePrivilege[]): Promise<void> {
      await mustExist(store, subject, id);
      await authorize.zone(actor, 'set_privileges');
      // Held with the write, so a subject deleted meanwhile leaves no orphan row.
      const mask = onezonePrivileges.toMask(privileges);
      keepAdminsPrivileges(subject, id, mask);
      await store.transaction(async (tx) => {
        await mustExist(tx, subject, id);
        await tx.onezone.set(subject, id, mask);
        await audit(tx, actor, 'onezone.privileges.set', { target: [subject, id], details: { privileges: onezonePrivileges.toNames(mask) } });
      });
    },

    async remove(actor: Actor, subject: Subject, id: string): Promise<void> {
      await mustExist(store, subject, id);
      await authorize.zone(actor, 'set_privileges');
      keepAdminsPrivileges(subject, id, 0);
      await store.transaction(async (tx) => {
        // Nothing to remove is a no-op, and no-ops are not recorded (docs/audit.md).
        if (await tx.onezone.remove(subject, id)) await audit(tx, actor, 'onezone.privileges.remove', { target: [subject, id] });
      });
    },
  };
}

export type OnezonePrivilegeService = ReturnType<typeof onezonePrivilegeService>;
