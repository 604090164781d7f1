import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { startZone } from '../helpers/zone.js';

/**
 * No cache may keep an answer of the API (a browser's disk cache would otherwise hold a user's
 * account, memberships and tokens after they signed out); the web UI's files keep their own rules.
 */
describe('Cache-Control', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const root = z.baseUrl.replace(/\/api\/v3\/onezone$/, '');
  const cacheControl = async (url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) => {
    const res = await request(url, init);
    await res.body.dump();
    return [res.statusCode, res.headers['cache-control']];
  };
  const token = { 'x-auth-token': alice.token };

  it('every API answer, success or error, is no-store', async () => {
    const sid = await alice.api.spaces.create('s');
    const invite = await alice.api.spaces.userInviteToken(sid);
    const bob = await z.user('bob');
    const cases: [string, Promise<unknown[]>, number][] = [
      ['GET /user', cacheControl(`${z.baseUrl}/user`, { headers: token }), 200],
      ['GET /user again (a shared answer)', cacheControl(`${z.baseUrl}/user`, { headers: token }), 200],
      ['GET /user/spaces', cacheControl(`${z.baseUrl}/user/spaces`, { headers: token }), 200],
      ['GET /user/client_token', cacheControl(`${z.baseUrl}/user/client_token`, { headers: token }), 200],
      [
        'POST /user/spaces/join',
        cacheControl(`${z.baseUrl}/user/spaces/join`, { method: 'POST', headers: { 'x-auth-token': bob.token, 'content-type': 'application/json' }, body: JSON.stringify({ token: invite }) }),
        201,
      ],
      ['401', cacheControl(`${z.baseUrl}/user`), 401],
      ['404', cacheControl(`${z.baseUrl}/spaces/${'x'.repeat(43)}`, { headers: token }), 404],
      ['405', cacheControl(`${z.baseUrl}/user/spaces/join`, { headers: token }), 405],
      ['/health', cacheControl(`${root}/health`), 200],
      ['malformed percent-encoding (the router\'s own 404)', cacheControl(`${z.baseUrl}/spaces/%E0%A4%A`, { headers: token }), 404],
    ];
    for (const [name, answer, status] of cases) assert.deepEqual(await answer, [status, 'no-store'], name);
  });

  it("the web UI's files keep their own caching", async () => {
    const [status, index] = await cacheControl(`${root}/ui/`);
    assert.equal(status, 200);
    assert.notEqual(index, 'no-store');
  });
});
