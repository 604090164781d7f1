import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { startZone } from '../helpers/zone.js';

/**
 * The invite-minting POSTs take their options in an optional body: later Onezone clients send
 * them with no body at all, or an empty one. Either is `{}`, every option at its default (an RC2
 * invite: one use). Routes that need a body still refuse an empty one.
 */
describe('invite POSTs without a body', async () => {
  const z = await startZone();
  const owner = await z.user('owner');
  const sid = await owner.api.spaces.create('s');
  const gid = await owner.api.groups.create('g', 'team');
  const post = async (path: string, headers: Record<string, string>, body?: string) => {
    const res = await request(`${z.baseUrl}${path}`, { method: 'POST', headers: { 'x-auth-token': owner.token, ...headers }, body });
    const text = await res.body.text();
    return { status: res.statusCode, body: JSON.parse(text) as { token?: string; error?: string; error_description?: string } };
  };
  const routes = [`/spaces/${sid}/users/token`, `/spaces/${sid}/groups/token`, `/groups/${gid}/users/token`, `/groups/${gid}/nested/token`, `/spaces/${sid}/providers/token`];
  const bodies: [string, Record<string, string>, string | undefined][] = [
    ['no body, no Content-Type', {}, undefined],
    ['an empty JSON body', { 'content-type': 'application/json' }, ''],
    ['{}', { 'content-type': 'application/json' }, '{}'],
  ];

  for (const route of routes) {
    it(`POST ${route.replace(sid, '{id}').replace(gid, '{id}')}: each form mints a single-use invite`, async () => {
      for (const [name, headers, body] of bodies) {
        const res = await post(route, headers, body);
        assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.body)}`);
        assert.ok(res.body.token, name);
      }
      // Still validated when there is one.
      if (!route.endsWith('/providers/token')) {
        const bad = await post(route, { 'content-type': 'application/json' }, '{"usageLimit":0}');
        assert.equal(bad.status, 400);
      }
      // An extension body: a key it does not define is named, not ignored.
      const unknown = await post(route, { 'content-type': 'application/json' }, '{"usagelimit":5}');
      assert.deepEqual([unknown.status, unknown.body.error_description], [400, "unknown key: 'usagelimit'"]);
      assert.equal((await post(route, { 'content-type': 'application/json' }, '[]')).status, 400);
      // JSON null is a body, and not an object.
      assert.equal((await post(route, { 'content-type': 'application/json' }, 'null')).status, 400);
    });
  }

  it('the invite minted without a body is an RC2 invite: one join', async () => {
    const { body } = await post(`/spaces/${sid}/users/token`, {});
    const [a, b] = [await z.user('a'), await z.user('b')];
    assert.equal(await a.api.user.joinSpace(body.token!), sid);
    await assert.rejects(b.api.user.joinSpace(body.token!), /usage limit|used/i);
  });

  it('a route that needs a body still refuses an empty one', async () => {
    const res = await post('/user/spaces/join', { 'content-type': 'application/json' }, '');
    assert.deepEqual([res.status, res.body.error], [400, 'invalid_request']);
    assert.match(res.body.error_description!, /empty/);
    const none = await post('/user/spaces/join', {});
    assert.equal(none.status, 400);
  });
});
