import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneError } from '../../src/client/index.js';
import { startZone } from '../helpers/zone.js';

const fails = (status: number, code: string, match?: RegExp) => (e: unknown) =>
  e instanceof OnezoneError && e.status === status && e.code === code && (!match || match.test(e.description));

describe('accounts: POST /users (admins) and the current user', async () => {
  const z = await startZone();

  it('an admin creates a user: 201, Location /users/{id}, the user without any password material', async () => {
    const res = await z.admin.http.call('POST', '/users', { login: 'alice', password: 'alice-password', name: 'Alice' });
    assert.equal(res.status, 201);
    const body = res.body as Record<string, unknown>;
    assert.equal(res.headers.location, `/users/${body.userId}`);
    assert.deepEqual(body, { userId: body.userId, login: 'alice', name: 'Alice', connectedAccounts: [], alias: '', emailList: [] });
    assert.match(String(body.userId), /^[A-Za-z0-9_-]{43}$/);
    const alice = z.client({ basic: { login: 'alice', password: 'alice-password' } });
    assert.equal((await alice.user.get()).userId, body.userId);
    // The Location names a resource: GET /users/{id}, for zone administrators.
    const read = await z.admin.http.call('GET', String(res.headers.location));
    assert.deepEqual(read.body, body);
    await assert.rejects(alice.users.get(String(body.userId)), fails(403, 'forbidden'));
    await assert.rejects(z.admin.users.get('x'.repeat(43)), fails(404, 'not_found'));
    // A missing entity is 404 before a missing privilege is 403, for everyone.
    await assert.rejects(alice.users.get('x'.repeat(43)), fails(404, 'not_found'));
  });

  it('a duplicate login is a clear 409', async () => {
    await z.admin.users.create({ login: 'dup', password: 'dup-password', name: 'One' });
    await assert.rejects(z.admin.users.create({ login: 'dup', password: 'other-password', name: 'Two' }), fails(409, 'conflict', /'dup' already exists/));
  });

  it('bad input: 400 naming the field, the password never echoed', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ password: 'long-enough', name: 'x' }, /missing required key: 'login'/],
      [{ login: 'bob', name: 'x' }, /missing required key: 'password'/],
      [{ login: 'bob', password: 'long-enough' }, /missing required key: 'name'/],
      [{ login: 'bob smith', password: 'long-enough', name: 'x' }, /'login'/],
      [{ login: '-bob', password: 'long-enough', name: 'x' }, /'login'/],
      [{ login: 'bob', password: 'short', name: 'x' }, /'password'.*8 characters/],
      [{ login: 'bob', password: 12345678, name: 'x' }, /'password'/],
      [{ login: 'bob', password: 'long-enough', name: '' }, /'name'/],
    ];
    for (const [body, match] of cases) {
      const res = await z.admin.http.raw('POST', '/users', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const err = res.body as { error: string; error_description: string };
      assert.equal(err.error, 'invalid_request');
      assert.match(err.error_description, match);
      assert.ok(!JSON.stringify(err).includes('long-enough'));
    }
  });

  it('only admins create users: 403 for others, 401 without credentials', async () => {
    const bob = await z.user('bob');
    await assert.rejects(bob.api.users.create({ login: 'sneaky', password: 'sneaky-password', name: 'S' }), fails(403, 'forbidden'));
    await assert.rejects(z.client().users.create({ login: 'sneaky', password: 'sneaky-password', name: 'S' }), fails(401, 'unauthorized'));
  });

  it('GET /user, PATCH /user (any of name, alias, emailList), DELETE /user', async () => {
    const carol = await z.user('carol');
    await carol.api.user.modify({ name: 'Carol C.', alias: 'cc', emailList: ['carol@example.org'] });
    const me = await carol.api.user.get();
    assert.deepEqual([me.name, me.alias, me.emailList], ['Carol C.', 'cc', ['carol@example.org']]);
    await carol.api.user.modify({ alias: 'c2' });
    assert.equal((await carol.api.user.get()).name, 'Carol C.', 'a partial PATCH keeps the other fields');
    await assert.rejects(carol.api.user.modify({ name: '' }), fails(400, 'invalid_request', /'name'/));
    // Nothing to change is refused, as for PATCH /groups/{id} and PATCH /provider.
    await assert.rejects(carol.api.user.modify({}), fails(400, 'invalid_request', /missing required key: 'name', 'alias' or 'emailList'/));
    await carol.api.user.remove();
    await assert.rejects(carol.api.user.get(), fails(401, 'invalid_token'));
    const again = z.client({ basic: { login: carol.login, password: carol.password } });
    await assert.rejects(again.user.get(), fails(401, 'unauthorized'));
  });
});
