import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type TransactionSettings,
} from 'kysely';
import type { Checkpointer } from './sqlite-checkpointer.js';

/**
 * The SQLite driver of a zone file: one writer connection with group commit, one reader
 * connection for statements outside transactions, and a cache of marked read results.
 *
 * Group commit. SQLite commits one transaction at a time, and a commit costs more than the
 * statements it commits (a WAL frame per page, a system call each). The writer keeps one SQLite
 * transaction open while requests come in; each Kysely transaction runs in its own savepoint
 * inside it, alone (a mutex), and when it is done the next one may start. The SQLite transaction
 * is committed when the writer falls idle (at the end of the event-loop turn), or after
 * `MAX_BATCH` transactions or `MAX_BATCH_MS`. A Kysely commit resolves only after that SQLite
 * commit returned: nothing is acknowledged before it is in the database file's WAL. A failed
 * commit fails every transaction of the batch; a Kysely rollback rolls back its savepoint only.
 * Single write statements outside a transaction join the batch the same way.
 *
 * Reads. Statements outside a transaction that do not write (better-sqlite3's `readonly`) run on
 * a second connection, which in WAL mode sees the last committed state only: a read never sees a
 * batch that has not been committed, and never waits for a transaction to finish. Connection
 * settings are made in db.ts on each connection: a PRAGMA sent through Kysely outside a
 * transaction counts as read-only for SQLite and would reach the reader alone.
 *
 * Cached reads. A query marked with `CACHED` (see `prepared` in db.ts) keeps its result for
 * these exact parameters until the next commit. The zone's process is the only writer of its
 * SQLite file (db.ts takes an exclusive lock for it), so a commit here is the only way the
 * answer can change: a cached answer is always the one the reader would give now.
 */

/** Marks a compiled query whose result may be cached until the next commit; the value is its cache key. */
export const CACHED = Symbol('onezone.cached');
export type CacheableQuery = CompiledQuery & { [CACHED]?: CacheKey };

/**
 * Where a cached answer is kept: `query` names the query (a short tag, not its SQL text) and
 * `args` its arguments. Two levels of maps, so that a lookup hashes the argument alone and
 * builds no string (a request's token id, say).
 */
export interface CacheKey {
  query: string;
  args: string;
}

/**
 * The answer cache of `db`, if it has one (SQLite zone files). Asked before a marked query
 * enters Kysely, whose executor costs more than the lookup. Only the zone's own Kysely instance
 * is registered (not a transaction's), so this is never consulted inside a transaction.
 */
export function answerCache(db: object): { peek(query: string, args: string): QueryResult<unknown> | undefined } | undefined {
  return caches.get(db);
}
const caches = new WeakMap<object, GroupCommitDriver>();

/**
 * The connection a Kysely transaction of ours runs on, once `adoptTransaction` has seen it: the
 * precompiled queries (`prepared` in db.ts) hand their statements to it directly, past Kysely's
 * executor (a promise chain per statement, which cost about as much as the statement itself).
 */
export function transactionConnection(db: object): DatabaseConnection | undefined {
  return transactions.get(db);
}
const transactions = new WeakMap<object, Handle>();

/** What the driver did since the zone started (for tests and metrics). */
export interface SqliteStats {
  /** SQLite commits, and the transactions and single writes they committed. */
  commits: number;
  writes: number;
  failedCommits: number;
  cacheHits: number;
  cacheMisses: number;
  /** WAL checkpoints run by the checkpoint thread now and then, and full ones that writes waited for when the WAL grew past its bound. */
  checkpoints: number;
  writerCheckpoints: number;
}

const MAX_BATCH = 256;
const MAX_BATCH_MS = 10;
const CACHE_ENTRIES = 10_000;

interface Batch {
  readonly opened: number;
  size: number;
  readonly done: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

type Statements = Map<string, BetterSqlite3.Statement>;

function prepare(db: BetterSqlite3.Database, cache: Statements, sql: string): BetterSqlite3.Statement {
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    // Kysely compiles one query shape to one SQL text, so this stays small; the bound is a guard.
    if (cache.size < 2000) cache.set(sql, stmt);
  }
  return stmt;
}

function run(stmt: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (stmt.reader) return { rows: stmt.all(parameters as unknown[]) };
  const { changes, lastInsertRowid } = stmt.run(parameters as unknown[]);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

class GroupCommitDriver implements Driver {
  readonly #writer: BetterSqlite3.Database;
  readonly #reader: BetterSqlite3.Database;
  readonly #writes: Statements = new Map();
  readonly #reads: Statements = new Map();
  /** The handle that may use the writer now; the others wait in order. */
  #holder: Handle | undefined;
  readonly #waiters: Array<{ handle: Handle; resolve: () => void }> = [];
  #batch: Batch | undefined;
  #flushScheduled = false;
  /** Cached answers by query and arguments, all of them dropped by every commit (and failed commit). */
  #cache = new Map<string, Map<string, QueryResult<unknown>>>();
  #cached = 0;
  readonly #stats = { commits: 0, writes: 0, failedCommits: 0, cacheHits: 0, cacheMisses: 0 };
  readonly #checkpointer: Checkpointer | undefined;

  constructor(writer: BetterSqlite3.Database, reader: BetterSqlite3.Database, checkpointer: Checkpointer | undefined) {
    this.#writer = writer;
    this.#reader = reader;
    this.#checkpointer = checkpointer;
  }

  get stats(): SqliteStats {
    return { ...this.#stats, checkpoints: this.#checkpointer?.checkpoints ?? 0, writerCheckpoints: this.#checkpointer?.writerCheckpoints ?? 0 };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Handle(this);
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    const handle = connection as Handle;
    await this.lock(handle);
    const paused = this.writable();
    if (paused) await paused;
    this.openBatch();
    this.write('savepoint tx');
    handle.inTransaction = true;
    handle.batch = this.#batch;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    this.assertBatch(handle);
    const batch = this.#batch!;
    this.write('release tx');
    handle.inTransaction = false;
    batch.size++;
    this.unlock(handle);
    await batch.done;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    if (!handle.inTransaction) return;
    handle.inTransaction = false;
    // The batch may already be gone (a statement failed in a way that ended SQLite's transaction).
    try {
      if (this.#writer.inTransaction) this.write('rollback to tx; release tx');
    } finally {
      this.unlock(handle);
    }
  }

  // Kysely's savepoints (controlled transactions) nest inside the transaction's own.
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.assertBatch(connection as Handle);
    this.write(`savepoint ${quote(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.assertBatch(connection as Handle);
    this.write(`rollback to ${quote(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    this.assertBatch(connection as Handle);
    this.write(`release ${quote(name)}`);
  }

  /**
   * Some failures (a full disk, an I/O error) make SQLite roll back the whole batch: the
   * transactions in it are over, even one that caught the error and goes on. Its next statement
   * would otherwise run with no transaction open and be committed on its own at once.
   */
  private assertBatch(handle: Handle): void {
    if (handle.batch !== this.#batch) throw new Error('the transaction was rolled back with its batch (see the error that ended it)');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const handle = connection as Handle;
    if (this.#holder === handle) this.unlock(handle);
  }

  async destroy(): Promise<void> {
    if (this.#batch) await this.flush();
    await this.#checkpointer?.close();
    this.#reader.close();
    this.#writer.close();
  }

  async executeQuery(handle: Handle, query: CacheableQuery): Promise<QueryResult<unknown>> {
    const { sql, parameters } = query;
    if (handle.inTransaction) {
      this.assertBatch(handle);
      return this.writeStatement(prepare(this.#writer, this.#writes, sql), parameters);
    }
    const stmt = prepare(this.#reader, this.#reads, sql);
    if (stmt.readonly) {
      const key = query[CACHED];
      return key === undefined ? run(stmt, parameters) : this.cachedRead(stmt, key, parameters);
    }
    // A write outside a transaction: alone on the writer, in the batch, acknowledged at its commit.
    await this.lock(handle);
    let result: QueryResult<unknown>;
    let batch: Batch | undefined;
    try {
      const paused = this.writable();
      if (paused) await paused;
      this.openBatch();
      result = this.writeStatement(prepare(this.#writer, this.#writes, sql), parameters);
      // Taken before unlocking: unlocking may commit this very batch (or fail to).
      batch = this.#batch!;
      batch.size++;
    } finally {
      this.unlock(handle);
    }
    await batch.done;
    return result;
  }

  /** The transaction that has just begun is the lock holder's (one transaction runs at a time). */
  adoptTransaction(trx: object): void {
    if (this.#holder?.inTransaction) transactions.set(trx, this.#holder);
  }

  peek(query: string, args: string): QueryResult<unknown> | undefined {
    const hit = this.#cache.get(query)?.get(args);
    if (hit !== undefined) this.#stats.cacheHits++;
    return hit;
  }

  private cachedRead(stmt: BetterSqlite3.Statement, key: CacheKey, parameters: readonly unknown[]): QueryResult<unknown> {
    const hit = this.peek(key.query, key.args);
    if (hit !== undefined) return hit;
    this.#stats.cacheMisses++;
    const result = run(stmt, parameters);
    // Frozen: a caller that tried to change a shared answer would throw instead of corrupting it.
    for (const row of result.rows) Object.freeze(row);
    Object.freeze(result.rows);
    let answers = this.#cache.get(key.query);
    if (answers === undefined) this.#cache.set(key.query, (answers = new Map()));
    // When full, this query's oldest answer makes room (if it has none, this one is not kept):
    // the answers kept never number more than CACHE_ENTRIES.
    if (this.#cached >= CACHE_ENTRIES) {
      if (answers.size === 0) return Object.freeze(result);
      answers.delete(answers.keys().next().value!);
      this.#cached--;
    }
    answers.set(key.args, Object.freeze(result));
    this.#cached++;
    return result;
  }

  /** Every cached answer may be wrong after a commit: all go. */
  private dropAnswers(): void {
    if (this.#cached === 0) return;
    this.#cache = new Map();
    this.#cached = 0;
  }

  /** A statement on the writer; if it ended SQLite's transaction (I/O error, full disk) the batch failed. */
  private writeStatement(stmt: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
    try {
      return run(stmt, parameters);
    } catch (err) {
      if (this.#batch && !this.#writer.inTransaction) this.failBatch(err);
      throw err;
    }
  }

  /** A statement without parameters on the writer; one statement is prepared once (every transaction's savepoint and release). */
  private write(sql: string): void {
    try {
      if (sql.includes(';')) this.#writer.exec(sql);
      else prepare(this.#writer, this.#writes, sql).run();
    } catch (err) {
      if (this.#batch && !this.#writer.inTransaction) this.failBatch(err);
      throw err;
    }
  }

  private lock(handle: Handle): Promise<void> {
    if (this.#holder === undefined) {
      this.#holder = handle;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiters.push({ handle, resolve }));
  }

  /**
   * Lets the next waiter in. The batch is committed now when it is full or old (so a steady
   * stream of writers cannot hold it open), or at the end of this event-loop turn when nobody
   * is waiting.
   */
  private unlock(handle: Handle): void {
    if (this.#holder !== handle) return;
    this.#holder = undefined;
    const batch = this.#batch;
    if (batch && (batch.size >= MAX_BATCH || performance.now() - batch.opened >= MAX_BATCH_MS)) this.commit();
    const next = this.#waiters.shift();
    if (next) {
      this.#holder = next.handle;
      next.resolve();
    } else if (this.#batch && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        if (this.#holder === undefined && this.#waiters.length === 0) this.commit();
      });
    }
  }

  /** While the checkpoint thread copies the whole WAL (sqlite-checkpointer.ts), what to wait for; reads go on. */
  private writable(): Promise<void> | undefined {
    return this.#checkpointer?.paused?.then(() => this.writable());
  }

  private openBatch(): void {
    if (this.#batch) return;
    this.#writer.exec('begin immediate');
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting when a batch of one rolled back; its failure is reported to its own.
    done.catch(() => {});
    this.#batch = { opened: performance.now(), size: 0, done, resolve, reject };
  }

  private commit(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = undefined;
    try {
      this.#writer.exec('commit');
    } catch (err) {
      if (this.#writer.inTransaction) this.#writer.exec('rollback');
      this.dropAnswers();
      this.#stats.failedCommits++;
      batch.reject(err);
      return;
    }
    this.dropAnswers();
    this.#stats.commits++;
    this.#stats.writes += batch.size;
    this.#checkpointer?.committed();
    batch.resolve();
  }

  private failBatch(err: unknown): void {
    const batch = this.#batch!;
    this.#batch = undefined;
    this.dropAnswers();
    this.#stats.failedCommits++;
    batch.reject(err);
  }

  /** Commits what is pending (at close). */
  private async flush(): Promise<void> {
    const closing = new Handle(this);
    await this.lock(closing);
    this.commit();
    this.#holder = undefined;
  }
}

/** One acquisition of the connection: Kysely gets a fresh one per query or transaction. */
class Handle implements DatabaseConnection {
  inTransaction = false;
  /** The batch its transaction runs in: when that batch is gone, so is the transaction. */
  batch: Batch | undefined;
  constructor(private readonly driver: GroupCommitDriver) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.executeQuery(this, query) as Promise<QueryResult<R>>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the onezone SQLite driver');
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Kysely's SQLite dialect (compiler, adapter, introspector) with the driver above. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  /** `checkpointer`: WAL checkpoints off the writer's thread (sqlite-checkpointer.ts); without it, SQLite's own on commit. */
  constructor(writer: BetterSqlite3.Database, reader: BetterSqlite3.Database, checkpointer?: Checkpointer) {
    super({ database: writer });
    this.#driver = new GroupCommitDriver(writer, reader, checkpointer);
  }

  readonly #driver: GroupCommitDriver;

  override createDriver(): Driver {
    return this.#driver;
  }

  get stats(): Readonly<SqliteStats> {
    return this.#driver.stats;
  }

  /** Lets `cachedAnswer` answer for queries on `db` (the zone's Kysely instance). */
  serveCacheFor(db: object): void {
    caches.set(db, this.#driver);
  }

  /** Called with each transaction's Kysely instance as it starts: see `transactionConnection`. */
  adoptTransaction(trx: object): void {
    this.#driver.adoptTransaction(trx);
  }
}
