import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import {
  CsrError,
  createSelfSignedServerCert,
  createZoneCa,
  loadOrCreate,
  providerIdFromCert,
  signProviderCert,
  validateCsr,
  type KeyAndCert,
} from '../../src/crypto/certs.js';

const run = promisify(execFile);

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'onezone-certs-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args, { cwd: tmp });
  return stdout;
}

async function writeTmp(name: string, content: string): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, content);
  return file;
}

/** A CSR and its key made by OpenSSL, the independent implementation. */
async function opensslCsr(name: string, newkey: string[]): Promise<{ csrPem: string; keyPem: string }> {
  const keyFile = path.join(tmp, `${name}.key`);
  const csrFile = path.join(tmp, `${name}.csr`);
  await openssl('req', '-new', ...newkey, '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', '/CN=whatever');
  return { csrPem: await readFile(csrFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
}

const RSA_2048 = ['-newkey', 'rsa:2048'];
const EC_P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function der(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

interface Seen {
  authorized: boolean;
  providerId: string | null;
}

/** An HTTPS server that, like the zone, requests but does not require provider certificates. */
async function startMtlsServer(server: KeyAndCert, ca: KeyAndCert): Promise<{ port: number; close: () => Promise<void> }> {
  const srv = https.createServer(
    { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const raw = socket.getPeerCertificate(true).raw as Buffer | undefined;
      void (raw ? providerIdFromCert(ca, raw) : Promise.resolve(null)).then((providerId) => {
        const seen: Seen = { authorized: socket.authorized, providerId };
        res.end(JSON.stringify(seen));
      });
    },
  );
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => {
      srv.closeAllConnections();
      return new Promise((resolve) => srv.close(() => resolve()));
    },
  };
}

function get(port: number, options: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

describe('self-signed server certificate', () => {
  let server: KeyAndCert;
  before(async () => {
    server = await createSelfSignedServerCert(['zone.example.org', '10.1.2.3']);
  });

  test('names localhost, the given hostnames and the loopback addresses', async () => {
    const text = await openssl('x509', '-noout', '-text', '-in', await writeTmp('server.crt', server.certPem));
    assert.match(text, /ecdsa-with-SHA256/);
    assert.match(text, /Subject: CN = zone\.example\.org/);
    assert.match(text, /DNS:localhost, DNS:zone\.example\.org, IP Address:10\.1\.2\.3, IP Address:127\.0\.0\.1, IP Address:(0:0:0:0:0:0:0:1|::1)/);
    assert.match(text, /TLS Web Server Authentication/);
    const cert = new X509Certificate(server.certPem);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600 * 1000);
    assert.ok(years > 9.9 && years < 10.1, `validity ${years} years`);
  });

  test('serves HTTPS to a client that trusts it and is refused by one that does not', async () => {
    const ca = await createZoneCa('serving');
    const { port, close } = await startMtlsServer(server, ca);
    try {
      const body = JSON.parse(await get(port, { ca: server.certPem })) as Seen;
      assert.deepEqual(body, { authorized: false, providerId: null });
      await assert.rejects(get(port, {}), (err: NodeJS.ErrnoException) => {
        assert.match(err.code ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY/);
        return true;
      });
    } finally {
      await close();
    }
  });

  test('key material is never in the certificate PEM and the key is PKCS#8', () => {
    assert.match(server.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.doesNotMatch(server.certPem, /PRIVATE KEY/);
  });
});

describe('zone CA issuing provider certificates', () => {
  let ca: KeyAndCert;
  let caFile: string;
  let rsa: { csrPem: string; keyPem: string };
  let ec: { csrPem: string; keyPem: string };
  before(async () => {
    ca = await createZoneCa('Test');
    caFile = await writeTmp('ca.crt', ca.certPem);
    [rsa, ec] = await Promise.all([opensslCsr('rsa', RSA_2048), opensslCsr('ec', EC_P256)]);
  });

  test('the CA is a critical CA:TRUE certificate for signing certs and CRLs', async () => {
    const text = await openssl('x509', '-noout', '-text', '-in', caFile);
    assert.match(text, /Subject: CN = Test Zone CA/);
    assert.match(text, /Basic Constraints: critical\s+CA:TRUE/);
    assert.match(text, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const cert = new X509Certificate(ca.certPem);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600 * 1000);
    assert.ok(years > 19.9 && years < 20.1, `validity ${years} years`);
  });

  for (const [kind, usage] of [
    ['rsa', /Digital Signature, Key Encipherment/],
    ['ec', /Digital Signature\n/],
  ] as const) {
    test(`an OpenSSL ${kind} CSR becomes a certificate OpenSSL verifies against the CA`, async () => {
      const csr = await validateCsr(kind === 'rsa' ? rsa.csrPem : ec.csrPem);
      const certFile = await writeTmp(`provider-${kind}.crt`, await signProviderCert(ca, csr, `prov-${kind}`));
      const verified = await openssl('verify', '-purpose', 'sslclient', '-CAfile', caFile, certFile);
      assert.equal(verified.trim(), `${certFile}: OK`);
      const text = await openssl('x509', '-noout', '-text', '-in', certFile);
      assert.match(text, new RegExp(`Subject: CN = prov-${kind}, O = onedata, OU = Providers`));
      assert.match(text, /TLS Web Client Authentication/);
      assert.match(text, /TLS Web Server Authentication/);
      assert.match(text, usage);
      assert.match(text, /Subject Key Identifier/);
      assert.match(text, /Authority Key Identifier/);
      assert.match(text, /Serial Number:\s*\n?\s*(?:[0-9a-f]{2}:){12,16}[0-9a-f]{2}/); // DER drops leading zero bytes
    });
  }

  test('an Ed25519 CSR is accepted', async () => {
    const ed = await opensslCsr('ed25519', ['-newkey', 'ed25519']);
    const certFile = await writeTmp('provider-ed.crt', await signProviderCert(ca, await validateCsr(ed.csrPem), 'prov-ed'));
    assert.equal((await openssl('verify', '-CAfile', caFile, certFile)).trim(), `${certFile}: OK`);
  });

  describe('refuses CSRs with a clear reason', () => {
    const refuses = (pem: () => string | Promise<string>, reason: RegExp) => async () => {
      await assert.rejects(validateCsr(await pem()), (err: unknown) => {
        assert.ok(err instanceof CsrError, `expected CsrError, got ${String(err)}`);
        assert.match(err.message, reason);
        assert.doesNotMatch(err.message, /PRIVATE|BEGIN/);
        return true;
      });
    };

    test('garbage text', refuses(() => 'this is not a csr', /not a PEM block/));
    test('a certificate instead of a CSR', refuses(() => ca.certPem, /expected a CERTIFICATE REQUEST PEM block, got CERTIFICATE/));
    test('two CSR blocks', refuses(() => rsa.csrPem + ec.csrPem, /expected one PEM block, got 2/));
    test('a PEM body that is not PKCS#10', refuses(() => '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', /not a valid PKCS#10/));
    test('text around the block', refuses(() => `hello\n${rsa.csrPem}`, /outside the PEM block/));
    test('a huge body', refuses(() => 'A'.repeat(20_000), /too large/));
    test(
      'a tampered signature',
      refuses(() => {
        // The signature BIT STRING is the last element of the DER; flip one of its bytes.
        const body = Buffer.from(rsa.csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
        body[body.length - 10]! ^= 0xff;
        const lines = body.toString('base64').match(/.{1,64}/g)!.join('\n');
        return `-----BEGIN CERTIFICATE REQUEST-----\n${lines}\n-----END CERTIFICATE REQUEST-----\n`;
      }, /signature does not verify/),
    );
    test('an RSA 1024 key', refuses(async () => (await opensslCsr('rsa1024', ['-newkey', 'rsa:1024'])).csrPem, /at least 2048 bits/));
    test('an EC P-521 key', refuses(async () => (await opensslCsr('p521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521'])).csrPem, /P-256 or P-384/));
  });

  describe('mutual TLS', () => {
    let server: KeyAndCert;
    let mtls: { port: number; close: () => Promise<void> };
    before(async () => {
      server = await createSelfSignedServerCert([]);
      mtls = await startMtlsServer(server, ca);
    });
    after(() => mtls.close());

    test('a provider presenting its certificate is authorized and recognised', async () => {
      const cert = await signProviderCert(ca, await validateCsr(ec.csrPem), 'provider-1');
      const seen = JSON.parse(await get(mtls.port, { ca: server.certPem, cert, key: ec.keyPem })) as Seen;
      assert.deepEqual(seen, { authorized: true, providerId: 'provider-1' });
    });

    test('an RSA provider certificate works too', async () => {
      const cert = await signProviderCert(ca, await validateCsr(rsa.csrPem), 'provider-rsa');
      const seen = JSON.parse(await get(mtls.port, { ca: server.certPem, cert, key: rsa.keyPem })) as Seen;
      assert.deepEqual(seen, { authorized: true, providerId: 'provider-rsa' });
    });

    test('a certificate from another CA is neither authorized nor recognised', async () => {
      // Same zone name, hence the same issuer name: only the signature tells the CAs apart.
      const otherCa = await createZoneCa('Test');
      const cert = await signProviderCert(otherCa, await validateCsr(ec.csrPem), 'provider-1');
      const seen = JSON.parse(await get(mtls.port, { ca: server.certPem, cert, key: ec.keyPem })) as Seen;
      assert.deepEqual(seen, { authorized: false, providerId: null });
      assert.equal(await providerIdFromCert(ca, der(cert)), null);
    });
  });

  test('an expired certificate is not recognised', async () => {
    const now = new Date(Date.now() - 20 * 24 * 3600 * 1000);
    const cert = await signProviderCert(ca, await validateCsr(ec.csrPem), 'old', { now, days: 10 });
    assert.equal(await providerIdFromCert(ca, der(cert)), null);
    assert.equal(await providerIdFromCert(ca, der(cert), new Date(now.getTime() + 1000)), 'old');
  });

  test('a cached certificate is re-checked against the clock', async () => {
    const cert = der(await signProviderCert(ca, await validateCsr(ec.csrPem), 'cached', { days: 1 }));
    assert.equal(await providerIdFromCert(ca, cert), 'cached');
    assert.equal(await providerIdFromCert(ca, cert, new Date(Date.now() + 2 * 24 * 3600 * 1000)), null);
    assert.equal(await providerIdFromCert(ca, cert), 'cached');
  });

  test('a certificate of this CA without the provider subject is not recognised', async () => {
    assert.equal(await providerIdFromCert(ca, der(ca.certPem)), null);
    assert.equal(await providerIdFromCert(ca, Buffer.from('not a certificate')), null);
  });
});

describe('loadOrCreate', () => {
  test('creates the pair once, key 0600, and loads it afterwards', async () => {
    const dir = path.join(tmp, 'state', 'certs');
    let calls = 0;
    const create = async (keys: CryptoKeyPair) => {
      calls++;
      return createZoneCa('Persisted', keys);
    };
    const first = await loadOrCreate(dir, 'zone-ca', create);
    assert.equal((await stat(path.join(dir, 'zone-ca.key'))).mode & 0o777, 0o600);
    assert.equal(await readFile(path.join(dir, 'zone-ca.crt'), 'utf8'), first.certPem);
    const second = await loadOrCreate(dir, 'zone-ca', create);
    assert.deepEqual(second, first);
    assert.equal(calls, 1);
  });

  test('a key left without its certificate gets a certificate made from it', async () => {
    const dir = path.join(tmp, 'half');
    const first = await loadOrCreate(dir, 'server', (keys) => createSelfSignedServerCert([], keys));
    await rm(path.join(dir, 'server.crt'));
    const second = await loadOrCreate(dir, 'server', (keys) => createSelfSignedServerCert([], keys));
    assert.equal(second.keyPem, first.keyPem);
    assert.notEqual(second.certPem, first.certPem);
    assert.ok(new X509Certificate(second.certPem).checkPrivateKey(createPrivateKey(second.keyPem)));
    assert.equal(await readFile(path.join(dir, 'server.crt'), 'utf8'), second.certPem);
  });

  test('a key lost and made anew gets a certificate of its own: the old one is replaced', async () => {
    const dir = path.join(tmp, 'lost-key');
    const first = await loadOrCreate(dir, 'zone-ca', (keys) => createZoneCa('Lost', keys));
    await rm(path.join(dir, 'zone-ca.key'));
    const second = await loadOrCreate(dir, 'zone-ca', (keys) => createZoneCa('Lost', keys));
    assert.notEqual(second.keyPem, first.keyPem);
    assert.notEqual(second.certPem, first.certPem);
    assert.ok(new X509Certificate(second.certPem).checkPrivateKey(createPrivateKey(second.keyPem)));
    assert.equal(await readFile(path.join(dir, 'zone-ca.crt'), 'utf8'), second.certPem);
    // A certificate of another key put in place is replaced too; a matching pair is kept as it is.
    await writeFile(path.join(dir, 'zone-ca.crt'), first.certPem);
    const third = await loadOrCreate(dir, 'zone-ca', (keys) => createZoneCa('Lost', keys));
    assert.equal(third.keyPem, second.keyPem);
    assert.ok(new X509Certificate(third.certPem).checkPrivateKey(createPrivateKey(third.keyPem)));
    assert.deepEqual(await loadOrCreate(dir, 'zone-ca', () => assert.fail('made again')), third);
  });

  test('processes making the pair at the same moment all end with the one on disk', async () => {
    const dir = path.join(tmp, 'together');
    const pairs = await Promise.all(
      Array.from({ length: 4 }, () => loadOrCreate(dir, 'zone-ca', (keys) => createZoneCa('Together', keys))),
    );
    const onDisk = { keyPem: await readFile(path.join(dir, 'zone-ca.key'), 'utf8'), certPem: await readFile(path.join(dir, 'zone-ca.crt'), 'utf8') };
    for (const pair of pairs) assert.deepEqual(pair, onDisk);
    assert.ok(new X509Certificate(onDisk.certPem).checkPrivateKey(createPrivateKey(onDisk.keyPem)));
  });
});
