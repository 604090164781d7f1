import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { tokenId } from '../../src/client/token-id.js';
import { registerProvider } from '../helpers/providers.js';
import { registeredRoutes } from '../security/support.js';
import { type TestZone, startZone } from '../helpers/zone.js';

/**
 * What request bodies and path ids may hold, checked before any route's work: keys an extension
 * body does not define, bodies with nothing to change, NUL characters (answered alike on SQLite
 * and PostgreSQL: run this file with ONEZONE_TEST_DB=postgres too), and the support size's forms.
 */

interface Answer {
  status: number;
  body: { error?: string; error_description?: string } | undefined;
}

/** Sends `body` as it is (a string is sent verbatim, so `\u0000` escapes reach the server unchanged). */
async function send(z: TestZone, method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = token ? { 'x-auth-token': token } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${z.baseUrl}${path}`, {
    method: method as 'GET',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as Answer['body']) : undefined };
}

const adminToken = (z: TestZone): Promise<string> => z.admin.user.clientToken();

const refused = (description: string) => ({ status: 400, body: { error: 'invalid_request', error_description: description } });

describe('extension bodies refuse keys they do not know; RC2 bodies ignore them', async () => {
  const z = await startZone();
  const owner = await z.user('owner');
  const sid = await owner.api.spaces.create('s');
  const gid = await owner.api.groups.create('g', 'team');
  const provider = await registerProvider(z);

  it('the invite-minting POSTs: a misspelt option is named, not ignored', async () => {
    for (const path of [`/spaces/${sid}/users/token`, `/spaces/${sid}/groups/token`, `/groups/${gid}/users/token`, `/groups/${gid}/nested/token`]) {
      assert.deepEqual(await send(z, 'POST', path, owner.token, { usagelimit: 5 }), refused("unknown key: 'usagelimit'"), path);
      assert.equal((await send(z, 'POST', path, owner.token, { usageLimit: 5 })).status, 200, path);
    }
  });

  it('POST /spaces/{id}/providers/token takes no options', async () => {
    assert.deepEqual(await send(z, 'POST', `/spaces/${sid}/providers/token`, owner.token, { a: 1 }), refused("unknown key: 'a'"));
  });

  it('the other extension bodies', async () => {
    const password = { oldPassword: owner.password, newPassword: 'a-new-password', force: true };
    assert.deepEqual(await send(z, 'PATCH', '/user/password', owner.token, password), refused("unknown key: 'force'"));
    const created = { login: 'created', password: 'a-password', name: 'C', admin: true };
    assert.deepEqual(await send(z, 'POST', '/users', await adminToken(z), created), refused("unknown key: 'admin'"));
    const tid = tokenId(owner.token);
    assert.deepEqual(await send(z, 'PATCH', `/user/tokens/${tid}`, owner.token, { revoked: true, until: 1 }), refused("unknown key: 'until'"));
    assert.deepEqual(
      await send(z, 'POST', '/user/provider_login_token', owner.token, { providerId: provider.id, ttl: 60 }),
      refused("unknown key: 'ttl'"),
    );
    // A key that is no field name is not repeated: it may be a value sent as a key.
    assert.deepEqual(
      await send(z, 'PATCH', '/user/password', owner.token, { oldPassword: owner.password, newPassword: 'a-new-password', [owner.token]: 1 }),
      refused('unknown key (not shown: not a field name)'),
    );
    assert.deepEqual(await send(z, 'POST', '/users', await adminToken(z), { ...created, admin: undefined, 'pass word': 1 }), refused('unknown key (not shown: not a field name)'));
    // Nothing was done: the token still works, the account was not created.
    assert.equal((await owner.api.user.get()).userId, owner.id);
    assert.equal((await send(z, 'POST', '/users', await adminToken(z), { login: 'created', password: 'a-password', name: 'C' })).status, 201);
  });

  it('RC2 bodies keep ignoring keys they do not know, as the 2016 server did', async () => {
    assert.equal((await send(z, 'POST', '/user/spaces', owner.token, { name: 'x', spaceId: 'mine' })).status, 201);
    assert.equal((await send(z, 'PATCH', `/groups/${gid}`, owner.token, { name: 'g2', groupId: 'x' })).status, 204);
  });
});

describe('PATCH /provider with nothing to change', async () => {
  const z = await startZone();
  const p = await registerProvider(z, 'before');
  const missing = refused("missing required key: 'clientName', 'urls', 'redirectionPoint', 'latitude' or 'longitude'");

  it('is a 400 naming the keys, as PATCH /groups/{id}; nothing changes', async () => {
    const before = await p.api.provider.get();
    assert.deepEqual(await send(z, 'PATCH', '/provider', p.token, {}), missing);
    // RC2 body: an unknown key is ignored, so a misspelt one leaves nothing to change.
    assert.deepEqual(await send(z, 'PATCH', '/provider', p.token, { clientname: 'x' }), missing);
    assert.deepEqual(await p.api.provider.get(), before);
    assert.equal((await send(z, 'PATCH', '/provider', p.token, { clientName: 'after' })).status, 204);
    assert.equal((await p.api.provider.get()).clientName, 'after');
  });
});

/** PostgreSQL cannot store NUL in text and SQLite can: both must answer alike (run with ONEZONE_TEST_DB=postgres too). */
describe('NUL characters: the same answers on every database', async () => {
  const z = await startZone();
  const owner = await z.user('owner');
  const sid = await owner.api.spaces.create('s');
  const gid = await owner.api.groups.create('g', 'team');
  const p = await registerProvider(z);
  const admin = await adminToken(z);
  const nul = (field: string) => refused(`invalid '${field}' value: must not contain NUL characters`);
  const notFound = { status: 404, body: { error: 'not_found', error_description: 'The resource was not found.' } };

  it('in body text: 400 naming the field, before anything is stored', async () => {
    const cases: [string, string, string | undefined, string, ReturnType<typeof refused>][] = [
      ['POST', '/spaces', owner.token, '{"name":"a\\u0000"}', nul('name')],
      ['POST', '/user/spaces', owner.token, '{"name":"\\u0000"}', nul('name')],
      ['PATCH', `/spaces/${sid}`, owner.token, '{"name":"a\\u0000b"}', nul('name')],
      ['PATCH', '/user', owner.token, '{"emailList":["a@b","c\\u0000@d"]}', nul('emailList.1')],
      ['PATCH', '/provider', p.token, '{"clientName":"a\\u0000"}', nul('clientName')],
      ['PUT', `/spaces/${sid}/users`, owner.token, '{"userId":"a\\u0000"}', nul('userId')],
      ['POST', '/user/spaces/join', owner.token, '{"token":"\\u0000"}', nul('token')],
      ['POST', '/user/authorize', undefined, '{"identifier":"x\\u0000"}', nul('identifier')],
      // Checked before the schema: a wrong key or type elsewhere does not hide it.
      ['POST', `/spaces/${sid}/users/token`, owner.token, '{"usageLimit":0,"privileges":["\\u0000"]}', nul('privileges.0')],
    ];
    for (const [method, path, token, body, expected] of cases) {
      assert.deepEqual(await send(z, method, path, token, body), expected, `${method} ${path} ${body}`);
    }
    assert.deepEqual((await owner.api.spaces.get(sid)).name, 's');
  });

  it('an escaped backslash before u0000 is no NUL', async () => {
    const res = await send(z, 'POST', '/user/spaces', owner.token, '{"name":"a\\\\u0000"}');
    assert.equal(res.status, 201);
  });

  it('in a path id: 404, as for any id that cannot exist', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/spaces/%00', owner.token],
      ['GET', '/spaces/a%00b', owner.token],
      ['DELETE', '/groups/%00', owner.token],
      ['GET', `/spaces/${sid}/users/%00`, owner.token],
      ['GET', `/groups/${gid}/nested/x%00`, owner.token],
      ['GET', '/user/tokens/%00', owner.token],
      ['GET', '/privileges/users/%00', admin],
      ['GET', '/provider/%00', p.token],
      ['GET', '/provider/spaces/%00', p.token],
      ['GET', `/spaces/${sid}/providers/%00`, owner.token],
      // Not an id either: base64url has no spaces or dots.
      ['GET', '/spaces/a%20b', owner.token],
    ];
    for (const [method, path, token] of cases) assert.deepEqual(await send(z, method, path, token), notFound, `${method} ${path}`);
  });

  it('every route with a path id: 404 for one holding a NUL, for whoever may call it', async () => {
    const origin = new URL(z.baseUrl).origin;
    const wrong: string[] = [];
    for (const route of registeredRoutes(z).filter((r) => r.path.includes('/:'))) {
      const url = origin + route.path.replace(/:[a-z]+/g, 'a%00b');
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? '{}' : undefined;
      const answers = await Promise.all(
        [owner.token, p.token].map(async (token) => {
          const res = await request(url, { method: route.method as 'GET', headers: { 'x-auth-token': token, ...(body && { 'content-type': 'application/json' }) }, body });
          return `${res.statusCode} ${await res.body.text()}`;
        }),
      );
      // 405: a method the path does not have; 403: for users only, or for providers only.
      if (answers.some((a) => a.startsWith('405'))) continue;
      if (!answers.includes(`404 ${JSON.stringify(notFound.body)}`) || !answers.every((a) => /^40[34] /.test(a))) wrong.push(`${route.method} ${route.path}: ${answers.join(' / ')}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('in an id of the query: 400', async () => {
    for (const key of ['targetId', 'actorId']) {
      const res = await send(z, 'GET', `/audit?${key}=a%00b`, admin);
      assert.deepEqual([res.status, res.body?.error_description], [400, `invalid '${key}' value: must match pattern "^[A-Za-z0-9_-]{1,64}$"`]);
    }
  });

  it('in a Basic login: 401 like any unknown login', async () => {
    const res = await request(`${z.baseUrl}/user`, { headers: { authorization: `Basic ${Buffer.from('a\0b:some-password').toString('base64')}` } });
    await res.body.dump();
    assert.equal(res.statusCode, 401);
  });

  it('without credentials a bad path id is still a 401', async () => {
    assert.equal((await send(z, 'GET', '/spaces/%00', undefined)).status, 401);
  });
});

describe('support size', async () => {
  const z = await startZone();
  const p = await registerProvider(z);
  const wrong = refused("invalid 'size' value: must be a whole number of bytes, as a number or a digit string");

  it('a size that is neither a whole number nor a digit string says which forms are accepted', async () => {
    for (const size of ['abc', 1.5, 0, '01', -1, true]) {
      assert.deepEqual(await send(z, 'POST', '/provider/spaces/support', p.token, { token: 'x', size }), wrong, JSON.stringify(size));
      assert.deepEqual(await send(z, 'POST', '/provider/spaces', p.token, { name: 'n', token: 'x', size }), wrong, JSON.stringify(size));
      assert.deepEqual(await send(z, 'POST', '/spaces', p.token, { name: 'n', token: 'x', size }), wrong, JSON.stringify(size));
    }
  });
});

describe('an operation without a body, sent Content-Type: application/json and no body (as the 2016 client sent every request)', async () => {
  const z = await startZone();
  const emptyJson = (token: string) => ({ method: 'DELETE' as const, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: '' });

  it('is answered as without the header', async () => {
    const owner = await z.user('owner');
    const sid = await owner.api.spaces.create('bodiless');
    const leave = await request(`${z.baseUrl}/user/spaces/${sid}`, emptyJson(owner.token));
    assert.equal(leave.statusCode, 200, await leave.body.text());
    assert.ok(!(await owner.api.user.spaces()).spaces.includes(sid), 'the space was left');
    // Every DELETE (ids that do not exist; DELETE /user takes this throwaway account).
    const origin = new URL(z.baseUrl).origin;
    const caller = await z.user('caller');
    const wrong: string[] = [];
    for (const route of registeredRoutes(z).filter((r) => r.method === 'DELETE')) {
      const res = await request(origin + route.path.replace(/:[a-z]+/g, 'x'.repeat(43)), emptyJson(caller.token));
      const text = await res.body.text();
      if (res.statusCode === 400 || res.statusCode >= 500) wrong.push(`DELETE ${route.path}: ${res.statusCode} ${text}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('a route that takes a body still needs one', async () => {
    const user = await z.user('joiner');
    const res = await request(`${z.baseUrl}/user/spaces/join`, { ...emptyJson(user.token), method: 'POST' });
    assert.equal(res.statusCode, 400);
    assert.equal(((await res.body.json()) as { error_description: string }).error_description, 'The request body is empty; a JSON object is expected.');
  });
});
