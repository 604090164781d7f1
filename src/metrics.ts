import perfHooks, { type IntervalHistogram, type PerformanceObserver } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { InviteType } from './domain/invites.js';
import type { DomainMetrics, Exposition, JoinOutcome } from './domain/metrics.js';
import { PROVIDER_TOKEN_TYPE } from './domain/providers.js';
import type { PoolStats } from './store/db.js';
import type { SqliteStats } from './store/sqlite-driver.js';

/** The credential a refused request carried. */
export type CredentialKind = 'basic' | 'token' | 'certificate';

/** Everything one zone process counts, served by `GET /metrics`. */
export interface Metrics extends DomainMetrics {
  /** One answered request, labelled by its route pattern (never the URL itself). */
  request(method: string, route: string, status: number, seconds: number): void;
  authFailure(kind: CredentialKind): void;
  throttled(): void;
  expose(): Promise<Exposition>;
  /** Stops the monitors the process metrics run (when the app closes); the series stay readable. */
  stop(): void;
}

/** Figures of the database driver, read at scrape time only (src/store/db.ts `Connection`). */
export interface MetricSources {
  sqliteStats?: () => Readonly<SqliteStats>;
  poolStats?: () => Readonly<PoolStats>;
}

const PREFIX = 'onezone_';
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];
const JOIN_OUTCOMES: readonly JoinOutcome[] = ['joined', 'already_member', 'refused'];
const CREDENTIAL_KINDS: readonly CredentialKind[] = ['basic', 'token', 'certificate'];
const TOKEN_TYPES = ['access', PROVIDER_TOKEN_TYPE, ...Object.values(InviteType)];

/** The SQLite driver's own counters (store/sqlite-driver.ts), read at scrape time only. */
const SQLITE_SERIES: Record<keyof SqliteStats, { name: string; help: string }> = {
  commits: { name: 'sqlite_commits_total', help: 'SQLite commits (each commits a batch of writes).' },
  writes: { name: 'sqlite_writes_total', help: 'Transactions and single writes committed.' },
  failedCommits: { name: 'sqlite_failed_commits_total', help: 'Commits that failed (their writes were rolled back).' },
  cacheHits: { name: 'sqlite_cache_hits_total', help: 'Reads answered from the answers kept until the next commit.' },
  cacheMisses: { name: 'sqlite_cache_misses_total', help: 'Cacheable reads that went to SQLite.' },
  checkpoints: { name: 'sqlite_checkpoints_total', help: 'WAL checkpoints run by the checkpoint thread.' },
  writerCheckpoints: { name: 'sqlite_writer_checkpoints_total', help: 'Full WAL checkpoints that writes waited for (the WAL had grown past its bound).' },
};

/**
 * The metrics of one app, on a registry of its own (never prom-client's global one: tests run
 * many zones in one process). `sources`: the database driver's figures, when it has them.
 */
export function createMetrics(sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const stopDefaults = collectStoppableDefaultMetrics(registry);

  const answers = answerCounts();
  new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'Answered HTTP requests by method, route pattern (`unmatched` when no route matched) and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
    collect() {
      this.reset();
      answers.forEach((method, route, status, count) => this.inc({ method, route, status }, count));
    },
  });
  const duration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time from the request to its answer, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const authFailures = new Counter({
    name: `${PREFIX}auth_failures_total`,
    help: 'Refused credentials (401), by the kind of credential.',
    labelNames: ['kind'] as const,
    registers,
  });
  const throttled = new Counter({ name: `${PREFIX}throttled_total`, help: 'Requests refused with 429 after too many failed credentials.', registers });
  const joins = new Counter({
    name: `${PREFIX}joins_total`,
    help: 'Joins with an invite token (users and groups to spaces and groups), by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const minted = new Counter({ name: `${PREFIX}tokens_minted_total`, help: 'Tokens minted, by type.', labelNames: ['type'] as const, registers });
  // The closed label sets start at 0, so that a rate over them exists before the first event.
  for (const kind of CREDENTIAL_KINDS) authFailures.inc({ kind }, 0);
  for (const outcome of JOIN_OUTCOMES) joins.inc({ outcome }, 0);
  for (const type of TOKEN_TYPES) minted.inc({ type }, 0);
  if (sources.sqliteStats) sqliteCounters(registry, sources.sqliteStats);
  if (sources.poolStats) poolGauges(registry, sources.poolStats);

  return {
    request(method, route, status, seconds) {
      answers.add(method, route, status);
      duration.observe({ method, route }, seconds);
    },
    authFailure: (kind) => authFailures.inc({ kind }),
    throttled: () => throttled.inc(),
    join: (outcome) => joins.inc({ outcome }),
    tokenMinted: (type) => minted.inc({ type }),
    expose: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
    stop: stopDefaults,
  };
}

/**
 * prom-client's default metrics start two monitors and give no way to stop them: an event-loop
 * delay histogram (a timer every 10 ms) and an observer of garbage collections, which also keeps
 * the registry reachable for good. A closed app must leave nothing running (tests start many
 * zones in one process), so both are caught as they are made, which is safe because
 * collectDefaultMetrics is synchronous: nothing else runs meanwhile. prom-client's observer
 * counts only the first collection of each batch Node reports, so it is replaced by one that
 * counts them all (`gcDurations`). Returns what stops the monitors.
 */
function collectStoppableDefaultMetrics(registry: Registry): () => void {
  const hooks = perfHooks as { monitorEventLoopDelay: typeof perfHooks.monitorEventLoopDelay };
  const observer = perfHooks.PerformanceObserver.prototype;
  const { monitorEventLoopDelay } = hooks;
  const { observe } = observer;
  const histograms: IntervalHistogram[] = [];
  const observers: PerformanceObserver[] = [];
  hooks.monitorEventLoopDelay = (options) => {
    const histogram = monitorEventLoopDelay(options);
    histograms.push(histogram);
    return histogram;
  };
  observer.observe = function (this: PerformanceObserver, options) {
    observers.push(this);
    observe.call(this, options);
  };
  try {
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
  } finally {
    hooks.monitorEventLoopDelay = monitorEventLoopDelay;
    observer.observe = observe;
  }
  // prom-client's own garbage-collection observer is the only one it makes.
  for (const o of observers.splice(0)) o.disconnect();
  observers.push(gcDurations(registry));
  return () => {
    for (const histogram of histograms) histogram.disable();
    for (const o of observers) o.disconnect();
  };
}

const GC_KINDS: Record<number, string> = {
  [perfHooks.constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfHooks.constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfHooks.constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfHooks.constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** prom-client's `nodejs_gc_duration_seconds` (same name, help and buckets), counting every collection Node reports. */
function gcDurations(registry: Registry): PerformanceObserver {
  const name = `${PREFIX}nodejs_gc_duration_seconds`;
  registry.removeSingleMetric(name);
  const histogram = new Histogram({
    name,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.01, 0.1, 1, 2, 5],
    registers: [registry],
  });
  const gc = new perfHooks.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      histogram.observe({ kind: GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'unknown' }, entry.duration / 1000);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return gc;
}

/**
 * Answers by route, method and status in plain maps, handed to prom-client at scrape time: a
 * request costs three map look-ups instead of a prom-client update, which hashes its labels.
 */
function answerCounts() {
  const byRoute = new Map<string, Map<string, Map<number, number>>>();
  return {
    add(method: string, route: string, status: number): void {
      let byMethod = byRoute.get(route);
      if (byMethod === undefined) byRoute.set(route, (byMethod = new Map()));
      let byStatus = byMethod.get(method);
      if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    forEach(fn: (method: string, route: string, status: number, count: number) => void): void {
      for (const [route, byMethod] of byRoute) {
        for (const [method, byStatus] of byMethod) {
          for (const [status, count] of byStatus) fn(method, route, status, count);
        }
      }
    },
  };
}

function sqliteCounters(registry: Registry, stats: () => Readonly<SqliteStats>): void {
  for (const [key, { name, help }] of Object.entries(SQLITE_SERIES) as [keyof SqliteStats, { name: string; help: string }][]) {
    new Counter({
      name: PREFIX + name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(stats()[key]);
      },
    });
  }
}

/** The PostgreSQL pool right now; its connections split into those in use and those idle. */
function poolGauges(registry: Registry, stats: () => Readonly<PoolStats>): void {
  new Gauge({
    name: `${PREFIX}db_pool_connections`,
    help: "Connections of this process's PostgreSQL pool: `active` (running a query or transaction, or opening) or `idle`.",
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { total, idle } = stats();
      this.set({ state: 'active' }, total - idle);
      this.set({ state: 'idle' }, idle);
    },
  });
  new Gauge({
    name: `${PREFIX}db_pool_waiting`,
    help: 'Queries and transactions waiting for a PostgreSQL connection (every connection of the pool is in use).',
    registers: [registry],
    collect() {
      this.set(stats().waiting);
    },
  });
}
