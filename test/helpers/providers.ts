import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import type { OnezoneClient } from '../../src/client/index.js';
import { type KeyAndCert, signProviderCert, validateCsr } from '../../src/crypto/certs.js';
import type { TestZone } from './zone.js';

const run = promisify(execFile);

export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
  keyFile: string;
  csrFile: string;
}

/** A key and CSR made by OpenSSL (an independent implementation), in a fresh temp dir. */
export async function opensslCsr(newkey: string[] = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']): Promise<KeyAndCsr> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-csr-'));
  const keyFile = path.join(dir, 'provider.key');
  const csrFile = path.join(dir, 'provider.csr');
  await run('openssl', ['req', '-new', ...newkey, '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', '/CN=provider']);
  return { keyPem: fs.readFileSync(keyFile, 'utf8'), csrPem: fs.readFileSync(csrFile, 'utf8'), keyFile, csrFile };
}

export interface TestProvider {
  id: string;
  certificate: string;
  keyPem: string;
  csrPem: string;
  /** A provider token (works on plain HTTP; certificates need `startZone({ https: true })`). */
  token: string;
  api: OnezoneClient;
}

export const registration = (csr: string, name = 'provider') => ({
  clientName: name,
  urls: ['https://127.0.0.1:8443'],
  redirectionPoint: 'https://127.0.0.1:8443',
  csr,
  latitude: 50.0647,
  longitude: 19.945,
});

/** Registers a provider through the open `POST /provider` and gives it a provider token. */
export async function registerProvider(z: TestZone, name = 'provider'): Promise<TestProvider> {
  const { keyPem, csrPem } = await opensslCsr();
  const { providerId, certificate } = await z.client().provider.register(registration(csrPem, name));
  const token = await z.zone.services.providers.mintToken({ kind: 'provider', providerId });
  return { id: providerId, certificate, keyPem, csrPem, token, api: z.client({ token }) };
}

/** The zone CA of a test zone, as made on its first start. */
export function zoneCa(z: TestZone): KeyAndCert {
  const file = (ext: string) => fs.readFileSync(path.join(z.dataDir, 'tls', `zone-ca.${ext}`), 'utf8');
  return { keyPem: file('key'), certPem: file('crt') };
}

/**
 * Another certificate for the provider's key and id: signed by `ca` (default the zone CA), valid
 * for `days` from `now`; e.g. one that has expired, or one from a foreign CA.
 */
export async function signCertificate(z: TestZone, p: TestProvider, opts: { ca?: KeyAndCert; days?: number; now?: Date } = {}): Promise<string> {
  return signProviderCert(opts.ca ?? zoneCa(z), await validateCsr(p.csrPem), p.id, opts);
}

/** Makes `certificate` the one the zone issued to the provider, as if registration had returned it. */
export async function recordCertificate(z: TestZone, providerId: string, certificate: string): Promise<void> {
  const cert = new X509Certificate(certificate);
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  assert.ok(await z.zone.store.providers.update(providerId, { cert_serial: cert.serialNumber, cert_fingerprint: fingerprint }));
}

/** A dispatcher for an HTTPS test zone that presents `cert` and `key` (mutual TLS), or no certificate. */
export function tlsAgent(z: TestZone, client?: { cert: string; key: string }): Agent {
  assert.ok(z.ca, 'the zone serves HTTPS (startZone({ https: true }))');
  const agent = new Agent({ connect: { ca: z.ca, ...client } });
  after(() => agent.close());
  return agent;
}
