/**
 * Certificates of the zone: the self-signed HTTPS server certificate, the zone CA, validation of
 * provider CSRs, issuing provider client certificates and recognising them on mutual TLS.
 * Keys are EC P-256 made with WebCrypto; X.509 encoding is done by @peculiar/x509.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
// @peculiar/x509 registers its algorithms through tsyringe, which needs the Reflect metadata
// polyfill loaded first; ES imports are evaluated in order, so it must stay above x509.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Extension, JsonGeneralName, JsonName, X509Certificate } from '@peculiar/x509';
import { createFileOnce, makePrivateDir } from '../files.js';
import { certIsOfKey } from './pair.js';

const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

/** A CSR that passed `validateCsr`; only `signProviderCert` looks inside. */
export interface ValidatedCsr {
  /** DER SubjectPublicKeyInfo of the requester's key. */
  readonly spki: ArrayBuffer;
  readonly keyType: 'rsa' | 'ec' | 'ed25519';
}

/** A CSR was refused; the message is a short reason that is safe to return to the client. */
export class CsrError extends Error {
  override name = 'CsrError';
}

const EC_P256: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const DAY_MS = 24 * 60 * 60 * 1000;
const PROVIDER_O = 'onedata';
const PROVIDER_OU = 'Providers';
/** Far above any real CSR; bounds the parsing work an anonymous request can cause. */
const MAX_CSR_CHARS = 16 * 1024;
/** X.520 upper bound of commonName. */
const MAX_CN_CHARS = 64;
const MIN_RSA_BITS = 2048;
/** Node names curves by their OpenSSL names. */
const ALLOWED_CSR_CURVES = new Set(['prime256v1', 'secp384r1']);
const WEBCRYPTO_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

// ---------------------------------------------------------------------------------------------
// Issuing

export async function createSelfSignedServerCert(hostnames: string[], keys?: CryptoKeyPair): Promise<KeyAndCert> {
  keys ??= await generateEcKeys();
  const given = hostnames.map((h) => h.trim()).filter((h) => h !== '');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // Clients match names against the SANs; the CN is only what people see.
    name: [{ CN: [given[0] ?? 'localhost'] }],
    notBefore: new Date(),
    notAfter: yearsFromNow(10),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(serverAltNames(given)),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keyPem: await exportPrivateKeyPem(keys.privateKey), certPem: cert.toString('pem') };
}

/** Loopback names always, so local tools work; a hostname that is an IP literal becomes an IP SAN. */
function serverAltNames(hostnames: string[]): JsonGeneralName[] {
  const all = ['localhost', ...hostnames, '127.0.0.1', '::1'];
  return [...new Set(all)].map((value) => ({ type: isIP(value) === 0 ? 'dns' : 'ip', value }));
}

export async function createZoneCa(zoneName: string, keys?: CryptoKeyPair): Promise<KeyAndCert> {
  keys ??= await generateEcKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`${zoneName} Zone CA`] }],
    notBefore: new Date(),
    notAfter: yearsFromNow(20),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keyPem: await exportPrivateKeyPem(keys.privateKey), certPem: cert.toString('pem') };
}

export async function signProviderCert(
  ca: KeyAndCert,
  csr: ValidatedCsr,
  providerId: string,
  opts: { days?: number; now?: Date } = {},
): Promise<string> {
  checkProviderId(providerId);
  const days = opts.days ?? 3650;
  if (!(days > 0)) throw new RangeError('days must be a positive number');
  const now = opts.now ?? new Date();
  const caCert = new x509.X509Certificate(ca.certPem);
  const { key, hash } = await importSigningKey(ca.keyPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: providerName(providerId),
    // The CA's own encoded name, so issuer/subject chaining is byte-exact.
    issuer: caCert.subjectName,
    notBefore: now,
    notAfter: new Date(now.getTime() + days * DAY_MS),
    publicKey: csr.spki,
    signingKey: key,
    signingAlgorithm: { name: 'ECDSA', hash },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(providerKeyUsage(csr.keyType), true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create(csr.spki),
      await authorityKeyIdentifier(caCert),
    ],
  });
  return cert.toString('pem');
}

function providerName(providerId: string): JsonName {
  return [{ CN: [providerId] }, { O: [PROVIDER_O] }, { OU: [PROVIDER_OU] }];
}

function checkProviderId(providerId: string): void {
  if (providerId.length === 0 || providerId.length > MAX_CN_CHARS) {
    throw new RangeError(`provider id must be 1..${MAX_CN_CHARS} characters`);
  }
}

/** RSA keys may be used for key transport in TLS 1.2 RSA key exchange; other keys only sign. */
function providerKeyUsage(keyType: ValidatedCsr['keyType']): number {
  const sign = x509.KeyUsageFlags.digitalSignature;
  return keyType === 'rsa' ? sign | x509.KeyUsageFlags.keyEncipherment : sign;
}

/** Copies the CA's subjectKeyIdentifier: OpenSSL matches it against the AKI when building chains. */
async function authorityKeyIdentifier(caCert: X509Certificate): Promise<Extension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}

async function generateEcKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** The zone CA key is EC (P-256 when we made it); the hash follows the curve size. */
async function importSigningKey(keyPem: string): Promise<{ key: CryptoKey; hash: string }> {
  const keyObject = createPrivateKey(keyPem);
  const curve = WEBCRYPTO_CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
  if (keyObject.asymmetricKeyType !== 'ec' || curve === undefined) {
    throw new Error('zone CA key must be an EC P-256 or P-384 key');
  }
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  const key = await webcrypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), { name: 'ECDSA', namedCurve: curve.namedCurve }, false, ['sign']);
  return { key, hash: curve.hash };
}

function randomSerial(): string {
  return randomBytes(16).toString('hex');
}

function yearsFromNow(years: number): Date {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

// ---------------------------------------------------------------------------------------------
// CSR validation

export async function validateCsr(csrPem: string): Promise<ValidatedCsr> {
  const csr = parseCsr(csrDerFromPem(csrPem));
  const spki = csr.publicKey.rawData;
  const keyType = checkCsrKey(spki);
  if (!(await csrSignatureVerifies(csr))) throw new CsrError('CSR signature does not verify');
  return { spki, keyType };
}

/** Exactly one CERTIFICATE REQUEST block and nothing else but whitespace. */
function csrDerFromPem(pem: string): Buffer {
  if (pem.length > MAX_CSR_CHARS) throw new CsrError('CSR is too large');
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]{1,40})-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) throw new CsrError('CSR is not a PEM block');
  if (blocks.length > 1) throw new CsrError(`expected one PEM block, got ${blocks.length}`);
  const [block, label = '', body = ''] = blocks[0] ?? [];
  // OpenSSL's older tools wrote the "NEW" variant; the content is the same PKCS#10.
  if (label !== 'CERTIFICATE REQUEST' && label !== 'NEW CERTIFICATE REQUEST') {
    throw new CsrError(`expected a CERTIFICATE REQUEST PEM block, got ${label}`);
  }
  if (pem.replace(block ?? '', '').trim() !== '') throw new CsrError('unexpected text outside the PEM block');
  const base64 = body.replace(/\s+/g, '');
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new CsrError('CSR PEM body is not valid base64');
  }
  return Buffer.from(base64, 'base64');
}

function parseCsr(der: Buffer): InstanceType<typeof x509.Pkcs10CertificateRequest> {
  try {
    return new x509.Pkcs10CertificateRequest(toArrayBuffer(der));
  } catch {
    throw new CsrError('CSR is not a valid PKCS#10 certificate request');
  }
}

function checkCsrKey(spki: ArrayBuffer): ValidatedCsr['keyType'] {
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new CsrError('CSR public key is not supported');
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new CsrError(`RSA key must have at least ${MIN_RSA_BITS} bits`);
      return 'rsa';
    case 'ec':
      if (!ALLOWED_CSR_CURVES.has(details.namedCurve ?? '')) throw new CsrError('EC key must use curve P-256 or P-384');
      return 'ec';
    case 'ed25519':
      return 'ed25519';
    default:
      throw new CsrError('CSR key must be RSA (>= 2048 bits), EC P-256/P-384 or Ed25519');
  }
}

/** Unsupported signature algorithms make x509/WebCrypto throw; for the client that is a refusal. */
async function csrSignatureVerifies(csr: InstanceType<typeof x509.Pkcs10CertificateRequest>): Promise<boolean> {
  try {
    return await csr.verify();
  } catch {
    throw new CsrError('CSR signature algorithm is not supported');
  }
}

// ---------------------------------------------------------------------------------------------
// Recognising provider certificates

interface CachedPeer {
  providerId: string | null;
  notBefore: number;
  notAfter: number;
}

interface CaVerifier {
  subject: string;
  publicKey: CryptoKey;
  /** Outcome per peer certificate, keyed by sha256 of its DER. */
  peers: BoundedMap<string, CachedPeer>;
}

/** Insertion-ordered map that forgets the least recently used entry beyond `limit`. */
class BoundedMap<K, V> {
  readonly #items = new Map<K, V>();
  constructor(readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.#items.get(key);
    if (value !== undefined) {
      this.#items.delete(key);
      this.#items.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#items.delete(key);
    this.#items.set(key, value);
    if (this.#items.size > this.limit) this.#items.delete(this.#items.keys().next().value as K);
  }
}

/** Keyed by CA certificate PEM; a zone has one CA (tests make a few). */
const verifiers = new BoundedMap<string, CaVerifier>(8);
const PEER_CACHE_SIZE = 1000;

export async function providerIdFromCert(ca: KeyAndCert, peerCertDer: Buffer, now: Date = new Date()): Promise<string | null> {
  const verifier = await caVerifier(ca.certPem);
  const fingerprint = createHash('sha256').update(peerCertDer).digest('hex');
  let peer = verifier.peers.get(fingerprint);
  if (peer === undefined) {
    peer = await inspectPeer(verifier, peerCertDer);
    verifier.peers.set(fingerprint, peer);
  }
  const t = now.getTime();
  return peer.notBefore <= t && t < peer.notAfter ? peer.providerId : null;
}

async function caVerifier(caCertPem: string): Promise<CaVerifier> {
  const cached = verifiers.get(caCertPem);
  if (cached) return cached;
  const caCert = new x509.X509Certificate(caCertPem);
  const verifier: CaVerifier = {
    subject: caCert.subject,
    publicKey: await caCert.publicKey.export(),
    peers: new BoundedMap(PEER_CACHE_SIZE),
  };
  verifiers.set(caCertPem, verifier);
  return verifier;
}

/** Time-independent facts about a peer certificate; validity is checked per call. */
async function inspectPeer(verifier: CaVerifier, der: Buffer): Promise<CachedPeer> {
  const rejected: CachedPeer = { providerId: null, notBefore: 0, notAfter: 0 };
  let cert;
  try {
    cert = new x509.X509Certificate(toArrayBuffer(der));
    if (cert.issuer !== verifier.subject) return rejected;
    if (!(await cert.verify({ publicKey: verifier.publicKey, signatureOnly: true }))) return rejected;
  } catch {
    // Unparsable, or signed with an algorithm the CA key cannot check: not one of ours.
    return rejected;
  }
  const providerId = providerIdFromSubject(cert);
  if (providerId === null) return rejected;
  return { providerId, notBefore: cert.notBefore.getTime(), notAfter: cert.notAfter.getTime() };
}

function providerIdFromSubject(cert: X509Certificate): string | null {
  const name = cert.subjectName;
  const [cn, ...moreCn] = name.getField('CN');
  const sameAs = (field: string, expected: string) => {
    const values = name.getField(field);
    return values.length === 1 && values[0] === expected;
  };
  if (cn === undefined || cn === '' || moreCn.length > 0) return null;
  return sameAs('O', PROVIDER_O) && sameAs('OU', PROVIDER_OU) ? cn : null;
}

// ---------------------------------------------------------------------------------------------
// Persistence

/**
 * The key and certificate `name` in `dir`, made on first use. Processes starting together on one
 * data dir (`--workers`) must end with the same key: it is linked into place only when absent,
 * and the certificate is made from the key on disk, which is all a self-signed certificate needs
 * (two made at once differ only in serial and dates, and either serves). A certificate missing,
 * or not of the key (a key lost and made anew), is made again from the key.
 */
export async function loadOrCreate(dir: string, name: string, create: (keys: CryptoKeyPair) => Promise<KeyAndCert>): Promise<KeyAndCert> {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  makePrivateDir(dir);
  if ((await readIfExists(keyPath)) === null) {
    createFileOnce(keyPath, await exportPrivateKeyPem((await generateEcKeys()).privateKey), 0o600);
  }
  const keyPem = await readFile(keyPath, 'utf8');
  const onDisk = await readIfExists(certPath);
  if (onDisk !== null && certIsOfKey(keyPem, onDisk)) return { keyPem, certPem: onDisk };
  const { certPem } = await create(await importKeyPair(keyPem));
  // Missing: linked once, so that processes starting together read the same one. Of another key:
  // replaced (processes doing so together may each keep their own: made from one key, either serves).
  if (onDisk === null) createFileOnce(certPath, certPem, 0o644);
  else await writeFileAtomic(certPath, certPem, 0o644);
  return { keyPem, certPem: await readFile(certPath, 'utf8') };
}

/** A temp file, synced, renamed over `file`, and the directory synced: readers see one or the other. */
async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dirHandle = await open(path.dirname(file), 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A P-256 key pair (the only kind this module makes) from its PKCS#8 PEM. */
async function importKeyPair(keyPem: string): Promise<CryptoKeyPair> {
  const key = createPrivateKey(keyPem);
  const der = (type: 'pkcs8' | 'spki', k = key) => toArrayBuffer(k.export({ format: 'der', type }));
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', der('pkcs8'), EC_P256, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', der('spki', createPublicKey(key)), EC_P256, true, ['verify']),
  };
}
