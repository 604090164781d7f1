import fs from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { type ClientOptions, OnezoneClient } from '../client/index.js';
import { CliError, UsageError } from './errors.js';
import type { Output } from './output.js';
import { type Session, readSession } from './session.js';

/** The flags every command accepts, besides its own. */
export const GLOBAL_OPTIONS = {
  zone: { type: 'string' },
  json: { type: 'boolean' },
  insecure: { type: 'boolean' },
  ca: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const GLOBAL_USAGE = '[--zone URL] [--json] [--insecure | --ca FILE] [--timeout SECONDS]';

/** How long one request to the zone may take unless `--timeout` or `ONEZONE_TIMEOUT` say otherwise. */
const DEFAULT_TIMEOUT_SECONDS = 30;

export interface Invocation {
  args: string[];
  opts: Record<string, string | boolean | undefined>;
}

export interface Command {
  /** `spaces invite`: the words that select it. */
  name: string;
  /** What follows the name in the usage line, e.g. `ID [--uses N|unlimited]`. */
  params: string;
  summary: string;
  /** More text for `--help`, after the summary. */
  details?: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes: [min, max]. */
  arity: readonly [number, number];
  run(ctx: Context, inv: Invocation): Promise<void>;
}

export const usageOf = (c: Command): string => `Usage: onezone ${c.name}${c.params ? ` ${c.params}` : ''} ${GLOBAL_USAGE}`;

export interface ConnectionFlags {
  zone?: string;
  insecure: boolean;
  ca?: string;
  /** `--timeout SECONDS`, else `ONEZONE_TIMEOUT`. */
  timeout?: string;
}

export interface Context {
  env: NodeJS.ProcessEnv;
  flags: ConnectionFlags;
  out: Output;
  /** The saved session, read on first use; a file that cannot be read or is damaged is an error here. */
  session(): Session | undefined;
  /** The saved session, or undefined when there is none or it cannot be read: for defaults, and for `login`, which replaces it. */
  saved(): Session | undefined;
  /** The zone named by `--zone`, else `ONEZONE_URL`, else the session's; undefined when none is. */
  zone(): string | undefined;
  /**
   * TLS settings for `zone`: the flags, else what was saved at login for that zone. `login` takes
   * its flags only (`fromSession` false): logging in again without `--insecure` checks the
   * certificate again.
   */
  tls(zone: string, fromSession?: boolean): Pick<ClientOptions, 'ca' | 'insecure'>;
  /** An SDK client with the session's access token, for the zone in use. */
  client(): OnezoneClient;
  /** An SDK client with other credentials (login). */
  connect(options: ClientOptions): OnezoneClient;
}

/** A URL as an error may show it: what stands before an `@` in its authority is dropped, a password perhaps. */
export const withoutUserInfo = (text: string): string => text.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1');

/** `https://host:8443` means the API root under it; ids and paths are appended to what is returned. */
export function zoneUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a URL: '${withoutUserInfo(text)}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`the zone URL must be http(s): '${withoutUserInfo(text)}'`);
  // Not echoed: the password would be repeated in every message that names the zone.
  if (url.username || url.password) throw new UsageError('the zone URL must not hold a user name or password: use --user LOGIN');
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/api/v3/onezone';
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** `--timeout SECONDS` (else `ONEZONE_TIMEOUT`, else 30) in milliseconds. */
export function timeoutMs(flags: ConnectionFlags, env: NodeJS.ProcessEnv): number {
  const text = flags.timeout ?? env.ONEZONE_TIMEOUT;
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
  if (!/^[1-9]\d{0,5}$/.test(text)) {
    throw new UsageError(`${flags.timeout === undefined ? 'ONEZONE_TIMEOUT' : '--timeout'} must be a positive whole number of seconds`);
  }
  return Number(text) * 1000;
}

export function createContext(env: NodeJS.ProcessEnv, flags: ConnectionFlags, out: Output): Context & { close(): Promise<void> } {
  // Read on first use: `login` and `logout` must work whatever the file holds.
  let read: { session?: Session; error?: unknown } | undefined;
  const load = () => {
    if (!read) {
      try {
        read = { session: readSession(env) };
      } catch (error) {
        read = { error };
      }
    }
    return read;
  };
  const session = () => {
    const r = load();
    if (r.error) throw r.error;
    return r.session;
  };
  const saved = () => load().session;
  const timeout = timeoutMs(flags, env);
  const opened: OnezoneClient[] = [];
  const connect = (options: ClientOptions) => {
    const c = new OnezoneClient({ timeoutMs: timeout, ...options });
    opened.push(c);
    return c;
  };
  const given = flags.zone ?? env.ONEZONE_URL;
  // Checked for every command, those that do not use it too (`logout` revokes at the session's
  // zone): a URL with a password in it is refused wherever it is given.
  const named = given ? zoneUrl(given) : undefined;
  const zone = () => named ?? saved()?.zone;
  const tls = (z: string, fromSession = true) => {
    const same = fromSession && saved()?.zone === z ? saved() : undefined;
    if (flags.ca !== undefined) return { ca: readCa(flags.ca), insecure: flags.insecure };
    return { ca: same?.ca, insecure: flags.insecure || same?.insecure === true };
  };
  return {
    env,
    flags,
    out,
    session,
    saved,
    zone,
    tls,
    connect,
    client() {
      const z = zone();
      const current = session();
      if (!current) throw new CliError(`not logged in; run 'onezone login --zone URL --user LOGIN'`);
      if (!z || current.zone !== z) throw new CliError(`not logged in to ${z}; run 'onezone login --zone ${z} --user LOGIN'`);
      return connect({ baseUrl: z, credentials: { token: current.token }, ...tls(z) });
    },
    async close() {
      await Promise.all(opened.map((c) => c.close()));
    },
  };
}

function readCa(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the CA file ${file}: ${(err as Error).message}`);
  }
}

/** Runs `fn` over `items` a few at a time: a long member list must not open a connection per member. */
export async function mapFew<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, width = 8): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
