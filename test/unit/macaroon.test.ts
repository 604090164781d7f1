import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_CAVEATS,
  MAX_TOKEN_LENGTH,
  MacaroonFormatError,
  addFirstPartyCaveat,
  addThirdPartyCaveat,
  bindForRequest,
  mint,
  parse,
  parseBinary,
  serialize,
  serializeBase62,
  serializeBinary,
  verify,
} from '../../src/tokens/macaroon.js';
import type { Caveat, Macaroon } from '../../src/tokens/macaroon.js';
import { mintToken, verifyToken } from '../../src/tokens/tokens.js';

interface Vectors {
  valid: { rootKey: string; location: string; identifier: string; caveats: string[]; serializedV1: string; signatureHex: string }[];
  tamperedSignature: { rootKey: string; serializedV1: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/testdata/macaroons-v1.json', import.meta.url), 'utf8'),
) as Vectors;

const acceptAll = (): boolean => true;
const exactly = (predicates: readonly string[]) => (p: string): boolean => predicates.includes(p);
const firstParty = (cids: readonly string[]): Caveat[] => cids.map((cid) => ({ kind: 'first', cid }));

function mintWith(rootKey: Buffer, location: string, identifier: string, caveats: readonly string[]): Macaroon {
  return caveats.reduce(addFirstPartyCaveat, mint(rootKey, location, identifier));
}

/** A raw V1 packet, for building malformed input by hand. */
function packet(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(`${key} `), Buffer.from(value), Buffer.from('\n')]);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

function assertOnlyFormatErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof MacaroonFormatError, `unexpected ${String(e)}`);
  }
}

describe('pymacaroons V1 vectors', () => {
  for (const [i, v] of vectors.valid.entries()) {
    it(`valid #${i} parses, re-serializes, verifies and re-mints`, () => {
      const key = Buffer.from(v.rootKey, 'utf8');
      const m = parse(v.serializedV1);
      assert.equal(m.location, v.location);
      assert.equal(m.identifier, v.identifier);
      assert.deepEqual(m.caveats, firstParty(v.caveats));
      assert.equal(m.signature.toString('hex'), v.signatureHex);
      assert.equal(serialize(m), v.serializedV1);
      assert.ok(serializeBinary(m).equals(Buffer.from(v.serializedV1, 'base64url')));
      assert.equal(verify(m, key, exactly(v.caveats)), true);
      assert.equal(serialize(mintWith(key, v.location, v.identifier, v.caveats)), v.serializedV1);
    });
  }

  for (const [i, v] of vectors.tamperedSignature.entries()) {
    it(`tampered #${i} fails verification`, () => {
      assert.equal(verify(parse(v.serializedV1), Buffer.from(v.rootKey, 'utf8'), acceptAll), false);
    });
  }
});

describe('Onedata tokens', () => {
  it('reproduces the reference-behaviour Appendix A vector', () => {
    const m = addFirstPartyCaveat(mint(Buffer.alloc(32), 'registry', 'abc'), 'tokenType = space_invite_user_token');
    const token =
      'MDAxNmxvY2F00aW9uIHJlZ2lzdHJ5CjAwMTNpZGVudGlmaWVyIGFiYwowMDJjY2lkIHRva2VuVHlwZSA9IHNwYWNlX2ludml00ZV91c2VyX3Rva2VuCjAwMmZzaWduYXR1cmUg01CXeE7ZPJPt5kmJXuL02sy4ogbBN00vjoOmCuV1abotNgK';
    assert.equal(m.signature.toString('hex'), 'fc25de13b64f24fb79926257b8bfaccb8a206c1374be3a0e982b95d5a6e8b4d8');
    assert.equal(serializeBase62(m), token);
    const parsed = parse(token);
    assert.deepEqual(parsed, m);
    assert.equal(verify(parsed, Buffer.alloc(32), exactly(['tokenType = space_invite_user_token'])), true);
    assert.equal(verify(parsed, Buffer.alloc(32), exactly(['tokenType = space_invite_group_token'])), false);
  });

  it('parses T12 (base62) from the API digest', () => {
    const m = parse(
      'MDAxNmxvY2F00aW9uIHJlZ2lzdHJ5CjAwM2JpZGVudGlmaWVyIDdrenY00SXM5dEFGYVRNQXFlMUlPSXVGMFBoSkFKWHFieWRUc2l5TUUxX2sKMDAyZGNpZCB00b2tlblR5cGUgPSBncm91cF9pbnZpdGVfZ3JvdXBfdG9rZW4KMDAyZnNpZ25hdHVyZSCJAtwScxZNktP9EIS00vlM5ZB7QsXhjtRtjKWZfwEfs6wo',
    );
    assert.equal(m.location, 'registry');
    assert.equal(m.identifier, '7kzv4Is9tAFaTMAqe1IOIuF0PhJAJXqbydTsiyME1_k');
    assert.deepEqual(m.caveats, firstParty(['tokenType = group_invite_group_token']));
    assert.equal(m.signature.toString('hex'), '8902dc1273164d92d3fd1084b4be5339641ed0b17863b51b6329665fc047eceb');
    assert.equal(serializeBinary(m).length, 173);
  });

  it('parses T17 (plain base64url) from the API digest', () => {
    const m = parse(
      'MDAxNWxvY2F0aW9uIG9uZXpvbmUKMDAzYmlkZW50aWZpZXIgdmRiRDE1UjMxRW9BcnFIaFd1bmRmd2tBZGxxbkpSU1ZhYzNCaERwdzY4dwowMDFhY2lkIHRpbWUgPCAxNDk3MDIyNjQ1CjAwMmZzaWduYXR1cmUgyOf2OOM4LZaW3WrHdDj1jRzHCBgMMc3ma8kI7T6yWWMK',
    );
    assert.equal(m.location, 'onezone');
    assert.equal(m.identifier, 'vdbD15R31EoArqHhWundfwkAdlqnJRSVac3BhDpw68w');
    assert.deepEqual(m.caveats, firstParty(['time < 1497022645']));
    assert.equal(m.signature.toString('hex'), 'c8e7f638e3382d9696dd6ac77438f58d1cc708180c31cde66bc908ed3eb25963');
    assert.equal(serializeBinary(m).length, 153);
  });
});

describe('text encodings', () => {
  // One whose base64 differs from its base64url, so that both alphabets are exercised.
  const v = vectors.valid.find((x) => /[-_]/.test(x.serializedV1))!;
  const bytes = Buffer.from(v.serializedV1, 'base64url');
  const expected = parse(v.serializedV1);

  it('accepts standard base64 with and without padding', () => {
    const padded = bytes.toString('base64');
    assert.match(padded, /[+/]/);
    assert.deepEqual(parse(padded), expected);
    assert.deepEqual(parse(padded.replace(/=+$/, '')), expected);
  });

  it('accepts padded base64url (pymacaroons vector)', () => {
    const m = parse(
      'MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsvCjAwMjZpZGVudGlmaWVyIHdlIHVzZWQgb3VyIHNlY3JldCBrZXkKMDAxN2NpZCB0ZXN0ID0gYWNhdmVhdAowMDJmc2lnbmF0dXJlIJRJ_V3WNJQnqlVq5eez7spnltwU_AXs8NIRY739sHooCg==',
    );
    assert.equal(m.signature.toString('hex'), '9449fd5dd6349427aa556ae5e7b3eeca6796dc14fc05ecf0d21163bdfdb07a28');
  });

  it('accepts the base62 escaping of every base64 variant', () => {
    const escape = (s: string): string =>
      s.replace(/[0_\-/+=]/g, (c) => ({ '0': '00', _: '01', '-': '02', '/': '03', '+': '04', '=': '05' })[c]!);
    assert.deepEqual(parse(serializeBase62(expected)), expected);
    assert.deepEqual(parse(escape(bytes.toString('base64'))), expected);
    assert.deepEqual(parse(escape(bytes.toString('base64url'))), expected);
  });

  it('trims surrounding whitespace', () => {
    assert.deepEqual(parse(`  \n${v.serializedV1}\t \r\n`), expected);
  });

  it('rejects text that is not a token', () => {
    for (const text of ['', '   ', 'not base64!', `${v.serializedV1.slice(0, 10)} ${v.serializedV1.slice(10)}`, `${v.serializedV1}A`, 'A===']) {
      assert.throws(() => parse(text), MacaroonFormatError, JSON.stringify(text));
    }
  });

  it('rejects text longer than MAX_TOKEN_LENGTH', () => {
    assert.throws(() => parse(v.serializedV1 + ' '.repeat(MAX_TOKEN_LENGTH)), MacaroonFormatError);
  });

  it('never echoes the token in the error', () => {
    const secretish = `${v.serializedV1.slice(0, 40)}!`;
    assert.throws(() => parse(secretish), (e: Error) => e instanceof MacaroonFormatError && !e.message.includes(secretish));
  });
});

describe('binary format strictness', () => {
  const head = Buffer.concat([packet('location', 'onezone'), packet('identifier', 'id')]);
  const sig = packet('signature', Buffer.alloc(32, 7));
  const cases: [string, Buffer][] = [
    ['empty input', Buffer.alloc(0)],
    ['truncated header', Buffer.from('00')],
    ['uppercase hex length', Buffer.concat([Buffer.from('001Alocation onezone.orgx\n'), packet('identifier', 'id'), sig])],
    ['non-hex length', Buffer.concat([Buffer.from('00x5'), packet('location', 'x').subarray(4)])],
    ['length shorter than the header', Buffer.concat([Buffer.from('0003'), head, sig])],
    ['zero length', Buffer.concat([Buffer.from('0000'), head, sig])],
    ['length past the end', Buffer.concat([head, sig.subarray(0, 40)])],
    ['packet without newline', Buffer.concat([Buffer.from('0015location onezoneX'), packet('identifier', 'id'), sig])],
    ['packet without a space', Buffer.concat([Buffer.from('000dlocation\n'), packet('identifier', 'id'), sig])],
    ['unknown key', Buffer.concat([head, packet('foo', 'bar'), sig])],
    ['missing location', Buffer.concat([packet('identifier', 'id'), sig])],
    ['missing identifier', Buffer.concat([packet('location', 'onezone'), sig])],
    ['identifier before location', Buffer.concat([packet('identifier', 'id'), packet('location', 'onezone'), sig])],
    ['location twice', Buffer.concat([packet('location', 'a'), head, sig])],
    ['identifier twice', Buffer.concat([head, packet('identifier', 'id'), sig])],
    ['missing signature', head],
    ['signature before a caveat', Buffer.concat([head, sig, packet('cid', 'a = b')])],
    ['data after the signature', Buffer.concat([head, sig, Buffer.from('\n')])],
    ['two signatures', Buffer.concat([head, sig, sig])],
    ['short signature', Buffer.concat([head, packet('signature', Buffer.alloc(31))])],
    ['long signature', Buffer.concat([head, packet('signature', Buffer.alloc(33))])],
    ['vid without cid', Buffer.concat([head, packet('vid', Buffer.alloc(72)), packet('cl', 'x'), sig])],
    ['cl without vid', Buffer.concat([head, packet('cid', 'c'), packet('cl', 'x'), sig])],
    ['vid without cl', Buffer.concat([head, packet('cid', 'c'), packet('vid', Buffer.alloc(72)), sig])],
    ['invalid UTF-8 identifier', Buffer.concat([packet('location', ''), packet('identifier', Buffer.from([0xc3, 0x28])), sig])],
    ['invalid UTF-8 caveat', Buffer.concat([head, packet('cid', Buffer.from([0xff])), sig])],
  ];
  for (const [name, bytes] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseBinary(bytes), MacaroonFormatError);
      assert.throws(() => parse(bytes.toString('base64url')), MacaroonFormatError);
    });
  }

  it(`refuses more than MAX_CAVEATS caveats before verifying any of them`, () => {
    const caveats = (n: number) => Array.from({ length: n }, () => packet('cid', 'time < 1'));
    assert.equal(parseBinary(Buffer.concat([head, ...caveats(MAX_CAVEATS), sig])).caveats.length, MAX_CAVEATS);
    assert.throws(() => parseBinary(Buffer.concat([head, ...caveats(MAX_CAVEATS + 1), sig])), /more than 64 caveats/);
  });

  it('accepts what the rejected cases differ from', () => {
    assert.equal(parseBinary(Buffer.concat([Buffer.from('001alocation onezone.orgx\n'), packet('identifier', 'id'), sig])).location, 'onezone.orgx');
    assert.equal(parseBinary(Buffer.concat([Buffer.from('0015location onezone\n'), packet('identifier', 'id'), sig])).location, 'onezone');
  });

  it('accepts a well-formed hand-built macaroon, with binary-safe values', () => {
    const bytes = Buffer.concat([
      packet('location', ''),
      packet('identifier', '\uFEFFid with spaces\nand newline'),
      packet('cid', 'a = b'),
      packet('cid', 'c'),
      packet('vid', Buffer.alloc(72, 1)),
      packet('cl', 'https://auth.example'),
      sig,
    ]);
    const m = parseBinary(bytes);
    assert.equal(m.identifier, '\uFEFFid with spaces\nand newline');
    assert.deepEqual(m.caveats, [
      { kind: 'first', cid: 'a = b' },
      { kind: 'third', cid: 'c', vid: Buffer.alloc(72, 1), location: 'https://auth.example' },
    ]);
    assert.ok(serializeBinary(m).equals(bytes));
  });

  it('does not share memory with the input', () => {
    const bytes = serializeBinary(parse(vectors.valid[0]!.serializedV1));
    const m = parseBinary(bytes);
    const before = Buffer.from(m.signature);
    bytes.fill(0);
    assert.ok(m.signature.equals(before));
  });

  it('handles packets up to the 0xffff limit and refuses to mint beyond it', () => {
    const m = addFirstPartyCaveat(mint(Buffer.from('secret'), 'test', 'blah'), 'x'.repeat(65526));
    assert.deepEqual(parseBinary(serializeBinary(m)), m);
    assert.throws(() => addFirstPartyCaveat(m, 'x'.repeat(65527)), RangeError);
  });

  it('refuses to mint strings UTF-8 cannot carry', () => {
    assert.throws(() => mint(Buffer.alloc(32), 'l', 'lone \uD800 surrogate'), RangeError);
    assert.doesNotThrow(() => mint(Buffer.alloc(32), 'l', 'pair \uD83D\uDE00'));
  });
});

describe('verification', () => {
  const key = Buffer.from('root key');
  const m = mintWith(key, 'onezone', 'tok-1', ['tokenType = space_invite_user_token', 'time < 2000000000']);

  it('accepts the right key with satisfied caveats', () => {
    assert.equal(verify(m, key, acceptAll), true);
    assert.equal(verify(parse(serialize(m)), key, exactly(m.caveats.map((c) => c.cid))), true);
  });

  it('rejects a wrong root key', () => {
    assert.equal(verify(m, Buffer.from('root kez'), acceptAll), false);
  });

  it('rejects a caveat added without re-signing', () => {
    assert.equal(verify({ ...m, caveats: [...m.caveats, { kind: 'first', cid: 'x = y' }] }, key, acceptAll), false);
  });

  it('rejects a removed caveat', () => {
    assert.equal(verify({ ...m, caveats: m.caveats.slice(0, -1) }, key, acceptAll), false);
    assert.equal(verify({ ...m, caveats: m.caveats.slice(1) }, key, acceptAll), false);
  });

  it('rejects an unsatisfied predicate, including one a holder added legitimately', () => {
    assert.equal(verify(m, key, exactly(['tokenType = space_invite_user_token'])), false);
    const attenuated = addFirstPartyCaveat(m, 'ip = 10.0.0.1');
    assert.equal(verify(attenuated, key, acceptAll), true);
    assert.equal(verify(attenuated, key, exactly(m.caveats.map((c) => c.cid))), false);
  });

  it('leaves the original macaroon unchanged when attenuating', () => {
    const before = serialize(m);
    addFirstPartyCaveat(m, 'a = b');
    addThirdPartyCaveat(m, Buffer.from('k'), 'c', 'l');
    assert.equal(serialize(m), before);
  });

  it('returns false instead of throwing', () => {
    const throwing = (): boolean => {
      throw new Error('boom');
    };
    assert.equal(verify(m, key, throwing), false);
    assert.equal(verify({ ...m, signature: Buffer.alloc(5) }, key, acceptAll), false);
    assert.equal(verify(null as unknown as Macaroon, key, acceptAll), false);
    assert.equal(verify(m, undefined as unknown as Buffer, acceptAll), false);
  });
});

describe('third-party caveats', () => {
  // The libmacaroons README example, also in pymacaroons' and go-macaroon's tests (zero nonce).
  const rootKey = Buffer.from('this is a different super-secret key; never use the same secret twice');
  const caveatKey = Buffer.from('4; guaranteed random by a fair toss of the dice');
  const caveatId = 'this was how we remind auth of key/pred';
  const root = addThirdPartyCaveat(
    addFirstPartyCaveat(mint(rootKey, 'http://mybank/', 'we used our other secret key'), 'account = 3735928559'),
    caveatKey,
    caveatId,
    'http://auth.mybank/',
    Buffer.alloc(24),
  );
  const discharge = addFirstPartyCaveat(mint(caveatKey, 'http://auth.mybank/', caveatId), 'time < 2015-01-01T00:00');
  const bound = bindForRequest(root, discharge);
  const satisfier = exactly(['account = 3735928559', 'time < 2015-01-01T00:00']);

  it('matches libmacaroons signatures and serialization', () => {
    assert.equal(root.signature.toString('hex'), 'd27db2fd1f22760e4c3dae8137e2d8fc1df6c0741c18aed4b97256bf78d1f55c');
    assert.equal(bound.signature.toString('hex'), '2eb01d0dd2b4475330739140188648cf25dda0425ea9f661f1574ca0a9eac54e');
    const libmacaroons =
      'MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsvCjAwMmNpZGVudGlmaWVyIHdlIHVzZWQgb3VyIG90aGVyIHNlY3JldCBrZXkKMDAxZGNpZCBhY2NvdW50ID0gMzczNTkyODU1OQowMDMwY2lkIHRoaXMgd2FzIGhvdyB3ZSByZW1pbmQgYXV0aCBvZiBrZXkvcHJlZAowMDUxdmlkIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAANNuxQLgWIbR8CefBV-lJVTRbRbBsUB0u7g_8P3XncL-CY8O1KKwkRMOa120aiCoawowMDFiY2wgaHR0cDovL2F1dGgubXliYW5rLwowMDJmc2lnbmF0dXJlINJ9sv0fInYOTD2ugTfi2Pwd9sB0HBiu1LlyVr940fVcCg';
    assert.equal(serialize(root), libmacaroons);
    assert.deepEqual(parse(libmacaroons), root);
  });

  it('verifies with a bound discharge, also after a round trip', () => {
    assert.equal(verify(root, rootKey, satisfier, [bound]), true);
    assert.equal(verify(parse(serializeBase62(root)), rootKey, satisfier, [parse(serializeBase62(bound))]), true);
  });

  it('verifies with a random nonce', () => {
    const fresh = addThirdPartyCaveat(mint(rootKey, 'l', 'id'), caveatKey, caveatId, 'http://auth.mybank/');
    assert.equal(verify(fresh, rootKey, satisfier, [bindForRequest(fresh, discharge)]), true);
    assert.equal(verify(fresh, rootKey, satisfier, [bound]), false);
  });

  it('rejects an unbound discharge', () => {
    assert.equal(verify(root, rootKey, satisfier, [discharge]), false);
  });

  it('rejects a discharge minted with the wrong key', () => {
    const forged = addFirstPartyCaveat(mint(Buffer.from('guess'), 'http://auth.mybank/', caveatId), 'time < 2015-01-01T00:00');
    assert.equal(verify(root, rootKey, satisfier, [bindForRequest(root, forged)]), false);
  });

  it('rejects a missing discharge, or one for another caveat', () => {
    assert.equal(verify(root, rootKey, satisfier), false);
    const other = mint(caveatKey, 'http://auth.mybank/', 'another caveat');
    assert.equal(verify(root, rootKey, satisfier, [bindForRequest(root, other)]), false);
  });

  it('checks the discharge caveats with the same satisfier', () => {
    assert.equal(verify(root, rootKey, exactly(['account = 3735928559']), [bound]), false);
  });

  it('rejects a damaged vid', () => {
    const [first, third] = root.caveats as [Caveat, Caveat & { kind: 'third' }];
    const vid = Buffer.from(third.vid);
    vid[40]! ^= 1;
    const damaged = { ...root, caveats: [first, { ...third, vid }] };
    assert.equal(verify(damaged, rootKey, satisfier, [bindForRequest(damaged, discharge)]), false);
  });

  it('verifies discharges that have third-party caveats of their own', () => {
    const innerKey = Buffer.from('inner key');
    const nested = addThirdPartyCaveat(discharge, innerKey, 'inner', 'http://inner/');
    const inner = mint(innerKey, 'http://inner/', 'inner');
    const ok = [bindForRequest(root, nested), bindForRequest(root, inner)];
    assert.equal(verify(root, rootKey, satisfier, ok), true);
    // Bound to the discharge instead of the macaroon being verified.
    assert.equal(verify(root, rootKey, satisfier, [ok[0]!, bindForRequest(nested, inner)]), false);
    assert.equal(verify(root, rootKey, satisfier, [ok[0]!]), false);
  });

  it('terminates on discharge cycles', () => {
    const k = Buffer.from('cycle key');
    const looping = addThirdPartyCaveat(mint(k, 'l', 'loop'), k, 'loop', 'l');
    const cyclicRoot = addThirdPartyCaveat(mint(rootKey, 'l', 'r'), k, 'loop', 'l');
    assert.equal(verify(cyclicRoot, rootKey, acceptAll, [bindForRequest(cyclicRoot, looping)]), false);
  });
});

describe('properties', () => {
  const numRuns = 300;
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });
  const packetArb = fc
    .tuple(fc.constantFrom('location', 'identifier', 'cid', 'vid', 'cl', 'signature', 'x'), fc.uint8Array({ maxLength: 40 }))
    .map(([k, v]) => packet(k, Buffer.from(v)));

  it('parse() throws nothing but MacaroonFormatError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes);
        assertOnlyFormatErrors(() => parseBinary(buf));
        assertOnlyFormatErrors(() => parse(buf.toString('base64url')));
        assertOnlyFormatErrors(() => parse(buf.toString('latin1')));
      }),
      { numRuns },
    );
  });

  it('parse() throws nothing but MacaroonFormatError on random packet sequences', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 8 }), fc.nat(400), (packets, cut) => {
        const buf = Buffer.concat(packets);
        assertOnlyFormatErrors(() => parseBinary(buf));
        assertOnlyFormatErrors(() => parseBinary(buf.subarray(0, cut)));
        assertOnlyFormatErrors(() => parse(serializeBase62Text(buf)));
      }),
      { numRuns },
    );
  });

  it('parse() throws nothing but MacaroonFormatError on random strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('0', '1', '5', '9', 'M', '_', '-', '+', '/', '=', ' ') })), (text) => {
        assertOnlyFormatErrors(() => parse(text));
      }),
      { numRuns },
    );
  });

  it('serialize -> parse round-trips and verifies for arbitrary text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), anyText, anyText, fc.array(anyText, { maxLength: 5 }), (key, location, identifier, cids) => {
        const rootKey = Buffer.from(key);
        const m = mintWith(rootKey, location, identifier, cids);
        for (const text of [serialize(m), serializeBase62(m)]) {
          const parsed = parse(text);
          assert.deepEqual(parsed, m);
          assert.equal(verify(parsed, rootKey, exactly(cids)), true);
        }
      }),
      { numRuns },
    );
  });
});

describe('token-level properties', () => {
  const masterKey = Buffer.alloc(32, 7);
  const token = mintToken(masterKey, 'onezone', 'an-identifier', ['tokenType = space_invite_user_token', 'time < 4102444800']);

  it('verifyToken() keeps no memory of long texts: one token padded a thousand ways holds no heap', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const key = Buffer.alloc(32, 9);
    const padded = mintToken(key, 'onezone', 'padded', ['time < 4102444800']);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1000; i++) assert.equal(verifyToken(key, `${' '.repeat(30_000 + i)}${padded}`)?.id, 'padded');
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    // Remembered, the thousand texts would hold 30 MB.
    assert.ok(kept < 8 * 1024 * 1024, `${kept} bytes kept`);
  });

  it('verifyToken(): tokenType caveats that disagree leave the token no type at all, not an untyped one', () => {
    const access = mintToken(masterKey, 'onezone', 'an-access-token', ['time < 4102444800']);
    assert.equal(verifyToken(masterKey, access)?.type, null);
    const narrowed = serialize(addFirstPartyCaveat(parse(access), 'tokenType = space_invite_user_token'));
    assert.equal(verifyToken(masterKey, narrowed)?.type, 'space_invite_user_token');
    const again = serialize(addFirstPartyCaveat(parse(narrowed), 'tokenType = space_invite_user_token'));
    assert.equal(verifyToken(masterKey, again)?.type, 'space_invite_user_token');
    const conflicting = serialize(addFirstPartyCaveat(parse(narrowed), 'tokenType = group_invite_user_token'));
    assert.equal(verifyToken(masterKey, conflicting), undefined);
  });

  it('verifyToken() never throws on random text, and returns nothing for it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url'))), (text) => {
        assert.equal(verifyToken(masterKey, text), undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('verifyToken() never accepts a token with any byte changed, dropped or appended', () => {
    const bytes = Buffer.from(token, 'base64url');
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'drop', 'append'), (at, xor, how) => {
        const changed = Buffer.from(bytes);
        if (how === 'flip') changed[at] = changed[at]! ^ xor;
        const mutated = how === 'drop' ? Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]) : how === 'append' ? Buffer.concat([bytes, Buffer.from([xor])]) : changed;
        const claims = verifyToken(masterKey, mutated.toString('base64url'));
        // The location is not signed (macaroon semantics); everything the zone acts on is.
        if (claims) {
          const { location: _l, ...rest } = parse(mutated.toString('base64url'));
          const { location: _o, ...original } = parse(token);
          assert.deepEqual(rest, original);
          assert.deepEqual(claims, verifyToken(masterKey, token));
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** The base62 escaping of arbitrary bytes, to reach the binary parser through the base62 path. */
function serializeBase62Text(bytes: Buffer): string {
  return bytes.toString('base64url').replace(/[0_-]/g, (c) => ({ '0': '00', _: '01', '-': '02' })[c]!);
}
