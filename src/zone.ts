import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Services, buildApp } from './app.js';
import type { KeyAndCert } from './crypto/certs.js';
import { type Config, ConfigError, decodeMasterKey } from './config.js';
import { matchingPair } from './crypto/pair.js';
import { createFileOnce, makePrivateDir } from './files.js';
import { bootstrap } from './domain/bootstrap.js';
import { verifyPassword } from './domain/passwords.js';
import { purgeDeadTokens } from './domain/tokens.js';
import { applyConnectionCap, serverLimitOptions } from './http/limits.js';
import { newId, systemClock } from './domain/deps.js';
import { type Connection, connect } from './store/db.js';
import { violatedConstraint } from './store/dialect.js';
import { type Store, createStore } from './store/index.js';
import { migrateToLatest } from './store/migrate.js';

export interface Zone {
  app: FastifyInstance;
  services: Services;
  store: Store;
  /** Set on the very first start when no admin password was configured: shown once, never stored. */
  generatedAdminPassword: string | undefined;
  close(): Promise<void>;
}

/**
 * Everything `onezone serve` needs, ready to listen: data dir, master key, database (migrated),
 * TLS material, the HTTP app, and last the bootstrap entities.
 */
export async function openZone(config: Config, opts: { logStream?: NodeJS.WritableStream; clock?: () => number } = {}): Promise<Zone> {
  const warnings = ownDataDir(config.dataDir);
  const masterKey = config.masterKey ?? readOrCreateSecret(path.join(config.dataDir, 'master.key'));
  const conn: Connection = await connect(config.db, {
    poolSize: config.dbPool,
    namedStatements: config.dbNamedStatements,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    queryTimeoutMs: config.dbQueryTimeoutMs,
  });
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(conn.db);
    const store = createStore(conn);
    const clock = opts.clock ?? systemClock;
    const zoneCa = await loadZoneCa(config.dataDir, config.zoneName, warnings);
    const https = config.http ? undefined : { ...(await serverTls(config.dataDir)), ...clientCertOptions(zoneCa) };
    const limits = serverLimitOptions(config.limits);
    const { app: built, services } = buildApp({
      config,
      store,
      masterKey,
      zoneCa,
      clock,
      logStream: opts.logStream,
      sqliteStats: conn.sqliteStats,
      poolStats: conn.poolStats,
      server: { ...limits.fastify, ...(https ? { https: { ...https, ...limits.nodeServer } } : { http: limits.nodeServer }) },
    });
    app = built;
    applyConnectionCap(built.server, config.limits);
    for (const warning of warnings) built.log.warn(warning);
    // Last: a password generated here is shown only once, by the caller, so nothing that can
    // fail may come between its commit and the return.
    const { generatedPassword, existingAdminHash } = await bootstrapOnce({ store, clock, ids: newId }, config.adminPassword, config.passwordCost);
    if (config.adminPassword !== undefined && existingAdminHash !== undefined) warnIfStale(config.adminPassword, existingAdminHash, built.log);
    const purge = everyHour(async () => {
      const count = await purgeDeadTokens({ store, clock });
      if (count > 0) built.log.info({ count }, 'purged long-expired and orphaned tokens');
    }, built.log);
    return {
      app: built,
      services,
      store,
      generatedAdminPassword: generatedPassword,
      close: async () => {
        await purge.stop();
        await built.close();
        await conn.close();
      },
    };
  } catch (err) {
    await app?.close();
    await conn.close();
    throw err;
  }
}

/**
 * Housekeeping: `task` a minute after the start, then every hour, never two at once; its
 * failures are logged (the next run tries again). `stop` waits for a run under way.
 */
export function everyHour(task: () => Promise<void>, log: FastifyInstance['log']): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= task()
      .catch((err: unknown) => log.warn({ err }, 'housekeeping failed'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(run, 60_000).unref();
  const hourly = setInterval(run, 3_600_000).unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(hourly);
      await running;
    },
  };
}

/**
 * The data dir, private to its owner: created 0700, or, when it exists with access for others,
 * narrowed to its owner (what the zone keeps there is the database, the master key and the TLS
 * keys). Returns what the log should warn about.
 */
function ownDataDir(dir: string): string[] {
  makePrivateDir(dir);
  // No POSIX modes (Windows): nothing to check.
  if (process.getuid === undefined) return [];
  const { mode, uid } = fs.statSync(dir);
  if ((mode & 0o077) === 0) return [];
  const was = (mode & 0o777).toString(8).padStart(4, '0');
  if (uid !== process.getuid()) return [`the data dir ${dir} (mode ${was}) is accessible to other users and owned by another; make it private to this user (chmod 700)`];
  fs.chmodSync(dir, mode & 0o700);
  return [`the data dir ${dir} was accessible to other users (mode ${was}); changed to ${(mode & 0o700).toString(8).padStart(4, '0')}`];
}

/**
 * ONEZONE_ADMIN_PASSWORD is read on the first start only: say so when it no longer opens the
 * account, which is what an operator who changed it there expects. The KDF runs off the event loop
 * and the start does not wait for it.
 */
function warnIfStale(password: string, hash: string, log: FastifyBaseLogger): void {
  verifyPassword(password, hash).then(
    (same) => {
      if (!same) log.warn('ONEZONE_ADMIN_PASSWORD is not the password of the admin account and was ignored: it is read on the first start only; change the password with `onezone password` (PATCH /user/password)');
    },
    () => undefined,
  );
}

/**
 * Processes starting together on one fresh PostgreSQL database race to bootstrap; the loser's
 * insert violates a key, and a second attempt finds the winner's rows and changes nothing.
 */
async function bootstrapOnce(...args: Parameters<typeof bootstrap>): ReturnType<typeof bootstrap> {
  try {
    return await bootstrap(...args);
  } catch (err) {
    if (violatedConstraint(err) === undefined) throw err;
    return bootstrap(...args);
  }
}

/**
 * A 32-byte secret kept in a file readable by its owner only; created on first use. A file that
 * holds no valid key (empty, truncated, edited) stops the start: signing with it would let anyone
 * forge tokens, and replacing it would invalidate every token.
 */
function readOrCreateSecret(file: string): Buffer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const key = randomBytes(32);
    // Another process of this data dir (a --workers sibling) may create it at the same moment:
    // whoever links first wins, and the other reads the winner's key.
    if (createFileOnce(file, key.toString('base64url') + '\n', 0o600)) return key;
    text = fs.readFileSync(file, 'utf8');
  }
  const key = decodeMasterKey(text.trim());
  if (key === undefined) {
    throw new ConfigError(
      `${file} holds no valid master key (at least 32 bytes, base64url-encoded): restore it from a backup, or delete it to make a new one (every token issued so far then becomes invalid)`,
    );
  }
  return key;
}

/**
 * The zone CA, made on first start beside the server certificate (key mode 0600). Every zone
 * process serving one database must share it (docs/providers.md).
 */
async function loadZoneCa(dataDir: string, zoneName: string, warnings: string[]): Promise<KeyAndCert> {
  const dir = path.join(dataDir, 'tls');
  const inPlace = matchingPair(dir, 'zone-ca');
  if (inPlace) return inPlace;
  const keyFile = path.join(dir, 'zone-ca.key');
  const lostKey = fs.existsSync(path.join(dir, 'zone-ca.crt')) && !fs.existsSync(keyFile);
  const { createZoneCa, loadOrCreate } = await import('./crypto/certs.js');
  const ca = await loadOrCreate(dir, 'zone-ca', (keys) => createZoneCa(zoneName, keys));
  if (lostKey) {
    warnings.push(`${keyFile} was missing: a new zone CA was made, and the certificates issued to providers before no longer chain to it (restore the key from a backup to keep them)`);
  }
  return ca;
}

/**
 * Mutual TLS for providers: ask every client for a certificate but require none (users have
 * none); http/auth.ts decides what a presented certificate is worth, so a foreign or expired
 * one gets a 401 with a body instead of a failed handshake.
 */
function clientCertOptions(zoneCa: KeyAndCert) {
  return { ca: zoneCa.certPem, requestCert: true, rejectUnauthorized: false };
}

/** The self-signed server certificate, made on first start (the certificate code loads only then). */
async function serverTls(dataDir: string): Promise<{ key: string; cert: string }> {
  const dir = path.join(dataDir, 'tls');
  let pair = matchingPair(dir, 'server');
  if (!pair) {
    const { createSelfSignedServerCert, loadOrCreate } = await import('./crypto/certs.js');
    pair = await loadOrCreate(dir, 'server', (keys) => createSelfSignedServerCert([os.hostname()], keys));
  }
  return { key: pair.keyPem, cert: pair.certPem };
}
