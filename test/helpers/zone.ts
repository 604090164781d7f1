import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after } from 'node:test';
import { OnezoneClient } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { type Zone, openZone } from '../../src/zone.js';
import { createPgDatabase } from './db.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestZone {
  zone: Zone;
  baseUrl: string;
  dataDir: string;
  /** On an HTTPS zone, the server certificate (PEM) its clients trust; the zone CA is in `dataDir/tls`. */
  ca?: string;
  /** Everything the server logged, for leak checks. */
  logs: () => string;
  admin: OnezoneClient;
  client(credentials?: ConstructorParameters<typeof OnezoneClient>[0]['credentials']): OnezoneClient;
  /** A new user (made through the admin API) with a client authenticated by access token. */
  user(name?: string): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  login: string;
  password: string;
  token: string;
  api: OnezoneClient;
}

let seq = 0;

/** Which database test zones use: ONEZONE_TEST_DB=postgres selects PostgreSQL, else SQLite. */
export const TEST_DB: 'sqlite' | 'postgres' = process.env.ONEZONE_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/**
 * A real zone on 127.0.0.1 (plain HTTP, random port), with its own temporary data dir and
 * database, closed when the test file ends. The database is SQLite in the data dir, or with
 * ONEZONE_TEST_DB=postgres a fresh database on the test PostgreSQL server (test/helpers/db.ts),
 * dropped on close. With `https: true` it serves HTTPS with mutual TLS as `onezone serve` does
 * (for provider certificates); its clients trust the self-signed server certificate, `ca`.
 */
export async function startZone(
  opts: { env?: Record<string, string>; clock?: () => number; logLevel?: string; https?: boolean } = {},
): Promise<TestZone> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-test-'));
  const pgDb = TEST_DB === 'postgres' && opts.env?.ONEZONE_DB === undefined ? await createPgDatabase() : undefined;
  const config = loadConfig(['--data-dir', dataDir, ...(opts.https ? [] : ['--http']), '--port', '0', '--host', '127.0.0.1'], {
    ONEZONE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ONEZONE_LOG_LEVEL: opts.logLevel ?? 'info',
    ONEZONE_THROTTLE: 'off',
    // scrypt at 2^12 (4 MiB) instead of 2^15: the same code path, an eighth of the time per user.
    ONEZONE_PASSWORD_COST: '12',
    // Many zones run at once in a test run; keep each one's share of the server's connections small.
    ...(pgDb ? { ONEZONE_DB: pgDb.url, ONEZONE_DB_POOL: '4' } : {}),
    ...opts.env,
  });
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  let zone: Zone;
  try {
    zone = await openZone(config, { logStream: stream, clock: opts.clock });
  } catch (err) {
    await pgDb?.drop();
    throw err;
  }
  recordRoutes(zone);
  await zone.app.listen({ port: 0, host: '127.0.0.1' });
  const address = zone.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const ca = opts.https ? fs.readFileSync(path.join(dataDir, 'tls', 'server.crt'), 'utf8') : undefined;
  const baseUrl = `${ca ? 'https' : 'http'}://127.0.0.1:${port}/api/v3/onezone`;
  const clients: OnezoneClient[] = [];
  const client = (credentials?: TestZoneCredentials) => {
    const c = new OnezoneClient({ baseUrl, credentials, ca });
    clients.push(c);
    return c;
  };
  const admin = client({ basic: { login: 'admin', password: ADMIN_PASSWORD } });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(clients.map((c) => c.close()));
    await zone.close();
    await pgDb?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  after(close);

  return {
    zone,
    baseUrl,
    dataDir,
    ca,
    logs: () => Buffer.concat(chunks).toString('utf8'),
    admin,
    client,
    async user(name = 'user') {
      const login = `${name}-${process.pid}-${++seq}`;
      const password = passwordOf(login);
      const created = await admin.users.create({ login, password, name });
      const basic = client({ basic: { login, password } });
      const token = await basic.user.clientToken();
      return { id: created.userId, login, password, token, api: client({ token }) };
    },
    close,
  };
}

/** The password `TestZone.user` gives the user of this login. */
export const passwordOf = (login: string): string => `pw-${login}-secret`;

type TestZoneCredentials = ConstructorParameters<typeof OnezoneClient>[0]['credentials'];

/**
 * With ONEZONE_RECORD_ROUTES=DIR, every answered request is appended to DIR as
 * `METHOD route status test-file` (scripts/api-coverage.ts turns that into docs/api-coverage.md).
 */
function recordRoutes(zone: Zone): void {
  const dir = process.env.ONEZONE_RECORD_ROUTES;
  if (!dir) return;
  const file = path.join(dir, `${process.pid}.tsv`);
  const testFile = process.argv[1] ?? 'unknown';
  zone.app.addHook('onResponse', async (request, reply) => {
    fs.appendFileSync(file, `${request.method}\t${request.routeOptions.url}\t${reply.statusCode}\t${testFile}\n`);
  });
}
