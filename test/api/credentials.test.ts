import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Answer, rawHttp, send } from '../security/support.js';
import { startZone } from '../helpers/zone.js';

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

/** RFC 6750 §3.1: more than one way of sending a token is `invalid_request`; so is any other pair of disagreeing credentials. */
describe('a request carrying two different credentials', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const bob = await z.user('bob');
  const get = (headers: Record<string, string | string[]>, method = 'GET', path = '/user') => send(`${z.baseUrl}${path}`, { method, headers });
  const refused = (a: Answer, context: string, names: RegExp) => {
    assert.equal(a.status, 400, `${context}: ${a.status} ${a.text}`);
    const body = JSON.parse(a.text) as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_request', context);
    assert.match(body.error_description, names, context);
    for (const secret of [alice.token, bob.token, alice.password, bob.password, Buffer.from(`${alice.login}:${alice.password}`).toString('base64')]) {
      assert.ok(!a.text.includes(secret), `${context}: no credential in the answer`);
    }
  };

  it('two token headers with different tokens: 400 invalid_request naming the headers, never their values', async () => {
    const pairs: [string, Record<string, string>][] = [
      ['macaroon + Bearer', { macaroon: alice.token, authorization: `Bearer ${bob.token}` }],
      ['X-Auth-Token + Bearer', { 'x-auth-token': alice.token, authorization: `Bearer ${bob.token}` }],
      ['macaroon + X-Auth-Token', { macaroon: alice.token, 'x-auth-token': bob.token }],
      ['a valid token + a garbage one', { macaroon: alice.token, 'x-auth-token': 'garbage' }],
    ];
    for (const [context, headers] of pairs) refused(await get(headers), context, /token headers/);
  });

  it('the same token in two headers is one credential: accepted', async () => {
    const sameToken: Record<string, string>[] = [
      { macaroon: alice.token, authorization: `Bearer ${alice.token}` },
      { macaroon: alice.token, 'x-auth-token': alice.token, authorization: `bearer  ${alice.token}` },
    ];
    for (const headers of sameToken) {
      const a = await get(headers);
      assert.equal(a.status, 200, a.text);
      assert.equal((JSON.parse(a.text) as { userId: string }).userId, alice.id);
    }
  });

  it('a token header beside an Authorization header of another scheme (a proxy\'s own): the token decides; that scheme alone stays 401', async () => {
    for (const scheme of ['Digest username="bob"', 'Negotiate abc', 'Token abc']) {
      for (const name of ['macaroon', 'x-auth-token']) {
        const res = await get({ [name]: alice.token, authorization: scheme });
        assert.equal(res.status, 200, `${scheme} ${name}: ${res.text}`);
        assert.equal((JSON.parse(res.text) as { userId: string }).userId, alice.id);
      }
      assert.equal((await get({ authorization: scheme })).status, 401, scheme);
    }
  });

  it('two Authorization headers with different values: 400 (Node would keep only the first)', async () => {
    const pairs: [string, string[]][] = [
      ['two Bearer tokens', [`Bearer ${alice.token}`, `Bearer ${bob.token}`]],
      ['Bearer and Basic', [`Bearer ${alice.token}`, basic(bob.login, bob.password)]],
      ['Basic and Bearer', [basic(alice.login, alice.password), `Bearer ${bob.token}`]],
    ];
    for (const [context, values] of pairs) refused(await get({ authorization: values }), context, /Authorization headers/);
    // Also when sent as raw bytes, as a client might, and on a route that writes.
    const port = Number(new URL(z.baseUrl).port);
    const raw = await rawHttp(
      port,
      `DELETE /api/v3/onezone/user/client_token HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\nAuthorization: Bearer ${bob.token}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(raw, /^HTTP\/1\.1 400 [\s\S]*"error":"invalid_request"/);
    // The same value twice is one credential.
    const same = await get({ authorization: [`Bearer ${alice.token}`, `Bearer ${alice.token}`] });
    assert.equal(same.status, 200, same.text);
  });

  it('two macaroon headers with different tokens: 400', async () => {
    refused(await get({ macaroon: [alice.token, bob.token] }), 'two macaroon headers', /token headers/);
  });

  it('Basic beside a token header is decided as in 2016: Basic first (reference-behaviour.md §3.1)', async () => {
    const a = await get({ authorization: basic(alice.login, alice.password), macaroon: bob.token });
    assert.equal(a.status, 200, a.text);
    assert.equal((JSON.parse(a.text) as { userId: string }).userId, alice.id);
    assert.equal((await get({ authorization: basic(alice.login, 'wrong-password'), macaroon: alice.token })).status, 401);
  });
});
