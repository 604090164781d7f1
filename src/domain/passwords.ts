import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt (memory-hard) password hashes: `scrypt$N$r$p$salt$hash`, base64url fields.
 * The default N=2^15, r=8 takes 32 MiB and tens of milliseconds per check, which is why
 * domain/credentials.ts remembers recently proven credentials instead of paying this on every
 * request. Each hash records its own parameters, so the cost can change without a migration.
 */
export const DEFAULT_COST = 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
/** The highest cost a zone accepts (config.ts): 2^16 takes 64 MiB a hash, and hashes run side by side. */
export const MAX_COST = 16;

/** The shortest password an account may have (the admin's from the environment included). */
export const MIN_PASSWORD_LENGTH = 8;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes and a little more; Node's default limit (32 MiB) is below cost 15's.
  const maxmem = 128 * n * r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEYLEN, { N: n, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const n = 2 ** cost;
  const key = await derive(password, salt, n, R, P);
  return ['scrypt', n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
