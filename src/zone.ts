import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Services, buildApp } from './app.js';
import type { KeyAndCert } from './crypto/certs.js';
import type { Config } from './config.js';
import { bootstrap } from './domain/bootstrap.js';
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
 * bootstrap entities, TLS material, the HTTP app.
 */
export async function openZone(config: Config, opts: { logStream?: NodeJS.WritableStream; clock?: () => number } = {}): Promise<Zone> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const masterKey = config.masterKey ?? readOrCreateSecret(path.join(config.dataDir, 'master.key'));
  const conn: Connection = await connect(config.db, { poolSize: config.dbPool, namedStatements: config.dbNamedStatements });
  try {
    await migrateToLatest(conn.db);
    const store = createStore(conn);
    const clock = opts.clock ?? systemClock;
    const { generatedPassword } = await bootstrapOnce({ store, clock, ids: newId }, config.adminPassword, config.passwordCost);
    const zoneCa = await loadZoneCa(config.dataDir, config.zoneName);
    const https = config.http ? undefined : { ...(await serverTls(config.dataDir)), ...clientCertOptions(zoneCa) };
    const limits = serverLimitOptions(config.limits);
    const { app, services } = buildApp({
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
    applyConnectionCap(app.server, config.limits);
    return {
      app,
      services,
      store,
      generatedAdminPassword: generatedPassword,
      close: async () => {
        await app.close();
        await conn.close();
      },
    };
  } catch (err) {
    await conn.close();
    throw err;
  }
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

/** A 32-byte secret kept in a file readable by its owner only; created on first use. */
function readOrCreateSecret(file: string): Buffer {
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, key.toString('base64url') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return key;
}

/**
 * The zone CA, made on first start beside the server certificate (key mode 0600). Every zone
 * process serving one database must share it (docs/providers.md).
 */
async function loadZoneCa(dataDir: string, zoneName: string): Promise<KeyAndCert> {
  const dir = path.join(dataDir, 'tls');
  const keyFile = path.join(dir, 'zone-ca.key');
  const certFile = path.join(dir, 'zone-ca.crt');
  if (fs.existsSync(keyFile) && fs.existsSync(certFile)) {
    return { keyPem: fs.readFileSync(keyFile, 'utf8'), certPem: fs.readFileSync(certFile, 'utf8') };
  }
  const { createZoneCa, loadOrCreate } = await import('./crypto/certs.js');
  return loadOrCreate(dir, 'zone-ca', () => createZoneCa(zoneName));
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
  const keyFile = path.join(dir, 'server.key');
  const certFile = path.join(dir, 'server.crt');
  if (!fs.existsSync(keyFile) || !fs.existsSync(certFile)) {
    const { createSelfSignedServerCert, loadOrCreate } = await import('./crypto/certs.js');
    await loadOrCreate(dir, 'server', () => createSelfSignedServerCert([os.hostname()]));
  }
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
}
