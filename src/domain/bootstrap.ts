import { randomBytes } from 'node:crypto';
import type { Store } from '../store/index.js';
import { ADMINS_GROUP } from './authorize.js';
import { ZONE, auditor } from './audit.js';
import type { Deps } from './deps.js';
import { ConfigError } from '../config.js';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.js';
import { groupPrivileges, onezonePrivileges } from './privileges.js';

/**
 * First start: the `admins` group holding every Onezone privilege, and the `admin` user in it.
 * Later starts create `admin` again only for a zone left without administrators (no user in
 * `admins`): an `admin` deleted by the administrators stays deleted, its old password with it.
 * Returns the admin password when it was generated here (to be shown once), and the password
 * hash of an `admin` that existed already (the given password is not applied to it).
 */
export async function bootstrap(
  { store, clock, ids }: Pick<Deps, 'store' | 'clock' | 'ids'>,
  adminPassword: string | undefined,
  passwordCost?: number,
): Promise<{ generatedPassword: string | undefined; existingAdminHash?: string }> {
  const audit = auditor({ clock });
  // The password is hashed before the transaction when `admin` may be created: a KDF inside it
  // would hold its locks (on PostgreSQL, past idle_in_transaction_session_timeout at high costs).
  const mayCreate = !(await store.users.byLogin('admin')) && !(await store.groups.hasAnyUser(ADMINS_GROUP));
  if (mayCreate) usable(adminPassword);
  const password = mayCreate ? (adminPassword ?? randomBytes(18).toString('base64url')) : undefined;
  const prepared = password === undefined ? undefined : await hashPassword(password, passwordCost);
  return store.transaction(async (tx: Store) => {
    const firstStart = !(await tx.groups.byId(ADMINS_GROUP));
    if (firstStart) {
      await tx.groups.insert({ id: ADMINS_GROUP, name: 'admins', type: 'role', created_at: clock() });
      await tx.onezone.set('group', ADMINS_GROUP, onezonePrivileges.all);
      await audit(tx, ZONE, 'group.create', { target: ['group', ADMINS_GROUP], details: { name: 'admins', type: 'role' } });
      const privileges = onezonePrivileges.toNames(onezonePrivileges.all);
      await audit(tx, ZONE, 'onezone.privileges.set', { target: ['group', ADMINS_GROUP], details: { privileges } });
    }
    const existing = await tx.users.byLogin('admin');
    if (existing) {
      // The zone kept no administrator (the refusals of authorize.ts `keepAnAdministrator` make
      // that rare): `admin` is one again, as the 2016 zone re-added its administrators.
      if (!(await tx.groups.hasAnyUser(ADMINS_GROUP))) {
        await tx.groups.addUser(ADMINS_GROUP, existing.id, groupPrivileges.all);
        await audit(tx, ZONE, 'group.user.add', { target: ['group', ADMINS_GROUP], subject: ['user', existing.id], details: { privileges: groupPrivileges.toNames(groupPrivileges.all) } });
      }
      return { generatedPassword: undefined, existingAdminHash: existing.password_hash ?? undefined };
    }
    if (!firstStart && (await tx.groups.hasAnyUser(ADMINS_GROUP))) return { generatedPassword: undefined };
    // Another process changed the zone since the check above (PostgreSQL): hashed here after all.
    const created = password ?? usable(adminPassword) ?? randomBytes(18).toString('base64url');
    const id = ids();
    await tx.users.insert({
      id,
      login: 'admin',
      name: 'admin',
      password_hash: prepared ?? (await hashPassword(created, passwordCost)),
      alias: '',
      email_list: '[]',
      default_space_id: null,
      created_at: clock(),
    });
    await tx.groups.addUser(ADMINS_GROUP, id, groupPrivileges.all);
    await audit(tx, ZONE, 'user.create', { target: ['user', id], details: { login: 'admin' } });
    await audit(tx, ZONE, 'group.user.add', { target: ['group', ADMINS_GROUP], subject: ['user', id], details: { privileges: groupPrivileges.toNames(groupPrivileges.all) } });
    return { generatedPassword: adminPassword === undefined ? created : undefined };
  });
}

/**
 * The admin password from the environment, held to the rule every account's is. Checked only
 * when `admin` is to be created with it: a zone started before the rule keeps starting.
 */
function usable(adminPassword: string | undefined): string | undefined {
  if (adminPassword !== undefined && adminPassword.length < MIN_PASSWORD_LENGTH) {
    throw new ConfigError(`ONEZONE_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return adminPassword;
}
