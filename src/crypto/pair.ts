import { X509Certificate, createPrivateKey } from 'node:crypto';

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
