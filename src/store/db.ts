import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { type Compilable, type CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, type QueryResult, type RawBuilder, sql } from 'kysely';
import type { DbConfig } from '../config.js';
import { nameStatement, namedStatementClient } from './pg-statements.js';
import { makePrivateDir } from '../files.js';
import type { Database } from './schema.js';
import { type CheckpointOptions, Checkpointer } from './sqlite-checkpointer.js';
import { answerCache, CACHED, type CacheKey, GroupCommitSqliteDialect, type SqliteStats, transactionConnection } from './sqlite-driver.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
  /** A zone file's SQLite driver: commits, batched writes, cached reads (sqlite-driver.ts). */
  sqliteStats?: () => Readonly<SqliteStats>;
  /** Called with each transaction as it starts (SQLite: its precompiled queries skip Kysely's executor). */
  adoptTransaction?: (trx: Kysely<Database>) => void;
  /** A PostgreSQL pool's connections right now. */
  poolStats?: () => PoolStats;
}

/** pg.Pool's own counts (`totalCount`, `idleCount`, `waitingCount`). */
export interface PoolStats {
  /** Open connections (and those being opened), in use or idle. */
  total: number;
  idle: number;
  /** Requests for a connection queued because all of them are in use. */
  waiting: number;
}

/** A database this zone cannot use as configured or cannot reach at start; the message says what to change. */
export class UnusableDatabaseError extends Error {}

/**
 * SQLite's page cache (KiB) of each connection; pages are allocated only as they are read. The
 * join benchmark's zone (48 MB) ran the join's statements in 112-117 µs a join with 32 MiB and
 * 84-97 µs with 64 MiB (the statements replayed with better-sqlite3 alone on a copy of it).
 */
const SQLITE_CACHE_KIB = 64 * 1024;

/**
 * How long a PostgreSQL session may sit idle inside a transaction (the query timeout when that is
 * lower). The zone's transactions wait on nothing but the database between their statements (the
 * longest gap, the admin's password hash of a first start, takes well under a second), so a
 * session idle this long belongs to a process that is gone.
 */
const IDLE_IN_TRANSACTION_MS = 5_000;

/**
 * PostgreSQL's TCP keepalives on each session (30 s idle, then 3 probes 10 s apart), set as
 * startup options; the operator's PGOPTIONS come after them and win.
 */
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3';

/** Opens the database; each driver is loaded only when used (start-up time). */
/**
 * `bulkLoad` (SQLite, seeding tools only): a 1 GB page cache and no syncing at all, for loading
 * millions of rows into a fresh file that nobody serves yet; a crash may corrupt it.
 */
export async function connect(
  config: DbConfig,
  opts: {
    poolSize?: number;
    namedStatements?: boolean;
    bulkLoad?: boolean;
    checkpoints?: CheckpointOptions;
    /** PostgreSQL: how long opening a connection, or waiting for one of the pool, may take. */
    connectTimeoutMs?: number;
    /** PostgreSQL: how long a statement may run (server side) and wait for its answer (client side). */
    queryTimeoutMs?: number;
  } = {},
): Promise<Connection> {
  if (config.kind === 'postgres') {
    const { default: pg } = await import('pg');
    // int8 columns (our Unix-second timestamps) come back as strings by default.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    // The precompiled queries go as named statements, planned once per connection (pg-statements.ts),
    // unless turned off (a pooler in transaction mode that cannot keep them).
    const Client = resilientClient(opts.namedStatements === false ? pg.Client : namedStatementClient(pg.Client));
    const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    const queryTimeoutMs = opts.queryTimeoutMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: config.url,
      max: opts.poolSize ?? 10,
      Client,
      // A server that accepts connections but never answers fails requests (503) instead of holding them.
      connectionTimeoutMillis: connectTimeoutMs,
      // A slow statement is cancelled by the server itself, which leaves its connection usable;
      // the client gives up a little later only when the server does not answer at all.
      statement_timeout: queryTimeoutMs,
      query_timeout: queryTimeoutMs + 2_000,
      // A process lost mid-transaction (its host off the network) leaves its session idle in the
      // transaction, holding its locks (an invite's row, the group graph) until TCP notices, two
      // hours by default: the server ends such a session at this bound, which frees them, and
      // with these keepalives drops a silent client's idle session within about a minute.
      idle_in_transaction_session_timeout: Math.min(queryTimeoutMs, IDLE_IN_TRANSACTION_MS),
      options: [SERVER_KEEPALIVES, process.env.PGOPTIONS].filter(Boolean).join(' '),
      // This side's keepalives: a pooled connection to a server that vanished fails instead of hanging.
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    });
    // An idle connection dropped by the server (restart, failover) is discarded by the pool and
    // the next query opens a fresh one; without a listener the event would kill the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await assertBinaryCollation(db);
    } catch (err) {
      await db.destroy();
      throw unusable(err, config.url, connectTimeoutMs);
    }
    return {
      db,
      dialect: 'postgres',
      close: () => db.destroy(),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  const { default: SqliteDatabase } = await import('better-sqlite3');
  makePrivateDir(path.dirname(config.file));
  ownerOnly(config.file);
  const lock = holdProcessLock(SqliteDatabase, config.file);
  let writer: BetterSqlite3.Database;
  let reader: BetterSqlite3.Database;
  try {
    ({ writer, reader } = openWriterAndReader(SqliteDatabase, config.file, opts.bulkLoad ?? false));
  } catch (err) {
    lock.close();
    throw unwritable(err, config.file);
  }
  // WAL checkpoints on a thread of their own (sqlite-checkpointer.ts); seeding keeps SQLite's.
  // A WAL file that grew under load is cut back to 128 MiB (its bound, sqlite-checkpointer.ts) when it starts over.
  let checkpointer: Checkpointer | undefined;
  if (!opts.bulkLoad) {
    writer.pragma('wal_autocheckpoint = 0');
    writer.pragma(`journal_size_limit = ${128 * 1024 * 1024}`);
    checkpointer = new Checkpointer(
      config.file,
      {
        checkpoint: () => (writer.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0],
        autoCheckpoint: () => writer.pragma('wal_autocheckpoint = 1000'),
      },
      opts.checkpoints,
    );
  }
  const dialect = new GroupCommitSqliteDialect(writer, reader, checkpointer);
  const db = new Kysely<Database>({ dialect });
  dialect.serveCacheFor(db);
  return {
    db,
    dialect: 'sqlite',
    sqliteStats: () => dialect.stats,
    adoptTransaction: (trx) => dialect.adoptTransaction(trx),
    close: async () => {
      await db.destroy();
      lock.close();
    },
  };
}

/** The zone's two connections to its SQLite file (sqlite-driver.ts); neither stays open on failure. */
function openWriterAndReader(SqliteDatabase: typeof BetterSqlite3, file: string, bulkLoad: boolean) {
  const opened: BetterSqlite3.Database[] = [];
  try {
    // Waits up to 5 s for a lock of SQLite's own (a checkpoint, say).
    const writer = new SqliteDatabase(file, { timeout: 5000 });
    opened.push(writer);
    // WAL: the reader sees the last commit while the writer works. NORMAL sync survives a process
    // crash (kill -9), which is what "every acknowledged write is kept" needs short of power loss.
    writer.pragma('journal_mode = WAL');
    writer.pragma(bulkLoad ? 'synchronous = OFF' : 'synchronous = NORMAL');
    writer.pragma('foreign_keys = ON');
    const reader = new SqliteDatabase(file, { timeout: 5000 });
    opened.push(reader);
    reader.pragma('query_only = ON');
    // Every request reads a few random rows (its token, its user): SQLite's default 2 MB page cache
    // sends most of them to the kernel (a read system call each) once the zone outgrows it.
    // Temporary b-trees (UNION, ORDER BY, IN lists of the group-graph queries) in memory: in a file
    // they cost a file's system calls on every such query, 10-20 times the query (150 µs vs 13 µs).
    for (const c of [writer, reader]) {
      c.pragma(`cache_size = -${bulkLoad && c === writer ? 1024 * 1024 : SQLITE_CACHE_KIB}`);
      c.pragma('temp_store = MEMORY');
    }
    return { writer, reader };
  } catch (err) {
    for (const c of opened) c.close();
    throw err;
  }
}

/**
 * One process per SQLite file: the zone reads through its own caches (sqlite-driver.ts) and
 * counts on being the only writer. An exclusive lock on a companion file is taken now and held
 * until close (the kernel drops it when the process dies), so a second `serve` on the same file
 * fails at start instead of writing behind the first one's back.
 */
function holdProcessLock(SqliteDatabase: typeof BetterSqlite3, file: string): BetterSqlite3.Database {
  const lock = new SqliteDatabase(`${file}.lock`, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // No journal file beside it: this file holds nothing worth a rollback.
    lock.pragma('journal_mode = MEMORY');
    lock.exec('create table if not exists owner (pid integer); delete from owner; insert into owner values (' + process.pid + ')');
    return lock;
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new UnusableDatabaseError(
        `the SQLite database ${file} is in use by another process; SQLite allows one onezone process per database (use PostgreSQL, --db postgres://…, to run several)`,
      );
    throw unwritable(err, file);
  }
}

/**
 * The database files readable and writable by their owner only, wherever they are (`--db
 * sqlite:PATH`, a data dir others may read): a missing file is created 0600 now, and SQLite gives
 * the -wal and -shm files it makes the database file's mode; files left group- or
 * world-accessible by an earlier version lose those bits. Files of another owner are left alone.
 */
function ownerOnly(file: string): void {
  for (const f of [file, `${file}.lock`]) fs.closeSync(fs.openSync(f, 'a', 0o600));
  for (const f of [file, `${file}.lock`, `${file}-wal`, `${file}-shm`]) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (stat.mode & 0o077 && stat.uid === process.getuid?.()) fs.chmodSync(f, stat.mode & 0o700);
  }
}

/** SQLite refusing to open or write the file (permissions, a read-only file system) is the operator's to fix. */
function unwritable(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code)) return err;
  return new UnusableDatabaseError(`cannot open the SQLite database ${file} for writing (${code}): this user must be able to write it and its directory`);
}

/**
 * Failures that mean the database cannot be reached or does not answer in time, rather than a
 * fault of the request: refused or dropped connections, timeouts, a server shutting down or out
 * of connections. The API answers them 503 (http/errors.ts).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && UNREACHABLE_MESSAGE.test(message);
}

/**
 * A statement the database did not finish in time (PostgreSQL's statement timeout, or no answer
 * at all within the client's): the database is up but slow or blocked, which the operator should
 * look into, unlike a database that is down.
 */
export function isDatabaseTimeout(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === '57014' || (typeof message === 'string' && message.startsWith('Query read timeout'));
}

/**
 * Node's network errors; PostgreSQL's class 08 (connection exception, above), 53300 (too many
 * connections), 57014 (statement timeout), 57P01-57P03 (shutting down, starting up).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  '53300', '57014', '57P01', '57P02', '57P03',
]);
/** pg's own errors, which carry no code. */
const UNREACHABLE_MESSAGE = /^(timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error)/;

/**
 * A PostgreSQL server that cannot be used at start, as one line naming the server (never the
 * URL: it may hold a password) and what went wrong. Anything else is not the operator's and
 * keeps its stack.
 */
function unusable(err: unknown, url: string, connectTimeoutMs: number): unknown {
  if (err instanceof UnusableDatabaseError) return err;
  const where = describeServer(url);
  const { code, message = '' } = err as { code?: string; message?: string };
  if (code === '3D000') {
    return new UnusableDatabaseError(`${message} on the PostgreSQL server ${where.server}: create it with createdb -T template0 --lc-collate=C --lc-ctype=C.UTF-8 ${where.database}`);
  }
  const reason = (() => {
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
    if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return `no answer within ${connectTimeoutMs / 1000} s`;
    // A SQLSTATE (authentication, permissions): the server's own words.
    if (code !== undefined && /^(?=.*\d)[0-9A-Z]{5}$/.test(code)) return message;
    return isDatabaseUnavailable(err) ? message : undefined;
  })();
  if (reason === undefined) return err;
  return new UnusableDatabaseError(`cannot use the PostgreSQL database ${where.database} at ${where.server}: ${reason}`);
}

function describeServer(url: string): { server: string; database: string } {
  try {
    const u = new URL(url);
    return { server: `${u.hostname || 'localhost'}:${u.port || 5432}`, database: decodeURIComponent(u.pathname.slice(1)) || '(default)' };
  } catch {
    return { server: '(the configured server)', database: '(the configured database)' };
  }
}

/**
 * pg's Client, made safe to lose its server:
 * - A connection that fails while checked out of the pool (the server restarts, a proxy cuts it,
 *   mid-query) emits 'error' on its client, and the pool listens only while the client is idle:
 *   unheard, the event would end the process. The query in flight fails with that error anyway
 *   (answered 503), and the pool drops the client when it is released.
 * - A query that got no answer within `query_timeout` stays active on its connection, so every
 *   later query there would wait for the same timeout: the client is closed at once, and the
 *   pool drops it when it is released and opens a fresh one. A transaction's ROLLBACK on it then
 *   succeeds without being sent: the server ends the transaction with the connection, and the
 *   error that stays is the timeout (503), not "Client was closed" (500).
 */
function resilientClient(Client: typeof pg.Client): typeof pg.Client {
  class ResilientClient extends Client {
    /** Closed by us after a read timeout. */
    abandoned = false;
    constructor(...args: ConstructorParameters<typeof pg.Client>) {
      super(...args);
      this.on('error', () => {});
    }
  }
  const query = Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  ResilientClient.prototype.query = function (this: ResilientClient, ...args: unknown[]) {
    if (this.abandoned && args[0] === 'rollback') return Promise.resolve({ command: 'ROLLBACK', rowCount: null, rows: [], fields: [] });
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      result.catch((err: Error) => {
        if (err.message !== 'Query read timeout') return;
        this.abandoned = true;
        this.end().catch(() => {});
      });
    }
    return result;
  } as typeof Client.prototype.query;
  return ResilientClient;
}

/**
 * Lists are sorted by id, and ids are base64url: SQLite compares bytes, so PostgreSQL must too
 * (a linguistic collation such as en_US puts `a` before `B`), or the two would list differently.
 */
async function assertBinaryCollation(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ binary: boolean }>`select ('B' < 'a' and 'Z' < '_' and '-' < '0') as binary`.execute(db);
  if (!rows[0]?.binary) {
    throw new UnusableDatabaseError(
      "the PostgreSQL database sorts text by a linguistic collation; onezone needs byte order: create it with CREATE DATABASE … TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'",
    );
  }
}

let preparedCount = 0;

/** Stands for the i-th argument of a prepared query while it is compiled. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A query built and compiled once per dialect, then run with new arguments. Kysely builds and
 * compiles a query on every call, which costs more than the primary-key lookup itself on SQLite;
 * the per-request paths (authentication, joins, minting) use this instead. `build` may use its
 * arguments only as plain values (in where, values, set), never to choose the query's shape.
 * On PostgreSQL its one text goes as a named statement, planned once per connection
 * (pg-statements.ts).
 *
 * `cached`: outside transactions on SQLite, the answer for the same arguments is kept until the
 * next commit (sqlite-driver.ts); its rows are then shared and frozen. For reads only, and only
 * for queries whose answer depends on nothing but the database and the arguments (no clock).
 */
export function prepared<A extends unknown[], R>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<R> | RawBuilder<R>,
  options: { cached?: boolean } = {},
) {
  const byDialect = new Map<unknown, CompiledQuery<R>>();
  // Cached answers are keyed by the arguments alone (the rest of the query is the same on every
  // call): a lone string as it is, under one tag; any other arguments as JSON, under another.
  const tag = `q${preparedCount++}`;
  const jsonTag = `${tag}j`;
  return (db: Kysely<Database>, ...args: A): Promise<QueryResult<R>> => {
    const cache = options.cached ? answerCache(db) : undefined;
    let key: CacheKey | undefined;
    if (cache !== undefined) {
      key = args.length === 1 && typeof args[0] === 'string' ? { query: tag, args: args[0] } : { query: jsonTag, args: JSON.stringify(args) };
      const answer = cache.peek(key.query, key.args);
      if (answer !== undefined) return Promise.resolve(answer as QueryResult<R>);
    }
    const adapter = db.getExecutor().adapter.constructor;
    let compiled = byDialect.get(adapter);
    if (!compiled) {
      const query = build(db, ...(args.map((_, i) => new Slot(i)) as A));
      // An `sql` template compiles against a database; a query builder knows its own.
      compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile();
      const bound = new Set(compiled.parameters.filter((p) => p instanceof Slot).map((p) => (p as Slot).index));
      if (bound.size !== args.length) throw new Error('prepared: every argument must be used as a plain value');
      byDialect.set(adapter, compiled);
      if (adapter === PostgresAdapter) nameStatement(compiled.sql, tag);
    }
    const parameters = compiled.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
    const direct = transactionConnection(db);
    if (direct !== undefined) return direct.executeQuery<R>({ ...compiled, parameters });
    if (key === undefined) return db.executeQuery<R>({ ...compiled, parameters });
    return db.executeQuery<R>({ ...compiled, parameters, [CACHED]: key } as CompiledQuery<R>);
  };
}
