import type { Kysely } from 'kysely';
import { auditRepo } from './audit.js';
import type { Connection, Dialect } from './db.js';
import { groupsRepo } from './groups.js';
import { healthRepo } from './health.js';
import { onezoneRepo } from './onezone.js';
import { isStalePlan } from './pg-statements.js';
import { providersRepo } from './providers.js';
import type { Database } from './schema.js';
import { spacesRepo } from './spaces.js';
import { tokensRepo } from './tokens.js';
import { usersRepo } from './users.js';

export interface Store {
  readonly dialect: Dialect;
  readonly users: ReturnType<typeof usersRepo>;
  readonly spaces: ReturnType<typeof spacesRepo>;
  readonly groups: ReturnType<typeof groupsRepo>;
  readonly onezone: ReturnType<typeof onezoneRepo>;
  readonly tokens: ReturnType<typeof tokensRepo>;
  readonly providers: ReturnType<typeof providersRepo>;
  readonly health: ReturnType<typeof healthRepo>;
  readonly audit: ReturnType<typeof auditRepo>;
  /** Runs `fn` in one database transaction; the store it gets is bound to that transaction. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

function bind(db: Kysely<Database>, dialect: Dialect, adopt?: Connection['adoptTransaction']): Store {
  return {
    dialect,
    users: usersRepo(db, dialect),
    spaces: spacesRepo(db, dialect),
    groups: groupsRepo(db, dialect),
    onezone: onezoneRepo(db),
    tokens: tokensRepo(db, dialect),
    providers: providersRepo(db),
    health: healthRepo(db),
    audit: auditRepo(db, dialect),
    transaction: (fn) => {
      const run = () =>
        db.transaction().execute((trx) => {
          adopt?.(trx);
          return fn(bind(trx, dialect));
        });
      return dialect === 'postgres' ? again(run) : run();
    },
  };
}

/** How many times a PostgreSQL transaction ended by a deadlock, a serialization failure or a stale statement runs. */
const TRANSACTION_ATTEMPTS = 3;
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * PostgreSQL ends one transaction of a lock cycle (40P01) and may end a serialization conflict
 * (40001); nothing of it was kept, so it runs again from the start. The services take their locks
 * in one order (authorize.ts `groupWrite`), so this is a safety net, not how writes are ordered.
 * A named statement refused after another process changed its columns (pg-statements.ts) aborts
 * the transaction the same way, and the next run prepares it afresh.
 */
async function again<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= TRANSACTION_ATTEMPTS || !(RETRYABLE.has((err as { code?: string }).code ?? '') || isStalePlan(err))) throw err;
    }
  }
}

export function createStore(conn: Connection): Store {
  return bind(conn.db, conn.dialect, conn.adoptTransaction);
}
