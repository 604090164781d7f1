import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import nacl from 'tweetnacl';

/**
 * libmacaroons V1 ("binary") macaroons: codec, minting, attenuation and verification.
 * Pure and synchronous. Our own because the npm `macaroon` package cannot read V1, which is what
 * Onedata's tokens are. Formulas follow libmacaroons `macaroons.c` (and agree with pymacaroons).
 */

export interface FirstPartyCaveat { kind: 'first'; cid: string }
export interface ThirdPartyCaveat { kind: 'third'; cid: string; vid: Buffer; location: string }
export type Caveat = FirstPartyCaveat | ThirdPartyCaveat;
export interface Macaroon {
  readonly location: string;
  readonly identifier: string;
  readonly caveats: readonly Caveat[];
  readonly signature: Buffer;
}

/** The only error `parse` and `parseBinary` throw. Messages never contain the token. */
export class MacaroonFormatError extends Error {
  override readonly name = 'MacaroonFormatError';
}

/** Longest token text `parse` accepts, in characters. */
export const MAX_TOKEN_LENGTH = 64 * 1024;
/**
 * The zone mints at most three caveats and a holder may add a few; each costs an HMAC to verify,
 * so a text of thousands (a 64 KiB forgery) is refused before any of them is checked.
 */
export const MAX_CAVEATS = 64;

const SIGNATURE_BYTES = 32;
const NONCE_BYTES = nacl.secretbox.nonceLength;
/** nonce || secretbox(32-byte key): the only vid shape libmacaroons creates or can open. */
const VID_BYTES = NONCE_BYTES + nacl.secretbox.overheadLength + SIGNATURE_BYTES;
/** The 4 hex digits of a packet's length cap it at 0xffff bytes, header included. */
const MAX_PACKET_BYTES = 0xffff;

const KEY_GENERATOR = Buffer.alloc(32);
KEY_GENERATOR.write('macaroons-key-generator', 'latin1');
const ZERO_KEY = Buffer.alloc(32);

function hmac(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** libmacaroons `macaroon_hash2`: HMAC(key, HMAC(key, a) || HMAC(key, b)). */
function hash2(key: Uint8Array, a: Uint8Array | string, b: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(hmac(key, a)).update(hmac(key, b)).digest();
}

/** libmacaroons `generate_derived_key`: root keys of any length become 32-byte HMAC keys. */
function deriveKey(rootKey: Uint8Array): Buffer {
  return hmac(KEY_GENERATOR, rootKey);
}

/** libmacaroons `macaroon_bind`, used by `macaroon_prepare_for_request` and when verifying. */
function bind(rootSignature: Uint8Array, dischargeSignature: Uint8Array): Buffer {
  return hash2(ZERO_KEY, rootSignature, dischargeSignature);
}

// ---------------------------------------------------------------------------------------------
// Minting and attenuation

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Rejects what could not survive serialize -> parse unchanged. */
function assertEncodable(key: string, value: string): void {
  // UTF-8 has no encoding for a lone surrogate: it would come back as U+FFFD and break the signature.
  if (LONE_SURROGATE.test(value)) throw new RangeError(`macaroon ${key} is not well-formed Unicode`);
  if (packetSize(key, Buffer.byteLength(value)) > MAX_PACKET_BYTES) {
    throw new RangeError(`macaroon ${key} is too long for a V1 packet`);
  }
}

function withCaveat(m: Macaroon, caveat: Caveat, signature: Buffer): Macaroon {
  return { location: m.location, identifier: m.identifier, caveats: [...m.caveats, caveat], signature };
}

export function mint(rootKey: Buffer, location: string, identifier: string): Macaroon {
  assertEncodable('location', location);
  assertEncodable('identifier', identifier);
  return { location, identifier, caveats: [], signature: hmac(deriveKey(rootKey), identifier) };
}

/** Returns a new macaroon; `m` is left as it was. */
export function addFirstPartyCaveat(m: Macaroon, predicate: string): Macaroon {
  assertEncodable('cid', predicate);
  return withCaveat(m, { kind: 'first', cid: predicate }, hmac(m.signature, predicate));
}

/**
 * Returns a new macaroon whose caveat `caveatId` is discharged by a macaroon minted with
 * `caveatRootKey` and identifier `caveatId`. The derived caveat key is sealed under the current
 * signature (libmacaroons `macaroon_add_third_party_caveat`); `nonce` is random unless given.
 */
export function addThirdPartyCaveat(
  m: Macaroon,
  caveatRootKey: Buffer,
  caveatId: string,
  location: string,
  nonce: Buffer = randomBytes(NONCE_BYTES),
): Macaroon {
  assertEncodable('cid', caveatId);
  assertEncodable('cl', location);
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  const sealed = nacl.secretbox(deriveKey(caveatRootKey), nonce, m.signature);
  const vid = Buffer.concat([nonce, sealed]);
  return withCaveat(m, { kind: 'third', cid: caveatId, vid, location }, hash2(m.signature, vid, caveatId));
}

/** Returns `discharge` bound to `root`, as sent with a request (libmacaroons `macaroon_prepare_for_request`). */
export function bindForRequest(root: Macaroon, discharge: Macaroon): Macaroon {
  return { ...discharge, signature: bind(root.signature, discharge.signature) };
}

// ---------------------------------------------------------------------------------------------
// Serialization

function packetSize(key: string, valueBytes: number): number {
  return 4 + key.length + 1 + valueBytes + 1;
}

/** V1 packets: `<4 lowercase hex digits of the packet length><key> <value>\n`. */
export function serializeBinary(m: Macaroon): Buffer {
  const fields: [string, Buffer][] = [
    ['location', Buffer.from(m.location)],
    ['identifier', Buffer.from(m.identifier)],
  ];
  for (const c of m.caveats) {
    fields.push(['cid', Buffer.from(c.cid)]);
    if (c.kind === 'third') fields.push(['vid', c.vid], ['cl', Buffer.from(c.location)]);
  }
  fields.push(['signature', m.signature]);

  let total = 0;
  for (const [key, value] of fields) total += packetSize(key, value.length);
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const [key, value] of fields) {
    const size = packetSize(key, value.length);
    if (size > MAX_PACKET_BYTES) throw new RangeError(`macaroon ${key} is too long for a V1 packet`);
    offset += out.write(size.toString(16).padStart(4, '0'), offset, 'latin1');
    offset += out.write(key, offset, 'latin1');
    out[offset++] = 0x20;
    offset += value.copy(out, offset);
    out[offset++] = 0x0a;
  }
  return out;
}

/** base64url without padding, as libmacaroons and pymacaroons emit. */
export function serialize(m: Macaroon): string {
  return serializeBinary(m).toString('base64url');
}

// ctool token_utils:serialize62 escapes '+', '/' and '=' too, but base64url without padding has none.
const BASE62_ESCAPES: Record<string, string> = { '0': '00', '_': '01', '-': '02' };
const BASE62_UNESCAPES: Record<string, string> = { '0': '0', '1': '_', '2': '-', '3': '/', '4': '+', '5': '=' };

/** Onedata's alphanumeric form (ctool `token_utils:serialize62`) of the base64url text. */
export function serializeBase62(m: Macaroon): string {
  return serialize(m).replace(/[0_-]/g, (c) => BASE62_ESCAPES[c]!);
}

// ---------------------------------------------------------------------------------------------
// Parsing

function formatError(message: string): MacaroonFormatError {
  return new MacaroonFormatError(`invalid macaroon: ${message}`);
}

/** Runs `parseFn`, turning any exception into MacaroonFormatError so callers need catch only one thing. */
function guarded<T>(parseFn: () => T): T {
  try {
    return parseFn();
  } catch (e) {
    if (e instanceof MacaroonFormatError) throw e;
    throw new MacaroonFormatError('invalid macaroon', { cause: e });
  }
}

/** Undefined when `text` is not base62-escaped (a `0` not followed by `0`..`5`). */
function unescapeBase62(text: string): string | undefined {
  let out = '';
  let from = 0;
  for (let i = text.indexOf('0'); i !== -1; i = text.indexOf('0', from)) {
    const unescaped = BASE62_UNESCAPES[text.charAt(i + 1)];
    if (unescaped === undefined) return undefined;
    out += text.slice(from, i) + unescaped;
    from = i + 2;
  }
  return from === 0 ? text : out + text.slice(from);
}

// Buffer.from(_, 'base64') skips characters it does not know, so the alphabet is checked first.
// Both alphabets are accepted, like Erlang's base64url:decode.
const BASE64_TEXT = /^[A-Za-z0-9+/_-]*={0,2}$/;

function decodeBase64(text: string): Buffer {
  if (!BASE64_TEXT.test(text)) throw formatError('not base64');
  const padded = text.endsWith('=');
  if (padded ? text.length % 4 !== 0 : text.length % 4 === 1) throw formatError('bad base64 length');
  return Buffer.from(text, 'base64');
}

/**
 * Parses base64url (with or without padding), standard base64, or Onedata's base62 escaping of
 * either. Like ctool `token_utils:deserialize`, the base62 reading is tried first and the plain
 * one if that fails. Surrounding whitespace is ignored.
 */
export function parse(text: string): Macaroon {
  return guarded(() => {
    if (typeof text !== 'string') throw formatError('not a string');
    if (text.length > MAX_TOKEN_LENGTH) throw formatError('token too long');
    const trimmed = text.trim();
    const unescaped = unescapeBase62(trimmed);
    if (unescaped !== undefined && unescaped !== trimmed) {
      try {
        return parseBinary(decodeBase64(unescaped));
      } catch {
        // Not base62 after all: a plain token whose every `0` happened to look like an escape.
      }
    }
    return parseBinary(decodeBase64(trimmed));
  });
}

function hexDigit(byte: number | undefined): number {
  if (byte !== undefined && byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte !== undefined && byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  throw formatError('bad packet length');
}

function readPackets(bytes: Buffer): [key: string, value: Buffer][] {
  const packets: [string, Buffer][] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let size = 0;
    for (let i = 0; i < 4; i++) size = size * 16 + hexDigit(bytes[offset + i]);
    // The smallest packet is the header, a space and the newline: 6 bytes.
    if (size < 6 || size > bytes.length - offset) throw formatError('bad packet length');
    const newline = offset + size - 1;
    if (bytes[newline] !== 0x0a) throw formatError('packet does not end with a newline');
    const space = bytes.subarray(offset + 4, newline).indexOf(0x20);
    if (space === -1) throw formatError('packet without a key');
    const valueStart = offset + 4 + space + 1;
    packets.push([bytes.toString('latin1', offset + 4, valueStart - 1), bytes.subarray(valueStart, newline)]);
    offset += size;
  }
  return packets;
}

// ignoreBOM: a leading U+FEFF is part of the value, not something to strip.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses V1 packets: location, identifier, then per caveat cid [vid cl], then a 32-byte signature, then nothing. */
export function parseBinary(bytes: Buffer): Macaroon {
  return guarded(() => {
    const packets = readPackets(bytes);
    let next = 0;
    const take = (key: string): Buffer => {
      const packet = packets[next];
      if (packet?.[0] !== key) throw formatError(`expected a ${key} packet`);
      next++;
      return packet[1];
    };
    const text = (key: string): string => UTF8.decode(take(key));

    const location = text('location');
    const identifier = text('identifier');
    const caveats: Caveat[] = [];
    while (packets[next]?.[0] === 'cid') {
      if (caveats.length === MAX_CAVEATS) throw formatError(`more than ${MAX_CAVEATS} caveats`);
      const cid = text('cid');
      if (packets[next]?.[0] === 'vid') {
        const vid = Buffer.from(take('vid'));
        caveats.push({ kind: 'third', cid, vid, location: text('cl') });
      } else {
        caveats.push({ kind: 'first', cid });
      }
    }
    const signature = take('signature');
    if (signature.length !== SIGNATURE_BYTES) throw formatError('signature is not 32 bytes');
    if (next !== packets.length) throw formatError('data after the signature');
    return { location, identifier, caveats, signature: Buffer.from(signature) };
  });
}

// ---------------------------------------------------------------------------------------------
// Verification

interface VerifyContext {
  readonly rootSignature: Buffer;
  readonly satisfier: (predicate: string) => boolean;
  readonly discharges: readonly Macaroon[];
  readonly used: Set<Macaroon>;
}

/**
 * Verifies the signature chain and that every first-party caveat satisfies `satisfier`;
 * third-party caveats need a matching bound discharge in `discharges` (recursively, discharges
 * may have their own caveats). Constant-time signature comparison. Never throws on bad input:
 * returns false.
 */
export function verify(
  m: Macaroon,
  rootKey: Buffer,
  satisfier: (predicate: string) => boolean,
  discharges: readonly Macaroon[] = [],
): boolean {
  try {
    const context: VerifyContext = { rootSignature: m.signature, satisfier, discharges, used: new Set() };
    return verifyChain(m, deriveKey(rootKey), context, false);
  } catch {
    return false;
  }
}

/** libmacaroons `macaroon_verify_inner`; a discharge's signature must be bound to the root's. */
function verifyChain(m: Macaroon, key: Uint8Array, context: VerifyContext, isDischarge: boolean): boolean {
  let signature = hmac(key, m.identifier);
  for (const c of m.caveats) {
    if (c.kind === 'first') {
      if (!context.satisfier(c.cid)) return false;
      signature = hmac(signature, c.cid);
    } else {
      if (!verifyThirdParty(c, signature, context)) return false;
      signature = hash2(signature, c.vid, c.cid);
    }
  }
  if (isDischarge) signature = bind(context.rootSignature, signature);
  return m.signature.length === SIGNATURE_BYTES && timingSafeEqual(signature, m.signature);
}

/** libmacaroons `macaroon_verify_inner_3rd`: open the caveat key with the signature so far. */
function verifyThirdParty(c: ThirdPartyCaveat, signature: Buffer, context: VerifyContext): boolean {
  // Each discharge may be used once (as go-macaroon requires): that rules out cycles and keeps the
  // work linear in the number of caveats, whatever discharges a caller sends.
  const discharge = context.discharges.find((d) => d.identifier === c.cid && !context.used.has(d));
  if (discharge === undefined || c.vid.length !== VID_BYTES) return false;
  context.used.add(discharge);
  const nonce = c.vid.subarray(0, NONCE_BYTES);
  const caveatKey = nacl.secretbox.open(c.vid.subarray(NONCE_BYTES), nonce, signature);
  return caveatKey !== null && verifyChain(discharge, caveatKey, context, true);
}
