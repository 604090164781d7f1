import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ApiError, invalidField } from '../errors.js';

/**
 * `check_my_ports`: the zone calls a provider's own URLs back to tell it which are reachable.
 * Anonymous callers choose the URLs, so this must not become a way to reach anything else
 * (server-side request forgery): only http(s), only the caller's own address, few URLs, short
 * timeouts, small reads, no redirects.
 */

export const MAX_URLS = 16;
const TIMEOUT_MS = 2000;
const MAX_BODY_BYTES = 1024;

export type PortStatus = 'ok' | 'error';

/** The 2016 server's `{"<service>": "<url>"}` or the swagger's `["<url>", …]`. */
export type PortCheckRequest = Record<string, string> | string[];
export type PortCheckResult = Record<string, PortStatus> | [string, PortStatus][];

/** IPv4 peers of a dual-stack listener appear as `::ffff:a.b.c.d`; the caller knows itself as `a.b.c.d`. */
export function normalizeIp(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1]! : address).toLowerCase();
}

interface Target {
  url: URL;
  /** What a successful answer's body must be; undefined when any 200 will do. */
  expect: string | undefined;
}

export async function checkMyPorts(peerAddress: string, body: PortCheckRequest): Promise<PortCheckResult> {
  const peer = normalizeIp(peerAddress);
  const entries: [string | undefined, string][] = Array.isArray(body)
    ? body.map((url) => [undefined, url])
    : Object.entries(body);
  if (entries.length === 0) throw new ApiError('invalidRequest', 'Give at least one URL to check.');
  if (entries.length > MAX_URLS) throw new ApiError('invalidRequest', `At most ${MAX_URLS} URLs can be checked at once.`);
  const targets = await Promise.all(entries.map(([service, url]) => target(peer, service, url)));
  const statuses = await Promise.all(targets.map(probe));
  if (Array.isArray(body)) return body.map((url, i): [string, PortStatus] => [url, statuses[i]!]);
  return Object.fromEntries(entries.map(([, url], i) => [url, statuses[i]!]));
}

/** Refuses, before any connection, every URL that does not point at the caller itself. */
async function target(peer: string, service: string | undefined, text: string): Promise<Target & { address: string }> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidField('url', 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidField('url', 'only http and https URLs can be checked');
  if (url.username || url.password) throw invalidField('url', 'URLs with credentials are not checked');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [host] : await resolve(host);
  // Every address the name has must be the caller's: the connection goes to exactly that one.
  if (addresses.length === 0 || addresses.some((a) => normalizeIp(a) !== peer)) {
    throw invalidField('url', "only the caller's own address can be checked");
  }
  return { url, address: peer, expect: service === undefined || service === 'undefined' ? undefined : service };
}

async function resolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

/** One GET to the already-verified address (no second name lookup): 200 and, if asked, the expected body. */
function probe({ url, address, expect }: Target & { address: string }): Promise<PortStatus> {
  return new Promise((done) => {
    const transport = url.protocol === 'https:' ? https : http;
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const req = transport.request(
      {
        host: address,
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { host: url.host, accept: '*/*' },
        // Reachability is the question, not the provider's certificate (often self-signed).
        rejectUnauthorized: false,
        ...(isIP(hostname) === 0 && { servername: hostname }),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy();
            done('error');
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          done(res.statusCode === 200 && (expect === undefined || text === expect) ? 'ok' : 'error');
        });
        res.on('error', () => done('error'));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('timeout')), TIMEOUT_MS);
    req.on('close', () => clearTimeout(timer));
    req.on('error', () => done('error'));
    req.end();
  });
}
