import assert from 'node:assert/strict';
import { OnezoneError } from '../../src/client/index.js';

/** Asserts that `call` fails with this HTTP status (and catalog code, when given); returns the error. */
export async function fails(call: Promise<unknown>, status: number, code?: string): Promise<OnezoneError> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof OnezoneError, String(e));
    assert.equal(e.status, status, e.message);
    if (code) assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${status}, got success`);
}
