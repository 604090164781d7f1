import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { OnezoneError } from '../../src/client/index.js';
import { startZone } from '../helpers/zone.js';

describe('Basic authentication', async () => {
  const z = await startZone();
  const bob = await z.user('bob');
  const stored = await z.zone.store.users.byLogin(bob.login);

  it('stores a memory-hard (scrypt) hash with the configured cost, never the password', () => {
    assert.match(stored!.password_hash!, /^scrypt\$4096\$8\$1\$/);
    assert.ok(!stored!.password_hash!.includes(bob.password));
  });

  it('pays the KDF once for repeated requests with the same valid credentials', async () => {
    await z.admin.users.create({ login: 'erin-basic', password: 'erin-password', name: 'Erin' });
    const api = z.client({ basic: { login: 'erin-basic', password: 'erin-password' } });
    const before = z.zone.services.credentials.kdfRuns();
    await api.user.get();
    await Promise.all(Array.from({ length: 10 }, () => api.user.get()));
    for (let i = 0; i < 10; i++) await api.user.get();
    assert.equal(z.zone.services.credentials.kdfRuns() - before, 1);
  });

  it('a wrong password still pays the KDF every time and is refused', async () => {
    const api = z.client({ basic: { login: bob.login, password: 'not-the-password' } });
    const before = z.zone.services.credentials.kdfRuns();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(api.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401);
    }
    assert.equal(z.zone.services.credentials.kdfRuns() - before, 3);
  });

  it('a changed password invalidates the remembered pair at once', async () => {
    const carol = await z.user('carol');
    const api = z.client({ basic: { login: carol.login, password: carol.password } });
    await api.user.get();
    const { hashPassword } = await import('../../src/domain/passwords.js');
    await z.zone.store.users.update(carol.id, { password_hash: await hashPassword('a-new-password') });
    await assert.rejects(api.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401);
    const fresh = z.client({ basic: { login: carol.login, password: 'a-new-password' } });
    assert.equal((await fresh.user.get()).userId, carol.id);
  });

  describe('PATCH /user/password', () => {
    const change = async (token: string, body: object) => {
      const res = await request(`${z.baseUrl}/user/password`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      return { status: res.statusCode, error: text ? (JSON.parse(text) as { error: string; error_description: string }) : undefined };
    };
    const signsIn = async (login: string, password: string) => {
      try {
        await z.client({ basic: { login, password } }).user.get();
        return true;
      } catch (e) {
        if (e instanceof OnezoneError && e.status === 401) return false;
        throw e;
      }
    };

    it('needs the current password: a wrong one is a failed login (401) and changes nothing', async () => {
      const erin = await z.user('erin');
      const wrong = await change(erin.token, { oldPassword: 'not-it', newPassword: 'a-brand-new-one' });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.error, { error: 'unauthorized', error_description: 'The current password is wrong.' });
      assert.equal(await signsIn(erin.login, erin.password), true);
      assert.equal(await signsIn(erin.login, 'a-brand-new-one'), false);
    });

    it('refuses a short new password or a body without both fields (400), never echoing them', async () => {
      const fay = await z.user('fay');
      const short = await change(fay.token, { oldPassword: fay.password, newPassword: 'short' });
      assert.equal(short.status, 400);
      assert.match(short.error!.error_description, /newPassword/);
      assert.ok(!JSON.stringify(short.error).includes(fay.password));
      assert.equal((await change(fay.token, { newPassword: 'long-enough-one' })).status, 400);
      assert.equal((await change(fay.token, { oldPassword: fay.password })).status, 400);
      assert.equal(await signsIn(fay.login, fay.password), true);
    });

    it('replaces the password: the old one (even remembered) stops at once, the new one works, tokens stay, audited without secrets', async () => {
      const gus = await z.user('gus');
      const remembered = z.client({ basic: { login: gus.login, password: gus.password } });
      await remembered.user.get();
      const next = 'gus-new-password';
      assert.equal((await change(gus.token, { oldPassword: gus.password, newPassword: next })).status, 204);
      await assert.rejects(remembered.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401);
      assert.equal(await signsIn(gus.login, next), true);
      assert.equal((await gus.api.user.get()).userId, gus.id);
      const events = await z.admin.audit.list({ targetId: gus.id });
      const event = events.events.find((e) => e.action === 'user.password');
      assert.ok(event, 'a user.password event');
      const text = JSON.stringify(events);
      assert.ok(!text.includes(next) && !text.includes(gus.password) && !text.includes('scrypt'));
      // Changing it again needs the new one.
      assert.equal((await change(gus.token, { oldPassword: gus.password, newPassword: 'yet-another-one' })).status, 401);
    });
  });

  it('a deleted user is refused at once', async () => {
    const dave = await z.user('dave');
    const api = z.client({ basic: { login: dave.login, password: dave.password } });
    await api.user.get();
    await dave.api.user.remove();
    await assert.rejects(api.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401);
  });

  it('one standard base64 credential and nothing else: anything looser is 401 like other malformed credentials', async () => {
    const login = 'strict-basic';
    const password = 'password--?x';
    // The pair encodes with a `/` (its URL-safe spelling differs) and with padding.
    assert.match(Buffer.from(`${login}:${password}`).toString('base64'), /\/.*=$/);
    await z.admin.users.create({ login, password, name: 'Strict' });
    const encoded = Buffer.from(`${login}:${password}`).toString('base64');
    const get = async (authorization: string) => {
      const res = await request(`${z.baseUrl}/user`, { headers: { authorization } });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? (JSON.parse(text) as { error: string }) : undefined };
    };
    assert.equal((await get(`Basic ${encoded}`)).status, 200);
    assert.equal((await get(`basic   ${encoded.replace(/=+$/, '')}`)).status, 200, 'padding is optional');
    const loose: Record<string, string> = {
      'trailing text': `Basic ${encoded} junk`,
      'two credentials': `Basic ${encoded},${encoded}`,
      'leading garbage': `Basic !!${encoded}`,
      'a character outside the alphabet': `Basic ${encoded.slice(0, 8)}*${encoded.slice(8)}`,
      'the URL-safe alphabet': `Basic ${encoded.replace(/\//g, '_')}`,
      'too much padding': `Basic ${encoded}=`,
      'no credential': 'Basic',
      'padding only': 'Basic ====',
    };
    for (const [what, authorization] of Object.entries(loose)) {
      const answer = await get(authorization);
      assert.equal(answer.status, 401, what);
      assert.equal(answer.body?.error, 'unauthorized', what);
    }
  });

  it('unknown login: 401, same answer as a wrong password', async () => {
    const api = z.client({ basic: { login: 'nobody-here', password: 'whatever-pass' } });
    await assert.rejects(api.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401 && e.code === 'unauthorized');
  });
});
