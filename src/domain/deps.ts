import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../store/index.js';

/** What services depend on; wired once in app.ts. */
export interface Deps {
  store: Store;
  /** Current time in Unix seconds. */
  clock: () => number;
  ids: () => string;
  masterKey: Buffer;
  config: Pick<Config, 'zoneName' | 'inviteTtl' | 'accessTokenTtl' | 'passwordCost'>;
}

/** Entity and token ids: 32 random bytes, base64url, 43 characters, like the original. */
export const newId = (): string => randomBytes(32).toString('base64url');

export const systemClock = (): number => Math.floor(Date.now() / 1000);

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
