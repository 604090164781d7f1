import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { basicCredentials } from '../../src/http/auth.js';
import { failureCounter, loginKey } from '../../src/http/limits.js';

describe('the throttle counter', () => {
  it('sweep forgets every ended window, also those whose key never comes back, and keeps the live ones', () => {
    let now = 0;
    const c = failureCounter({ enabled: true, attempts: 2, windowSeconds: 10 }, () => now);
    for (let i = 0; i < 1000; i++) c.fail(`ip:old-${i}`);
    now = 5_000;
    c.fail('ip:late');
    c.fail('ip:old-0');
    now = 10_000;
    c.sweep();
    assert.equal(c.size, 1);
    assert.equal(c.retryAfter('ip:late'), 0);
    c.fail('ip:late');
    assert.equal(c.retryAfter('ip:late'), 5);
    now = 15_000;
    c.sweep();
    assert.equal(c.size, 0);
  });

  it('keys a login no longer than an account may have (64 characters) by a fixed-size hash, never a longer one', () => {
    const longest = 'a'.repeat(64);
    assert.match(loginKey(longest)!, /^login:[\w-]{43}$/);
    assert.match(loginKey('alice')!, /^login:[\w-]{43}$/);
    assert.equal(loginKey('alice'), loginKey('alice'));
    assert.notEqual(loginKey('alice'), loginKey('alicf'));
    assert.equal(loginKey('a'.repeat(65)), undefined);
    assert.equal(loginKey('x'.repeat(12 * 1024)), undefined);
    assert.equal(loginKey(undefined), undefined);
  });

  it('a full counter stays small: no key keeps the header it came from (whose password may be kilobytes)', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const c = failureCounter({ enabled: true, attempts: 20, windowSeconds: 300 });
    const before = heap();
    const n = 5_000;
    for (let i = 0; i < n; i++) {
      // What the throttle keys: the login of Basic credentials with a 10 KB password.
      const header = `Basic ${Buffer.from(`${String(i).padStart(64, 'u')}:${'p'.repeat(10_000)}`).toString('base64')}`;
      c.fail(loginKey(basicCredentials(header)!.login)!);
    }
    const perKey = (heap() - before) / n;
    assert.equal(c.size, n, 'the counter is still alive when measured');
    // About 200 bytes each; the 10 KB pairs, kept alive, would be 50 times that.
    assert.ok(perKey < 2_000, `${perKey.toFixed(0)} bytes per key`);
  });
});
