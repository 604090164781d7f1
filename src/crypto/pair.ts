import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Whether the certificate is of the key (a key lost and made anew leaves a certificate of the old
 * one). Node's crypto only, so that a start with its TLS files in place loads nothing more.
 */
export function certIsOfKey(keyPem: string, certPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** `NAME.key` and `NAME.crt` of `dir` when both are there and the certificate is of the key. */
export function matchingPair(dir: string, name: string): { keyPem: string; certPem: string } | undefined {
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
  const keyPem = read(path.join(dir, `${name}.key`));
  const certPem = keyPem === undefined ? undefined : read(path.join(dir, `${name}.crt`));
  return keyPem !== undefined && certPem !== undefined && certIsOfKey(keyPem, certPem) ? { keyPem, certPem } : undefined;
}
