import { createHmac } from 'node:crypto';
import { addFirstPartyCaveat, mint, parse, serialize, verify } from './macaroon.js';
import { parseCaveat } from './caveats.js';

/**
 * Minting and signature verification of our tokens: pure functions of the zone master key.
 * The macaroon root key is HMAC(master key, identifier), so the database holds no keys and
 * a token's signature can be checked before any database access.
 */

export function rootKey(masterKey: Buffer, identifier: string): Buffer {
  return createHmac('sha256', masterKey).update('onezone token root key\0').update(identifier).digest();
}

/**
 * Key of a third-party caveat located at this zone (provider-mediated login): derived like a root
 * key but under its own label, so a caveat id can never double as a token identifier.
 */
export function caveatKey(masterKey: Buffer, caveatId: string): Buffer {
  return createHmac('sha256', masterKey).update('onezone caveat key\0').update(caveatId).digest();
}

export function mintToken(masterKey: Buffer, location: string, identifier: string, caveats: readonly string[]): string {
  let m = mint(rootKey(masterKey, identifier), location, identifier);
  for (const c of caveats) m = addFirstPartyCaveat(m, c);
  return serialize(m);
}

/** What a token with a proven signature claims. */
export interface TokenClaims {
  id: string;
  /** The token type its `tokenType` caveats name (they all agree); null when it has none. */
  type: string | null;
  /** Earliest `time <` bound, in Unix seconds; undefined when the token has none. */
  notAfter: number | undefined;
  /**
   * The requests it may authenticate, from `method = …` and `rootResource in …` caveats (each
   * narrows: the sets are intersected); undefined when it has none. See `allowsRequest`.
   */
  methods?: ReadonlySet<string>;
  roots?: ReadonlySet<string>;
  /** The ids of the token's own third-party caveats, when it came with discharges. */
  thirdParty?: readonly string[];
}

/** A request as the request caveats see it: its method and the first segment of its path under the API root. */
export interface RequestScope {
  method: string;
  root: string;
}

/** Whether a token's request caveats allow this request (HEAD counts as GET, which it is without a body). */
export function allowsRequest(claims: TokenClaims, request: RequestScope): boolean {
  const { methods, roots } = claims;
  const method = methods === undefined || methods.has(request.method) || (request.method === 'HEAD' && methods.has('GET'));
  return method && (roots === undefined || roots.has(request.root));
}

/** Whether a token carries request caveats at all (an invite or anything not sent as a credential cannot honour them). */
export const hasRequestCaveats = (claims: TokenClaims): boolean => claims.methods !== undefined || claims.roots !== undefined;

/**
 * Parses and verifies a token's signature and caveat syntax. Returns undefined for anything
 * malformed, forged, carrying a caveat we do not know or `tokenType` caveats that disagree; time is NOT checked here so that the
 * caller can say "expired" once the signature is proven. `discharges` are the bound discharge
 * macaroons of its third-party caveats; their first-party caveats count like the token's own.
 */
export function verifyToken(masterKey: Buffer, text: string, discharges: readonly string[] = []): TokenClaims | undefined {
  if (discharges.length > 0) return verifySignature(masterKey, text, discharges);
  let memo = proven.get(masterKey);
  const known = memo?.get(text);
  if (known) return known;
  const claims = verifySignature(masterKey, text, discharges);
  if (claims && text.length <= MAX_PROVEN_LENGTH) {
    if (!memo) proven.set(masterKey, (memo = new Map()));
    if (memo.size >= MAX_PROVEN) memo.delete(memo.keys().next().value!);
    memo.set(text, Object.freeze(claims));
  }
  return claims;
}

/**
 * Tokens whose signature was proven, per master key: the claims are a pure function of the text
 * and the key, so they never go stale (expiry, revocation and use counts are checked by the
 * callers against the clock and the database on every use). Only proven tokens are kept (a
 * forged one is never stored), the oldest dropped first, so memory stays bounded.
 */
const MAX_PROVEN = 10_000;
/**
 * Longer texts are proven every time instead: the zone's tokens are a few hundred characters
 * (with a holder's caveats, a few more), and a memory of 10,000 texts of up to 64 KiB each (one
 * token padded or re-caveated 10,000 ways) would hold 640 MB.
 */
const MAX_PROVEN_LENGTH = 2048;
const proven = new WeakMap<Buffer, Map<string, Readonly<TokenClaims>>>();

function verifySignature(masterKey: Buffer, text: string, discharges: readonly string[]): TokenClaims | undefined {
  let m;
  let bound;
  try {
    m = parse(text);
    bound = discharges.map(parse);
  } catch {
    return undefined;
  }
  const types = new Set<string>();
  let notAfter: number | undefined;
  let methods: Set<string> | undefined;
  let roots: Set<string> | undefined;
  const narrow = (allowed: Set<string> | undefined, these: readonly string[]) =>
    allowed === undefined ? new Set(these) : new Set(these.filter((x) => allowed.has(x)));
  const ok = verify(m, rootKey(masterKey, m.identifier), (predicate) => {
    const c = parseCaveat(predicate);
    if (!c) return false;
    if (c.kind === 'tokenType') types.add(c.type);
    else if (c.kind === 'time') notAfter = notAfter === undefined ? c.notAfter : Math.min(notAfter, c.notAfter);
    else if (c.kind === 'method') methods = narrow(methods, [c.method]);
    else roots = narrow(roots, c.roots);
    return true;
  }, bound);
  // Each caveat narrows what the token may do: two different types leave it nothing (a holder who
  // adds one must never get back the untyped token's powers).
  if (!ok || types.size > 1) return undefined;
  const thirdParty = m.caveats.flatMap((c) => (c.kind === 'third' ? [c.cid] : []));
  return { id: m.identifier, type: types.size === 1 ? [...types][0]! : null, notAfter, ...(methods && { methods }), ...(roots && { roots }), thirdParty };
}
