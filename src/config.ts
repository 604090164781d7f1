import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_COST } from './domain/passwords.js';

export type DbConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  /** Serve plain HTTP (behind a TLS-terminating proxy) instead of HTTPS. */
  http: boolean;
  db: DbConfig;
  /** PostgreSQL connections each process may hold (ignored for SQLite). */
  dbPool: number;
  /** PostgreSQL: the per-request queries as named statements (store/pg-statements.ts); off for poolers that cannot keep them. */
  dbNamedStatements: boolean;
  /** PostgreSQL: how long opening a connection (or waiting for a free one of the pool) may take. */
  dbConnectTimeoutMs: number;
  /** PostgreSQL: how long one statement may run (`statement_timeout`; the client gives up 2 s later on a server that does not answer). */
  dbQueryTimeoutMs: number;
  /** Processes serving the port (node:cluster); more than one needs PostgreSQL. */
  workers: number;
  /** Macaroon location of the tokens we mint. */
  zoneName: string;
  /** Password of the bootstrap `admin` user; generated and printed once when absent. */
  adminPassword: string | undefined;
  /** Zone master key (base64url, ≥ 32 bytes) from the environment; otherwise kept in the data dir. */
  masterKey: Buffer | undefined;
  logLevel: LogLevel;
  /** Default lifetime of invite tokens, in seconds. */
  inviteTtl: number;
  /** Lifetime of access tokens from GET /user/client_token, in seconds (RC2: one year). */
  accessTokenTtl: number;
  bodyLimit: number;
  /** log2 of the scrypt work factor N for new password hashes (15 = 32 MiB per check). */
  passwordCost: number;
  /** Failed Basic logins and token verifications per client address and per login (http/limits.ts). */
  throttle: ThrottleConfig;
  /** Connection and timeout limits of the HTTP server (http/limits.ts). */
  limits: ServerLimits;
  /**
   * Proxies whose `X-Forwarded-For` names the client (Fastify's `trustProxy`): their addresses
   * (IPs or CIDR ranges) or how many hops; false: the peer address is the client.
   */
  trustProxy: string | number | false;
}

export interface ThrottleConfig {
  enabled: boolean;
  /** Failed attempts allowed per window; the next one is answered 429 until the window ends. */
  attempts: number;
  windowSeconds: number;
}

export interface ServerLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export class ConfigError extends Error {}

/** pino's level names (test/unit/config.test.ts checks them against pino's own). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DEFAULTS = {
  dataDir: './onezone-data',
  host: '0.0.0.0',
  port: 8443,
  zoneName: 'onezone',
  logLevel: 'info' as LogLevel,
  inviteTtl: 7 * 24 * 3600,
  accessTokenTtl: 365 * 24 * 3600,
  bodyLimit: 64 * 1024,
  throttle: { attempts: 20, windowSeconds: 300 },
  limits: { maxConnections: 1000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 10_000 },
  dbPool: 10,
  dbConnectTimeoutMs: 5_000,
  dbQueryTimeoutMs: 30_000,
  workers: 1,
};

const options = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  db: { type: 'string' },
  http: { type: 'boolean' },
  'zone-name': { type: 'string' },
  'log-level': { type: 'string' },
  'invite-ttl': { type: 'string' },
  'no-throttle': { type: 'boolean' },
  'trust-proxy': { type: 'string' },
  'db-pool': { type: 'string' },
  workers: { type: 'string' },
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Flags win over environment variables, which win over defaults. */
export function loadConfig(argv: readonly string[], env: Env): Config {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  // An empty variable is an unset one (`ONEZONE_HOST=` in a unit file or compose file); an empty
  // flag is a mistake (`--data-dir "$UNSET"`) that would otherwise mean the current directory.
  const pick = (flag: keyof typeof values, name: string): string | undefined => {
    const given = values[flag];
    if (typeof given === 'string') {
      if (given.trim() === '') throw new ConfigError(`--${flag} must not be empty`);
      return given;
    }
    const fromEnv = env[name];
    return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv;
  };
  // A setting's name as the operator gave it (a refusal says `--port` or `ONEZONE_PORT`), and its value.
  const setting = (flag: keyof typeof values, name: string) => [typeof values[flag] === 'string' ? `--${flag}` : name, pick(flag, name)] as const;

  const dataDir = path.resolve(pick('data-dir', 'ONEZONE_DATA_DIR') ?? DEFAULTS.dataDir);
  return {
    dataDir,
    host: pick('host', 'ONEZONE_HOST') ?? DEFAULTS.host,
    port: integer(...setting('port', 'ONEZONE_PORT'), DEFAULTS.port, 0, 65535),
    http: values.http ?? boolEnv('ONEZONE_HTTP', env.ONEZONE_HTTP),
    db: parseDb(...setting('db', 'ONEZONE_DB'), dataDir),
    dbPool: integer(...setting('db-pool', 'ONEZONE_DB_POOL'), DEFAULTS.dbPool, 1, 1000),
    dbNamedStatements: onOff('ONEZONE_DB_NAMED_STATEMENTS', env.ONEZONE_DB_NAMED_STATEMENTS),
    dbConnectTimeoutMs: integer('ONEZONE_DB_CONNECT_TIMEOUT_MS', env.ONEZONE_DB_CONNECT_TIMEOUT_MS, DEFAULTS.dbConnectTimeoutMs, 100, 600_000),
    dbQueryTimeoutMs: integer('ONEZONE_DB_QUERY_TIMEOUT_MS', env.ONEZONE_DB_QUERY_TIMEOUT_MS, DEFAULTS.dbQueryTimeoutMs, 100, 3_600_000),
    workers: workers(...setting('workers', 'ONEZONE_WORKERS')),
    zoneName: pick('zone-name', 'ONEZONE_ZONE_NAME') ?? DEFAULTS.zoneName,
    adminPassword: env.ONEZONE_ADMIN_PASSWORD || undefined,
    masterKey: parseMasterKey(env.ONEZONE_MASTER_KEY),
    logLevel: logLevel(...setting('log-level', 'ONEZONE_LOG_LEVEL')),
    inviteTtl: integer(...setting('invite-ttl', 'ONEZONE_INVITE_TTL'), DEFAULTS.inviteTtl, 1, 10 * 365 * 24 * 3600),
    accessTokenTtl: integer('ONEZONE_ACCESS_TOKEN_TTL', env.ONEZONE_ACCESS_TOKEN_TTL, DEFAULTS.accessTokenTtl, 60, 10 * 365 * 24 * 3600),
    bodyLimit: DEFAULTS.bodyLimit,
    passwordCost: integer('ONEZONE_PASSWORD_COST', env.ONEZONE_PASSWORD_COST, 15, 10, MAX_COST),
    throttle: {
      enabled: !values['no-throttle'] && onOff('ONEZONE_THROTTLE', env.ONEZONE_THROTTLE),
      attempts: integer('ONEZONE_THROTTLE_ATTEMPTS', env.ONEZONE_THROTTLE_ATTEMPTS, DEFAULTS.throttle.attempts, 1, 1_000_000),
      windowSeconds: integer('ONEZONE_THROTTLE_WINDOW', env.ONEZONE_THROTTLE_WINDOW, DEFAULTS.throttle.windowSeconds, 1, 24 * 3600),
    },
    trustProxy: trustProxy(...setting('trust-proxy', 'ONEZONE_TRUST_PROXY')),
    limits: {
      maxConnections: integer('ONEZONE_MAX_CONNECTIONS', env.ONEZONE_MAX_CONNECTIONS, DEFAULTS.limits.maxConnections, 1, 1_000_000),
      headersTimeoutMs: integer('ONEZONE_HEADERS_TIMEOUT_MS', env.ONEZONE_HEADERS_TIMEOUT_MS, DEFAULTS.limits.headersTimeoutMs, 100, 600_000),
      requestTimeoutMs: integer('ONEZONE_REQUEST_TIMEOUT_MS', env.ONEZONE_REQUEST_TIMEOUT_MS, DEFAULTS.limits.requestTimeoutMs, 100, 3_600_000),
      keepAliveTimeoutMs: integer('ONEZONE_KEEP_ALIVE_TIMEOUT_MS', env.ONEZONE_KEEP_ALIVE_TIMEOUT_MS, DEFAULTS.limits.keepAliveTimeoutMs, 100, 600_000),
    },
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return n;
}

/**
 * `--trust-proxy`: a number of proxy hops, or a comma-separated list of proxy addresses and CIDR
 * ranges. Trusting every address is not offered: any client could then choose its own address
 * (`X-Forwarded-For`) and so escape the per-address throttle.
 */
function trustProxy(name: string, raw: string | undefined): string | number | false {
  if (raw === undefined || raw.trim() === '') return false;
  if (/^\d+$/.test(raw.trim())) return integer(name, raw.trim(), 0, 1, 100);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(`${name} must be a number of hops or a comma-separated list of proxy addresses or CIDR ranges, got '${entry}'`);
    }
  }
  return entries.join(',');
}

function logLevel(name: string, raw: string | undefined): LogLevel {
  if (raw === undefined || raw === '') return DEFAULTS.logLevel;
  const level = LOG_LEVELS.find((l) => l === raw);
  if (level === undefined) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return level;
}

/** `auto` means one worker per core. */
function workers(name: string, raw: string | undefined): number {
  return raw === 'auto' ? os.availableParallelism() : integer(name, raw, DEFAULTS.workers, 1, 256);
}

/** A switch that is on unless the environment turns it off. */
function onOff(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`${name} must be on or off`);
}

function boolEnv(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be true or false`);
}

function parseDb(name: string, url: string | undefined, dataDir: string): DbConfig {
  if (!url) return { kind: 'sqlite', file: path.join(dataDir, 'onezone.sqlite') };
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Not echoed: the URL may hold the database password.
    if (!pgCanParse(url)) throw new ConfigError(`${name} is not a valid postgres:// URL (percent-encode reserved characters of the user name and password, such as @ : / # ?)`);
    return { kind: 'postgres', url };
  }
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: path.resolve(url.slice('sqlite:'.length)) };
  throw new ConfigError(`${name} must be a postgres://… URL or sqlite:PATH`);
}

/** Whether pg (pg-connection-string) can read the URL: it encodes spaces first, and allows `user@/db` (no host). */
function pgCanParse(url: string): boolean {
  const text = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(url) ? encodeURI(url).replace(/%25(\d\d)/g, '%$1') : url;
  return URL.canParse(text) || URL.canParse(text.replace('@/', '@___DUMMY___/'));
}

function parseMasterKey(raw: string | undefined): Buffer | undefined {
  if (!raw) return undefined;
  const key = decodeMasterKey(raw);
  if (key === undefined) throw new ConfigError('ONEZONE_MASTER_KEY must be at least 32 bytes, base64url-encoded');
  return key;
}

/**
 * A master key's text (the environment's, or the data dir's `master.key`): base64url of at least
 * 32 bytes, strictly, else undefined. Node's decoder skips characters it does not know and stops
 * at the first misplaced one, so a garbled or empty key would otherwise become a short one, or none.
 */
export function decodeMasterKey(text: string): Buffer | undefined {
  const key = Buffer.from(text, 'base64url');
  const canonical = /^[A-Za-z0-9_-]*={0,2}$/.test(text) && key.toString('base64url') === text.replace(/=+$/, '');
  return canonical && key.length >= 32 ? key : undefined;
}
