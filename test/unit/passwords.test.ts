import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_COST, hashPassword, verifyPassword } from '../../src/domain/passwords.js';
import { loadConfig } from '../../src/config.js';

describe('password hashes', () => {
  it('every cost the configuration accepts hashes and verifies (16 needs more than 64 MiB)', async () => {
    for (const cost of [10, 15, MAX_COST]) {
      assert.equal(loadConfig([], { ONEZONE_PASSWORD_COST: String(cost) }).passwordCost, cost);
      const stored = await hashPassword('correct horse', cost);
      assert.match(stored, new RegExp(`^scrypt\\$${2 ** cost}\\$8\\$1\\$`));
      assert.equal(await verifyPassword('correct horse', stored), true);
      assert.equal(await verifyPassword('wrong horse', stored), false);
    }
  });
});
