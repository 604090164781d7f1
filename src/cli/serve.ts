import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { UnusableDatabaseError } from '../store/db.js';
import { openZone } from '../zone.js';

const USAGE = `Usage: onezone serve [--data-dir DIR] [--port PORT] [--host HOST] [--db URL] [--http] [--workers N|auto]
       [--zone-name NAME] [--log-level LEVEL] [--invite-ttl SECONDS] [--trust-proxy HOPS|ADDRESSES] [--db-pool N] [--no-throttle]

Run the zone: the REST API under /api/v3/onezone and the web UI under /ui/, HTTPS unless --http.

Options (each flag wins over the environment variable named beside it):
  --data-dir DIR        ONEZONE_DATA_DIR      database, master key and TLS certificate (default ./onezone-data)
  --port PORT           ONEZONE_PORT          default 8443; 0 picks a free port
  --host HOST           ONEZONE_HOST          default 0.0.0.0
  --db URL              ONEZONE_DB            postgres://… or sqlite:PATH (default SQLite in the data dir)
  --http                ONEZONE_HTTP=true     plain HTTP, behind a TLS-terminating proxy
  --workers N|auto      ONEZONE_WORKERS       processes sharing the port, PostgreSQL only (default 1)
  --zone-name NAME      ONEZONE_ZONE_NAME     the location of the tokens it mints (default onezone)
  --log-level LEVEL     ONEZONE_LOG_LEVEL     fatal, error, warn, info (default), debug, trace or silent
  --invite-ttl SECONDS  ONEZONE_INVITE_TTL    lifetime of invites minted without one (default a week)
  --trust-proxy HOPS|ADDRESSES
                        ONEZONE_TRUST_PROXY   the proxies whose X-Forwarded-For is believed (hops, or addresses and CIDR ranges)
  --db-pool N           ONEZONE_DB_POOL       PostgreSQL connections per process (default 10)
  --no-throttle         ONEZONE_THROTTLE=off  no limit on failed password attempts

The first start creates the user admin: its password is ONEZONE_ADMIN_PASSWORD (at least 8
characters), else generated and printed once. An empty variable counts as unset. ONEZONE_MASTER_KEY,
the PostgreSQL timeouts, the throttle's and the server's limits are set by variables only:
docs/deploy.md lists them all.
`;

/**
 * `onezone serve`: start the zone, print where it listens, stop cleanly on SIGTERM/SIGINT.
 * With `--workers N` (N > 1) this process becomes the primary of N worker processes that share
 * the port (cli/cluster.ts); each worker runs this same command and serves alone.
 */
export async function serve(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  let config: Config;
  try {
    config = loadConfig(argv, env);
    if (config.workers > 1 && config.db.kind === 'sqlite') {
      throw new ConfigError(
        '--workers needs PostgreSQL (--db postgres://…): SQLite allows one onezone process per database',
      );
    }
  } catch (err) {
    return usageError(err);
  }
  if (config.workers > 1 && cluster.isPrimary) {
    const { runCluster } = await import('./cluster.js');
    return runCluster(config);
  }
  await serveOne(config, !cluster.isWorker);
}

/** How long after the request deadline a stopping zone may take to close its database. */
const STOP_GRACE_MS = 5_000;

async function serveOne(config: Config, announce: boolean): Promise<void> {
  let zone;
  try {
    zone = await openZone(config);
  } catch (err) {
    return usageError(err);
  }
  if (zone.generatedAdminPassword) {
    process.stderr.write(
      `\nCreated user 'admin' with a generated password (shown only this once):\n  ${zone.generatedAdminPassword}\n` +
        `Set ONEZONE_ADMIN_PASSWORD on first start to choose it instead.\n\n`,
    );
  }
  // Handlers first: a signal right after the URL is printed must still stop the zone cleanly.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    zone.app.log.info({ signal }, 'shutting down');
    // Requests in flight finish (later ones get 503); a connection still open after the request
    // deadline, such as a client that never finishes sending, is cut so that the exit is bounded.
    setTimeout(() => zone.app.server.closeAllConnections(), config.limits.requestTimeoutMs).unref();
    // A database that stopped answering can hold the close forever: exit regardless, with 1.
    setTimeout(() => {
      zone.app.log.error({ ms: config.limits.requestTimeoutMs + STOP_GRACE_MS }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.limits.requestTimeoutMs + STOP_GRACE_MS).unref();
    zone.close().then(
      () => process.exit(0),
      (err) => {
        zone.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await zone.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await zone.close();
    return usageError(listenError(err, config));
  }
  const address = zone.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Under a cluster the primary announces the shared address once.
  if (announce) process.stdout.write(`onezone listening on ${listenUrl(config, port)}\n`);
}

export function listenUrl(config: Config, port: number): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `${config.http ? 'http' : 'https'}://${host}:${port}/api/v3/onezone`;
}

/**
 * Configuration or an environment the operator must fix: one line on stderr and exit code 2, no
 * stack trace. Anything else is a fault of ours and keeps its stack.
 */
function usageError(err: unknown): void {
  const message = operatorMessage(err);
  if (message === undefined) throw err;
  process.stderr.write(`onezone serve: ${message}\n`);
  // A worker's IPC channel would keep it alive; its primary sees the exit code.
  if (cluster.isWorker) process.exit(2);
  process.exitCode = 2;
}

function operatorMessage(err: unknown): string | undefined {
  if (err instanceof ConfigError || err instanceof UnusableDatabaseError) return err.message;
  if (!(err instanceof Error)) return undefined;
  const { code, path } = err as NodeJS.ErrnoException;
  // A file the zone may not create or write (data dir, master key, TLS files): Node's own line
  // names the call and the path ("EACCES: permission denied, mkdir '/srv/zone'").
  if (path !== undefined && code !== undefined && FILE_SYSTEM_CODES.has(code)) return err.message;
  return undefined;
}

const FILE_SYSTEM_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ELOOP', 'ENAMETOOLONG']);

/** Why the address cannot be listened on, in the operator's terms; any other error as it is. */
function listenError(err: unknown, config: Config): unknown {
  const { code, syscall } = err as NodeJS.ErrnoException;
  const where = `cannot listen on ${config.host} port ${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError(`${where}: the port is in use by another process (choose another with --port)`);
  if (code === 'EACCES') return new ConfigError(`${where}: permission denied (ports below 1024 need privileges; choose another with --port)`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${where}: ${config.host} is not an address of this machine (--host)`);
  if (syscall === 'getaddrinfo') return new ConfigError(`${where}: no such host (${code}; --host takes an address or host name of this machine)`);
  return err;
}
