import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { UnusableDatabaseError } from '../store/db.js';
import { openZone } from '../zone.js';

/**
 * `onezone serve`: start the zone, print where it listens, stop cleanly on SIGTERM/SIGINT.
 * With `--workers N` (N > 1) this process becomes the primary of N worker processes that share
 * the port (cli/cluster.ts); each worker runs this same command and serves alone.
 */
export async function serve(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
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
  await zone.app.listen({ port: config.port, host: config.host });
  const address = zone.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Under a cluster the primary announces the shared address once.
  if (announce) process.stdout.write(`onezone listening on ${listenUrl(config, port)}\n`);
}

export function listenUrl(config: Config, port: number): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `${config.http ? 'http' : 'https'}://${host}:${port}/api/v3/onezone`;
}

/** Configuration the operator must fix: one line on stderr and exit code 2, no stack trace. */
function usageError(err: unknown): void {
  if (!(err instanceof ConfigError || err instanceof UnusableDatabaseError)) throw err;
  process.stderr.write(`onezone serve: ${err.message}\n`);
  // A worker's IPC channel would keep it alive; its primary sees the exit code.
  if (cluster.isWorker) process.exit(2);
  process.exitCode = 2;
}
