import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneError } from '../../src/client/index.js';
import { request } from 'undici';
import { addFirstPartyCaveat, parse, serialize } from '../../src/tokens/macaroon.js';
import { registerProvider } from '../helpers/providers.js';
import { startZone } from '../helpers/zone.js';

const idOf = (token: string) => parse(token).identifier;
const fails = (status: number, match?: RegExp) => (e: unknown) =>
  e instanceof OnezoneError && e.status === status && (!match || match.test(e.description));

describe('extension /user/tokens: list, revoke, delete', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const space = await alice.api.user.createSpace('lab');

  it('lists the access tokens a user holds and the invites they issued, with their uses', async () => {
    const invite = await alice.api.spaces.createUserInvite(space, { usageLimit: 3 });
    const bob = await z.user('bob');
    await bob.api.user.joinSpace(invite);
    const list = await alice.api.tokens.list();
    const access = list.find((t) => t.tokenId === idOf(alice.token));
    assert.equal(access?.kind, 'access');
    assert.equal(access?.usageLimit, 'infinity');
    const inv = list.find((t) => t.tokenId === idOf(invite));
    assert.deepEqual(
      { kind: inv?.kind, type: inv?.type, target: inv?.target, usageLimit: inv?.usageLimit, usageCount: inv?.usageCount, revoked: inv?.revoked },
      { kind: 'invite', type: 'space_invite_user_token', target: { type: 'space', id: space }, usageLimit: 3, usageCount: 1, revoked: false },
    );
    assert.ok(inv!.expiresAt! > inv!.createdAt);
    assert.deepEqual(await alice.api.tokens.get(idOf(invite)), inv);
    assert.ok(!(await bob.api.tokens.list()).some((t) => t.tokenId === idOf(invite)), 'bob does not see alice\'s invite');
  });

  it('a revoked invite fails with a reason; un-revoked it works again', async () => {
    const invite = await alice.api.spaces.userInviteToken(space);
    await alice.api.tokens.setRevoked(idOf(invite), true);
    const bob = await z.user('bob');
    await assert.rejects(bob.api.user.joinSpace(invite), fails(400, /revoked/));
    await alice.api.tokens.setRevoked(idOf(invite), false);
    assert.equal(await bob.api.user.joinSpace(invite), space);
  });

  it('a deleted invite is unknown from then on', async () => {
    const invite = await alice.api.spaces.userInviteToken(space);
    await alice.api.tokens.remove(idOf(invite));
    const bob = await z.user('bob');
    await assert.rejects(bob.api.user.joinSpace(invite), fails(400, /could not be validated/));
    await assert.rejects(alice.api.tokens.get(idOf(invite)), fails(404));
  });

  it('revoking or deleting an access token logs it out at once', async () => {
    const carol = await z.user('carol');
    const second = await carol.api.user.clientToken();
    const other = z.client({ token: second });
    assert.equal((await other.user.get()).userId, carol.id);
    await carol.api.tokens.setRevoked(idOf(second), true);
    await assert.rejects(other.user.get(), fails(401, /revoked/));
    await carol.api.tokens.remove(idOf(second));
    await assert.rejects(other.user.get(), fails(401));
    assert.equal((await carol.api.user.get()).userId, carol.id, 'the other token still works');
  });

  it("someone else's token is not found, to read, revoke or delete", async () => {
    const mallory = await z.user('mallory');
    const invite = await alice.api.spaces.userInviteToken(space);
    for (const call of [
      () => mallory.api.tokens.get(idOf(invite)),
      () => mallory.api.tokens.setRevoked(idOf(invite), true),
      () => mallory.api.tokens.remove(idOf(invite)),
      () => mallory.api.tokens.get('no-such-token'),
    ]) {
      await assert.rejects(call(), fails(404));
    }
    assert.equal((await alice.api.tokens.get(idOf(invite))).revoked, false);
  });

  it('PATCH needs a boolean `revoked`', async () => {
    const invite = await alice.api.spaces.userInviteToken(space);
    await assert.rejects(alice.api.http.call('PATCH', `/user/tokens/${idOf(invite)}`, { revoked: 'yes' }), fails(400, /'revoked'/));
    await assert.rejects(alice.api.http.call('PATCH', `/user/tokens/${idOf(invite)}`, {}), fails(400, /'revoked'/));
  });
});

describe('access tokens narrowed by their holder', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const getUser = async (token: string) => (await request(`${z.baseUrl}/user`, { headers: { 'x-auth-token': token } })).statusCode;
  const narrow = (token: string, caveat: string) => serialize(addFirstPartyCaveat(parse(token), caveat));

  it('a caveat only ever narrows: a token type refuses it as an access token, and a second, different type does not undo that', async () => {
    assert.equal(await getUser(narrow(alice.token, `time < ${Math.floor(Date.now() / 1000) + 600}`)), 200);
    const typed = narrow(alice.token, 'tokenType = space_invite_user_token');
    assert.equal(await getUser(typed), 401);
    assert.equal(await getUser(narrow(typed, 'tokenType = group_invite_user_token')), 401);
    assert.equal(await getUser(alice.token), 200);
  });

  // The 2016 verifier's request caveats (reference-behaviour.md §3.1).
  const send = async (token: string, method: 'GET' | 'POST' | 'HEAD', path: string) => {
    const res = await request(`${z.baseUrl}${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(method === 'POST' && { 'content-type': 'application/json' }) },
      body: method === 'POST' ? JSON.stringify({ name: 'made' }) : undefined,
    });
    const text = await res.body.text();
    return method !== 'HEAD' && res.statusCode === 401 ? `401 ${(JSON.parse(text) as { error_description: string }).error_description}` : String(res.statusCode);
  };
  const refused = /^401 Provided access token's caveats do not allow this request/;

  it('`method = GET` lets the token read and nothing else', async () => {
    const reader = narrow(alice.token, 'method = GET');
    assert.equal(await send(reader, 'GET', '/user'), '200');
    assert.equal(await send(reader, 'HEAD', '/user'), '200');
    assert.match(await send(reader, 'POST', '/spaces'), refused);
    assert.equal(await send(alice.token, 'POST', '/spaces'), '201');
    // Two methods leave none.
    assert.match(await send(narrow(reader, 'method = POST'), 'GET', '/user'), refused);
    assert.match(await send(narrow(reader, 'method = POST'), 'POST', '/spaces'), refused);
  });

  it('`rootResource in a,b` confines the token to those resources; each such caveat narrows further', async () => {
    const confined = narrow(alice.token, 'rootResource in user,groups');
    assert.equal(await send(confined, 'GET', '/user'), '200');
    assert.equal(await send(confined, 'GET', '/user/spaces'), '200');
    assert.equal(await send(confined, 'POST', '/groups'), '400');
    assert.match(await send(confined, 'POST', '/spaces'), refused);
    assert.match(await send(confined, 'GET', '/privileges/users/x'), refused);
    const narrower = narrow(confined, 'rootResource in spaces, groups');
    assert.match(await send(narrower, 'GET', '/user'), refused);
    assert.equal(await send(narrower, 'POST', '/groups'), '400');
    assert.match(await send(narrow(confined, 'rootResource in spaces'), 'GET', '/user'), refused);
  });

  it('a narrowed token cannot mint an unnarrowed one (client, provider and provider-login tokens): 403', async () => {
    const provider = await registerProvider(z);
    const soon = `time < ${Math.floor(Date.now() / 1000) + 600}`;
    const mints = (narrowing: (method: string) => string[]) => [
      ...narrowing('GET').map((token) => request(`${z.baseUrl}/user/client_token`, { headers: { 'x-auth-token': token } })),
      ...narrowing('POST').map((token) =>
        request(`${z.baseUrl}/user/provider_login_token`, {
          method: 'POST',
          headers: { 'x-auth-token': token, 'content-type': 'application/json' },
          body: JSON.stringify({ providerId: provider.id }),
        }),
      ),
    ];
    // Caveats that allow the request itself; an earlier expiry narrows too (the new token would outlive it).
    for (const answer of mints((method) => [`method = ${method}`, 'rootResource in user', soon].map((c) => narrow(alice.token, c)))) {
      const res = await answer;
      assert.equal(res.statusCode, 403);
      assert.match((JSON.parse(await res.body.text()) as { error_description: string }).error_description, /narrowed/);
    }
    for (const caveat of ['method = GET', soon]) {
      const res = await request(`${z.baseUrl}/provider/token`, { headers: { 'x-auth-token': narrow(provider.token, caveat) } });
      assert.equal(res.statusCode, 403, caveat);
      await res.body.dump();
    }
    // As issued, or with a time caveat later than the token's own expiry (which narrows nothing), they mint.
    const later = `time < ${Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600}`;
    for (const answer of mints(() => [alice.token, narrow(alice.token, later)])) {
      const res = await answer;
      assert.equal(res.statusCode, 200);
      await res.body.dump();
    }
    assert.ok(await z.client({ token: narrow(provider.token, later) }).provider.token());
  });

  it('the path is read as the router reads it: duplicate slashes and percent-encoding do not matter', async () => {
    const confined = narrow(alice.token, 'rootResource in user');
    for (const path of ['/user', '//user', '/%75ser', '/user/']) assert.equal(await send(confined, 'GET', path), '200', path);
    const root = z.baseUrl.replace(/\/api\/v3\/onezone$/, '');
    const raw = await request(`${root}//api/v3//onezone/user`, { headers: { 'x-auth-token': confined } });
    assert.equal(raw.statusCode, 200);
    await raw.body.dump();
    // method = HEAD allows HEAD only.
    assert.equal(await send(narrow(alice.token, 'method = HEAD'), 'HEAD', '/user'), '200');
    assert.match(await send(narrow(alice.token, 'method = HEAD'), 'GET', '/user'), refused);
  });

  it('an invite carrying request caveats is refused: it is no credential of the request that sends it', async () => {
    const sid = await alice.api.spaces.create('s');
    const invite = await alice.api.spaces.userInviteToken(sid);
    const bob = await z.user('bob');
    for (const caveat of ['method = POST', 'rootResource in user']) {
      await assert.rejects(bob.api.user.joinSpace(narrow(invite, caveat)), /could not be validated/);
    }
    assert.equal(await bob.api.user.joinSpace(invite), sid);
  });

  it("a provider token's request caveats hold too", async () => {
    const provider = await registerProvider(z);
    const reader = narrow(provider.token, 'method = GET');
    assert.equal(await send(reader, 'GET', '/provider'), '200');
    const res = await request(`${z.baseUrl}/provider`, { method: 'DELETE', headers: { 'x-auth-token': reader } });
    assert.equal(res.statusCode, 401);
    assert.match((JSON.parse(await res.body.text()) as { error_description: string }).error_description, /caveats do not allow/);
    assert.match(await send(narrow(provider.token, 'rootResource in user'), 'GET', '/provider'), refused);
  });

  it('a malformed request caveat makes the token invalid', async () => {
    for (const caveat of ['method = get', 'method=GET', 'rootResource in', 'rootResource in user;spaces', 'rootResource = user']) {
      assert.equal(await getUser(narrow(alice.token, caveat)), 401, caveat);
    }
  });
});

describe('HEAD on the GETs that mint tokens', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const space = await alice.api.user.createSpace('minted');
  const group = await alice.api.user.createGroup('minters', 'role');
  const provider = await registerProvider(z);
  const mints = async (actorId: string) => (await z.admin.audit.list({ actorId, limit: 1000 })).events.filter((e) => e.action === 'token.mint').length;

  it('is a safe method: 405 with Allow, as any other wrong method, and mints nothing', async () => {
    const routes: [string, string, string][] = [
      ['/user/client_token', alice.token, alice.id],
      ['/user/spaces/token', alice.token, alice.id],
      [`/spaces/${space}/users/token`, alice.token, alice.id],
      [`/spaces/${space}/groups/token`, alice.token, alice.id],
      [`/spaces/${space}/providers/token`, alice.token, alice.id],
      [`/groups/${group}/users/token`, alice.token, alice.id],
      [`/groups/${group}/nested/token`, alice.token, alice.id],
      [`/groups/${group}/spaces/token`, alice.token, alice.id],
      ['/provider/token', provider.token, provider.id],
    ];
    const tokensBefore = await alice.api.tokens.list();
    for (const [path, token, actorId] of routes) {
      const before = await mints(actorId);
      const res = await request(`${z.baseUrl}${path}`, { method: 'HEAD', headers: { 'x-auth-token': token } });
      await res.body.dump();
      assert.equal(res.statusCode, 405, path);
      const allow = String(res.headers.allow).split(', ');
      assert.ok(allow.includes('GET') && !allow.includes('HEAD'), `${path}: Allow ${String(res.headers.allow)}`);
      assert.equal(await mints(actorId), before, `${path}: nothing minted`);
      // The GET itself still mints.
      const get = await request(`${z.baseUrl}${path}`, { headers: { 'x-auth-token': token } });
      assert.equal(get.statusCode, 200, path);
      await get.body.dump();
    }
    // Only the GETs' tokens are new in the caller's list.
    assert.equal((await alice.api.tokens.list()).length, tokensBefore.length + routes.length - 1);
  });

  it('HEAD on other reads still answers as their GET does', async () => {
    const res = await request(`${z.baseUrl}/user`, { method: 'HEAD', headers: { 'x-auth-token': alice.token } });
    await res.body.dump();
    assert.equal(res.statusCode, 200);
  });
});
