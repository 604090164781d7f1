import { ApiError, invalidField } from '../errors.js';
import { violatedConstraint } from '../store/dialect.js';
import type { UserRow } from '../store/users.js';
import { accountGone, type Account, type UserActor } from './actor.js';
import { auditor } from './audit.js';
import { ADMINS_GROUP, type Authorizer, keepAnAdministrator } from './authorize.js';
import type { Deps } from './deps.js';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.js';

export interface NewUser {
  login: string;
  password: string;
  name: string;
}

export interface UserPatch {
  name?: string;
  alias?: string;
  emailList?: string[];
}

const LOGIN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function userService({ store, clock, ids, config }: Deps, authorize: Authorizer) {
  const audit = auditor({ clock });
  const current = async (actor: UserActor): Promise<UserRow> => {
    const user = await store.users.byId(actor.userId);
    // The credentials were valid a moment ago; the account was deleted since.
    if (!user) throw accountGone();
    return user;
  };

  return {
    /** Admin extension `POST /users`. */
    async create(actor: UserActor, input: NewUser): Promise<UserRow> {
      await authorize.admin(actor);
      if (!LOGIN.test(input.login)) {
        throw invalidField('login', 'use 1-64 letters, digits, and . _ @ - (starting with a letter or digit)');
      }
      if (input.password.length < MIN_PASSWORD_LENGTH) throw invalidField('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
      const row: UserRow = {
        id: ids(),
        login: input.login,
        name: input.name,
        password_hash: await hashPassword(input.password, config.passwordCost),
        alias: '',
        email_list: '[]',
        default_space_id: null,
        created_at: clock(),
      };
      try {
        await store.transaction(async (tx) => {
          await tx.users.insert(row);
          await audit(tx, actor, 'user.create', { target: ['user', row.id], details: { login: row.login } });
        });
      } catch (err) {
        if (violatedConstraint(err) === 'users_login_unique') {
          throw new ApiError('conflict', `A user with login '${input.login}' already exists.`);
        }
        throw err;
      }
      return row;
    },

    /** Admin extension `GET /users/{id}` (where `POST /users` points): any account, for zone administrators. */
    async byId(actor: UserActor, userId: string): Promise<UserRow> {
      // A missing entity is 404 before a missing privilege is 403 (docs/security.md).
      const user = await store.users.byId(userId);
      if (!user) throw new ApiError('notFound', 'User not found.');
      await authorize.admin(actor);
      return user;
    },

    /** The caller's account, as authentication read it in this request when it did. */
    async get(actor: UserActor): Promise<Account> {
      return actor.account ?? current(actor);
    },

    async modify(actor: UserActor, patch: UserPatch): Promise<void> {
      await current(actor);
      const set: Partial<UserRow> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.alias !== undefined) set.alias = patch.alias;
      if (patch.emailList !== undefined) set.email_list = JSON.stringify(patch.emailList);
      const fields = (['name', 'alias', 'emailList'] as const).filter((k) => patch[k] !== undefined);
      if (fields.length === 0) throw new ApiError('invalidRequest', "missing required key: 'name', 'alias' or 'emailList'");
      await store.transaction(async (tx) => {
        if (!(await tx.users.update(actor.userId, set))) throw accountGone();
        await audit(tx, actor, 'user.update', { target: ['user', actor.userId], details: { fields } });
      });
    },

    /** Deletes the account, its memberships (cascade) and every token it issued. */
    async remove(actor: UserActor): Promise<void> {
      await store.transaction(async (tx) => {
        // The `admins` row first, as every change that may empty `admins` takes it (authorize.ts
        // `groupWrite`). Then the user's row: on PostgreSQL its lock makes a join or an access
        // token mint of this user that is under way finish first (their reads of the row hold
        // it), so the deletes below see what they added; tokens first would wait on a join that
        // waits on its invite's row.
        await tx.groups.lock(ADMINS_GROUP);
        if (!(await tx.users.delete(actor.userId))) throw accountGone();
        await tx.tokens.deleteByIssuer('user', actor.userId);
        await tx.tokens.deleteByTarget('user', actor.userId);
        await tx.onezone.remove('user', actor.userId);
        await keepAnAdministrator(tx);
        await audit(tx, actor, 'user.delete', { target: ['user', actor.userId], details: { login: actor.login } });
      });
    },
  };
}

export type UserService = ReturnType<typeof userService>;
