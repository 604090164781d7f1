import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.js';
import { listenUrl } from './serve.js';

/** How long a stopping worker may finish its requests before it is killed. */
const STOP_GRACE_MS = 30_000;

/**
 * The primary of `onezone serve --workers N`: forks N workers running the same command line,
 * which share the listening port (node:cluster hands connections out round-robin). It holds no
 * state and never touches the database. A worker that dies after it was serving is replaced;
 * one that dies before it ever listened means the configuration or the database is wrong, so
 * the primary stops everything rather than restart it in a loop. SIGTERM/SIGINT stop the
 * workers gracefully (each finishes its in-flight requests) and then the primary.
 */
export async function runCluster(config: Config): Promise<void> {
  const serving = new Set<Worker>();
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const fork = () => cluster.fork();
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      // Workers that had to be killed did not finish cleanly: the process manager should know.
      exitCode = exitCode || 1;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
  };

  cluster.on('listening', (worker, address) => {
    serving.add(worker);
    if (!announced && serving.size === config.workers) {
      announced = true;
      process.stdout.write(`onezone listening on ${listenUrl(config, address.port)} (${config.workers} workers)\n`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const wasServing = serving.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!wasServing) {
      process.stderr.write(`onezone serve: worker ${worker.process.pid} failed to start (${how}); stopping\n`);
      stop(code === 2 ? 2 : 1);
      return;
    }
    process.stderr.write(`onezone serve: worker ${worker.process.pid} exited (${how}); starting a replacement\n`);
    fork();
  });

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  // All start at once; on a fresh database the migration lock and the bootstrap retry in
  // zone.ts let exactly one of them create the schema and the admin account.
  for (let i = 0; i < config.workers; i++) fork();
}
