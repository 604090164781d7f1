import path from 'node:path';
import { parseArgs } from 'node:util';

export type DbConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  /** Serve plain HTTP (behind a TLS-terminating proxy) instead of HTTPS. */
  http: boolean;
  db: DbConfig;
  /** Macaroon location of the tokens we mint. */
  zoneName: string;
  /** Password of the bootstrap `admin` user; generated and printed once when absent. */
  adminPassword: string | undefined;
  /** Zone master key (base64url, ≥ 32 bytes) from the environment; otherwise kept in the data dir. */
  masterKey: Buffer | undefined;
  logLevel: string;
  /** Default lifetime of invite tokens, in seconds. */
  inviteTtl: number;
  /** Lifetime of access tokens from GET /user/client_token, in seconds (RC2: one year). */
  accessTokenTtl: number;
  bodyLimit: number;
}

export class ConfigError extends Error {}

const DEFAULTS = {
  dataDir: './onezone-data',
  host: '0.0.0.0',
  port: 8443,
  zoneName: 'onezone',
  logLevel: 'info',
  inviteTtl: 7 * 24 * 3600,
  accessTokenTtl: 365 * 24 * 3600,
  bodyLimit: 64 * 1024,
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
  const pick = (flag: string | undefined, name: string) => flag ?? env[name];

  const dataDir = path.resolve(pick(values['data-dir'], 'ONEZONE_DATA_DIR') ?? DEFAULTS.dataDir);
  const dbUrl = pick(values.db, 'ONEZONE_DB');
  return {
    dataDir,
    host: pick(values.host, 'ONEZONE_HOST') ?? DEFAULTS.host,
    port: integer('port', pick(values.port, 'ONEZONE_PORT'), DEFAULTS.port, 0, 65535),
    http: values.http ?? boolEnv('ONEZONE_HTTP', env.ONEZONE_HTTP),
    db: parseDb(dbUrl, dataDir),
    zoneName: pick(values['zone-name'], 'ONEZONE_ZONE_NAME') ?? DEFAULTS.zoneName,
    adminPassword: env.ONEZONE_ADMIN_PASSWORD || undefined,
    masterKey: parseMasterKey(env.ONEZONE_MASTER_KEY),
    logLevel: pick(values['log-level'], 'ONEZONE_LOG_LEVEL') ?? DEFAULTS.logLevel,
    inviteTtl: integer('invite-ttl', pick(values['invite-ttl'], 'ONEZONE_INVITE_TTL'), DEFAULTS.inviteTtl, 1, 10 * 365 * 24 * 3600),
    accessTokenTtl: integer('access token ttl', env.ONEZONE_ACCESS_TOKEN_TTL, DEFAULTS.accessTokenTtl, 60, 10 * 365 * 24 * 3600),
    bodyLimit: DEFAULTS.bodyLimit,
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return n;
}

function boolEnv(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be true or false`);
}

function parseDb(url: string | undefined, dataDir: string): DbConfig {
  if (!url) return { kind: 'sqlite', file: path.join(dataDir, 'onezone.sqlite') };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: path.resolve(url.slice('sqlite:'.length)) };
  throw new ConfigError('db must be a postgres://… URL or sqlite:PATH');
}

function parseMasterKey(raw: string | undefined): Buffer | undefined {
  if (!raw) return undefined;
  const key = Buffer.from(raw, 'base64url');
  if (key.length < 32) throw new ConfigError('ONEZONE_MASTER_KEY must be at least 32 bytes, base64url-encoded');
  return key;
}
