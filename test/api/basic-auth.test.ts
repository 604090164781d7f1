import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

  it('a deleted user is refused at once', async () => {
    const dave = await z.user('dave');
    const api = z.client({ basic: { login: dave.login, password: dave.password } });
    await api.user.get();
    await dave.api.user.remove();
    await assert.rejects(api.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401);
  });

  it('unknown login: 401, same answer as a wrong password', async () => {
    const api = z.client({ basic: { login: 'nobody-here', password: 'whatever-pass' } });
    await assert.rejects(api.user.get(), (e: unknown) => e instanceof OnezoneError && e.status === 401 && e.code === 'unauthorized');
  });
});
