import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OnezoneClient } from '../../src/client/index.js';
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
  /** A provider token (the plain-HTTP test zone has no mutual TLS; test/e2e covers certificates). */
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
  return { id: providerId, certificate, keyPem, token, api: z.client({ token }) };
}
