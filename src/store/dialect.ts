/**
 * The few places where SQLite and PostgreSQL differ, kept together.
 */

/**
 * Names the violated unique or primary-key constraint, for both drivers, or undefined when
 * the error is something else. SQLite reports columns ("UNIQUE constraint failed: users.login"),
 * PostgreSQL the constraint name; both map to our constraint names.
 */
export function violatedConstraint(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505' || e.code === '23503' || e.code === '23514') return e.constraint;
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
    const columns = /constraint failed: (.+)$/.exec(e.message ?? '')?.[1];
    return columns ? (sqliteConstraints[columns] ?? columns) : e.code;
  }
  return undefined;
}

const sqliteConstraints: Record<string, string> = {
  'users.login': 'users_login_unique',
  'users.id': 'users_pkey',
  'groups.id': 'groups_pkey',
  'spaces.id': 'spaces_pkey',
  'tokens.id': 'tokens_pkey',
};

/**
 * PostgreSQL text cannot hold a NUL character (SQLite's can): a value containing one fails with
 * 22021 before any row is looked at. True for that error, so it can be answered as bad input.
 */
export function isUnstorableText(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '22021';
}

/**
 * A foreign key naming a row that is gone: PostgreSQL 23503, SQLite SQLITE_CONSTRAINT_FOREIGNKEY.
 * Checks made first cannot rule it out: the row may be deleted between the check and the write.
 */
export function isMissingReference(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
