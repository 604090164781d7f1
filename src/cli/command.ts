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
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const GLOBAL_USAGE = '[--zone URL] [--json] [--insecure | --ca FILE]';

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
}

export interface Context {
  env: NodeJS.ProcessEnv;
  flags: ConnectionFlags;
  out: Output;
  session: Session | undefined;
  /** The zone named by `--zone`, else `ONEZONE_URL`, else the session's; undefined when none is. */
  zone(): string | undefined;
  /** TLS settings for `zone`: the flags, else what was saved at login for that zone. */
  tls(zone: string): Pick<ClientOptions, 'ca' | 'insecure'>;
  /** An SDK client with the session's access token, for the zone in use. */
  client(): OnezoneClient;
  /** An SDK client with other credentials (login). */
  connect(options: ClientOptions): OnezoneClient;
}

/** `https://host:8443` means the API root under it; ids and paths are appended to what is returned. */
export function zoneUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a URL: '${text}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`the zone URL must be http(s): '${text}'`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/api/v3/onezone';
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

export function createContext(env: NodeJS.ProcessEnv, flags: ConnectionFlags, out: Output): Context & { close(): Promise<void> } {
  const session = readSession(env);
  const opened: OnezoneClient[] = [];
  const connect = (options: ClientOptions) => {
    const c = new OnezoneClient(options);
    opened.push(c);
    return c;
  };
  const zone = () => {
    const given = flags.zone ?? env.ONEZONE_URL;
    return given ? zoneUrl(given) : session?.zone;
  };
  const tls = (z: string) => {
    const saved = session?.zone === z ? session : undefined;
    if (flags.ca !== undefined) return { ca: readCa(flags.ca), insecure: flags.insecure };
    return { ca: saved?.ca, insecure: flags.insecure || saved?.insecure === true };
  };
  return {
    env,
    flags,
    out,
    session,
    zone,
    tls,
    connect,
    client() {
      const z = zone();
      if (!session) throw new CliError(`not logged in; run 'onezone login --zone URL --user LOGIN'`);
      if (!z || session.zone !== z) throw new CliError(`not logged in to ${z}; run 'onezone login --zone ${z} --user LOGIN'`);
      return connect({ baseUrl: z, credentials: { token: session.token }, ...tls(z) });
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
