import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints of a zone file, on a thread of their own.
 *
 * A commit in WAL mode appends pages to the `-wal` file; a checkpoint copies them back into the
 * database file and syncs both files. SQLite runs one inside the commit that takes the WAL past
 * 1,000 pages, on the committing thread: in the join benchmark that cost more than the commits
 * themselves (about 100 µs a join against 35), on the event loop. Here the writer connection
 * has automatic checkpoints off, and a worker thread with a connection of its own runs a PASSIVE
 * checkpoint (which never blocks the writer or a reader) when commits happened since its last
 * one, at most every `intervalMs` (from a second after the first commit: not during start-up).
 *
 * A PASSIVE checkpoint copies what was committed when it began; the WAL starts over from its
 * beginning only when a write begins while all of it has been copied. Under writes that never
 * pause that moment may not come, so after each commit the writer looks at the WAL size the
 * thread last saw and, past `maxWalPages`, holds the next batch back (`paused`) while the thread
 * runs a checkpoint at once: nothing is written meanwhile, so it copies everything, and the next
 * write starts the WAL over. Reads go on meanwhile, and the event loop does not wait (a
 * checkpoint of a 32 MiB WAL, with its syncs, took 17 ms there). When the thread has not completed a
 * checkpoint for `maxCommitsBehind` commits, or does not answer within `pauseTimeoutMs`, the
 * writer checkpoints itself, on the event loop. Should the thread fail, the writer turns
 * SQLite's automatic checkpoints back on.
 */

export interface CheckpointOptions {
  /** How often the thread looks for new commits (ms). */
  intervalMs?: number;
  /** How long after the first commit the thread starts (ms): not while the zone starts up. */
  startDelayMs?: number;
  /** WAL pages (4 KiB each) past which writes wait for a full checkpoint. */
  maxWalPages?: number;
  /** Commits without a checkpoint of the thread past which the writer checkpoints itself (a thread that is stuck). */
  maxCommitsBehind?: number;
  /** How long writes wait for the thread's checkpoint before the writer runs one itself (ms). */
  pauseTimeoutMs?: number;
  /** The better-sqlite3 module the thread loads (tests give a broken one). */
  driver?: string;
}

// Each full checkpoint holds writes back for its syncs and the last few commits' pages, whatever
// the bound: a larger one means fewer of them. Mints in the lab (6 s at 12,000-14,000 a second):
// 8,192 pages, 14-15 of them and a p99 of 16-24 ms; 32,768 pages, 4 and 8 ms.
const DEFAULTS = { intervalMs: 50, startDelayMs: 1000, maxWalPages: 32_768, maxCommitsBehind: 5000, pauseTimeoutMs: 2000 };

// Shared counters: commits signalled by the writer; of those, the ones the last checkpoint
// (of either side) covered; WAL pages that checkpoint found; checkpoints the thread completed.
const COMMITS = 0;
const COVERED = 1;
const WAL_PAGES = 2;
const DONE = 3;

/** The worker's code: CommonJS, evaluated; the driver is loaded from the path it is given. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
db.pragma('synchronous = NORMAL');
const state = new Int32Array(workerData.state);
let seen = 0;
function checkpoint() {
  const commits = Atomics.load(state, ${COMMITS});
  seen = commits;
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  if (result.busy !== 0) return result;
  Atomics.store(state, ${COVERED}, commits);
  Atomics.store(state, ${WAL_PAGES}, result.log);
  Atomics.add(state, ${DONE}, 1);
  return result;
}
const timer = setInterval(() => {
  if (Atomics.load(state, ${COMMITS}) !== seen) checkpoint();
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  // 'now': the writer holds writes back until this checkpoint is done.
  if (message === 'now') return parentPort.postMessage(checkpoint());
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointTarget {
  /** Runs a checkpoint on the writer connection now (between batches); returns [busy, log, checkpointed]. */
  checkpoint(): { busy: number; log: number; checkpointed: number } | undefined;
  /** Turns SQLite's automatic checkpoints (on commit) back on. */
  autoCheckpoint(): void;
}

export class Checkpointer {
  readonly #file: string;
  readonly #writer: CheckpointTarget;
  readonly #options: Required<CheckpointOptions>;
  readonly #state = new Int32Array(new SharedArrayBuffer(16));
  #worker: Worker | undefined;
  #starting: NodeJS.Timeout | undefined;
  #exited: Promise<void> | undefined;
  #failed = false;
  #closed = false;
  #pause: { done: Promise<void>; end(): void; commits: number; timer: NodeJS.Timeout } | undefined;
  /** Full checkpoints that writes waited for because the WAL had grown past its bound (the thread's or the writer's own). */
  writerCheckpoints = 0;

  constructor(file: string, writer: CheckpointTarget, options: CheckpointOptions = {}) {
    this.#file = file;
    this.#writer = writer;
    this.#options = { ...DEFAULTS, driver: createRequire(import.meta.url).resolve('better-sqlite3'), ...options };
  }

  /** Checkpoints the thread completed. */
  get checkpoints(): number {
    return Atomics.load(this.#state, DONE);
  }

  /** While set, the writer begins no batch: the thread is checkpointing the whole WAL. */
  get paused(): Promise<void> | undefined {
    return this.#pause?.done;
  }

  /**
   * Called after every commit of the writer, outside any transaction. The thread starts a while
   * after the first (a zone's start-up commits, and a thread costs a few tens of milliseconds to
   * start); until then only the writer's own bounds apply.
   */
  committed(): void {
    if (this.#failed) return;
    if (this.#worker === undefined && this.#starting === undefined) {
      this.#starting = setTimeout(() => this.#start(), this.#options.startDelayMs).unref();
    }
    const commits = Atomics.add(this.#state, COMMITS, 1) + 1;
    const behind = commits - Atomics.load(this.#state, COVERED);
    if (Atomics.load(this.#state, WAL_PAGES) < this.#options.maxWalPages && behind < this.#options.maxCommitsBehind) return;
    if (this.#pause !== undefined) return;
    if (this.#worker !== undefined && behind < this.#options.maxCommitsBehind) return this.#pauseFor(commits);
    this.#checkpointHere(commits);
  }

  /** Holds writes back while the thread checkpoints everything (see the class comment). */
  #pauseFor(commits: number): void {
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    // A thread that does not answer: the writer does it, and writes go on.
    const timer = setTimeout(() => this.#resume(), this.#options.pauseTimeoutMs);
    this.#pause = { done, end, commits, timer };
    this.#worker!.postMessage('now');
  }

  /** The thread's answer (or none: timed out, or the thread is gone); writes go on after it. */
  #resume(result?: { busy: number; log: number; checkpointed: number }): void {
    const pause = this.#pause;
    if (pause === undefined) return;
    this.#pause = undefined;
    clearTimeout(pause.timer);
    if (result !== undefined && result.busy === 0 && result.checkpointed === result.log) {
      this.writerCheckpoints++;
      Atomics.store(this.#state, COVERED, pause.commits);
      Atomics.store(this.#state, WAL_PAGES, 0);
    } else if (!this.#closed) {
      this.#checkpointHere(pause.commits);
    }
    pause.end();
  }

  /** A checkpoint on the writer connection, on the event loop, between two batches. */
  #checkpointHere(commits: number): void {
    const result = this.#writer.checkpoint();
    // Busy: the thread is checkpointing right now; the next commit looks again.
    if (result?.busy !== 0) return;
    this.writerCheckpoints++;
    // The next write starts the WAL over; until the thread looks again, count from here.
    Atomics.store(this.#state, COVERED, commits);
    Atomics.store(this.#state, WAL_PAGES, 0);
  }

  /** Stops the thread (after its checkpoint in progress, if any) and waits for it to end. */
  async close(): Promise<void> {
    clearTimeout(this.#starting);
    this.#failed = true;
    this.#closed = true;
    this.#resume();
    if (this.#worker === undefined) return;
    // Unreferenced while it runs; now the process waits for it.
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
  }

  /** The thread is gone (failed, or closed): the writer checkpoints as SQLite does by default. */
  #fail(): void {
    this.#worker = undefined;
    this.#resume();
    if (this.#failed) return;
    this.#failed = true;
    this.#writer.autoCheckpoint();
  }

  #start(): void {
    if (this.#failed) return;
    const { driver, intervalMs } = this.#options;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, intervalMs, file: this.#file, state: this.#state.buffer } });
    // The zone's process ends when its server does, whatever this thread is doing.
    worker.unref();
    worker.once('error', () => this.#fail());
    worker.on('message', (result: { busy: number; log: number; checkpointed: number }) => this.#resume(result));
    this.#exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.#fail();
        resolve();
      }),
    );
    this.#worker = worker;
  }
}
