import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../store/index.js';
import type { DomainMetrics } from './metrics.js';

/** What services depend on; wired once in app.ts. */
export interface Deps {
  store: Store;
  /** Current time in Unix seconds. */
  clock: () => number;
  ids: () => string;
  masterKey: Buffer;
  config: Pick<Config, 'zoneName' | 'inviteTtl' | 'accessTokenTtl' | 'passwordCost'>;
  /** What the rules count; absent (nothing counted) where tools build services directly. */
  metrics?: DomainMetrics;
}

const ID_BYTES = 32;
/** Random bytes are drawn for this many ids at once: one call into the CSPRNG instead of one per id. */
const POOLED_IDS = 128;
let pool = Buffer.alloc(0);
let offset = 0;

/** Entity and token ids: 32 random bytes, base64url, 43 characters, like the original. */
export const newId = (): string => {
  if (offset === pool.length) {
    pool = randomBytes(ID_BYTES * POOLED_IDS);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
};

export const systemClock = (): number => Math.floor(Date.now() / 1000);

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
