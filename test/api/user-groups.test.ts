import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { addFirstPartyCaveat, parse, serialize } from '../../src/tokens/macaroon.js';
import { type TestUser, type TestZone, startZone } from '../helpers/zone.js';
import { fails } from '../helpers/assert.js';

const GENERIC = { error: 'invalid_token', error_description: 'Provided token could not be validated.' };

async function join(z: TestZone, u: TestUser, body: string) {
  const res = await request(`${z.baseUrl}/user/groups/join`, {
    method: 'POST',
    headers: { 'x-auth-token': u.token, 'content-type': 'application/json' },
    body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, string>) : undefined };
}

describe('/user/groups', async () => {
  const z = await startZone();
  const owner = await z.user('owner');
  const gid = await owner.api.groups.create('lab', 'team');
  const invite = () => owner.api.groups.userInviteToken(gid);

  it('POST /user/groups: 201, Location /user/groups/{id}; GET /user/groups lists direct groups', async () => {
    const u = await z.user('u');
    const res = await u.api.http.raw('POST', '/user/groups', { name: 'mine', type: 'unit' });
    assert.equal(res.status, 201);
    assert.equal(res.body, undefined);
    const loc = String(res.headers.location);
    assert.match(loc, /^\/user\/groups\/[A-Za-z0-9_-]{43}$/);
    const id = loc.slice('/user/groups/'.length);
    assert.deepEqual(await u.api.user.groups(), [id]);
    assert.deepEqual(await u.api.user.group(id), { groupId: id, name: 'mine', type: 'unit' });
    assert.equal((await u.api.groups.userPrivileges(id, u.id)).length, 13);
    await fails(u.api.http.call('POST', '/user/groups', { name: 'x', type: 'admin' }), 400, 'invalid_request');
    await fails(u.api.http.call('POST', '/user/groups', { name: 'x' }), 400, 'invalid_request');
  });

  it('joins with an invite (scenario 8): 201, empty body, Location /user/groups/{id}, group_view_data', async () => {
    const bob = await z.user('bob');
    const res = await join(z, bob, JSON.stringify({ token: await invite() }));
    assert.equal(res.status, 201);
    assert.equal(res.text, '');
    assert.equal(res.headers.location, `/user/groups/${gid}`);
    assert.deepEqual(await bob.api.user.groups(), [gid]);
    assert.ok((await owner.api.groups.users(gid)).includes(bob.id));
    assert.deepEqual(await owner.api.groups.userPrivileges(gid, bob.id), ['group_view_data']);
  });

  it('already a direct member: 201, same Location, the token keeps its use', async () => {
    const bob = await z.user('bob');
    await bob.api.user.joinGroup(await invite());
    const token = await invite();
    const res = await join(z, bob, JSON.stringify({ token }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/user/groups/${gid}`);
    assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
    const carol = await z.user('carol');
    assert.equal(await carol.api.user.joinGroup(token), gid);
  });

  describe('tokens that cannot be used: 400 invalid_token, never echoed', () => {
    const cases: [string, () => Promise<string>][] = [
      ['garbage', async () => 'garbage!!'],
      ['a space invite', async () => owner.api.spaces.userInviteToken(await owner.api.user.createSpace('s'))],
      ['a subgroup invite', async () => owner.api.groups.nestedInviteToken(gid)],
      ['an access token', async () => (await z.user('x')).token],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        const bob = await z.user('bob');
        const token = await make();
        const res = await join(z, bob, JSON.stringify({ token }));
        assert.equal(res.status, 400);
        assert.equal(res.json?.error, 'invalid_token');
        assert.ok(!res.text.includes(token));
        assert.deepEqual(await bob.api.user.groups(), []);
      });
    }

    it('an invite re-typed by an added caveat', async () => {
      const token = serialize(addFirstPartyCaveat(parse(await invite()), 'tokenType = group_invite_group_token'));
      const bob = await z.user('bob');
      const res = await join(z, bob, JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.equal(res.json?.error, 'invalid_token');
    });

    it('used up', async () => {
      const token = await invite();
      await (await z.user('first')).api.user.joinGroup(token);
      const res = await join(z, await z.user('second'), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.match(res.json!.error_description!, /usage limit/);
      assert.ok(!res.text.includes(token));
    });

    it('issuer lost group_invite_user after minting; use not counted', async () => {
      const inviter = await z.user('inviter');
      await inviter.api.user.joinGroup(await owner.api.groups.createUserInvite(gid, { privileges: ['group_invite_user', 'group_view_data'] }));
      const token = await inviter.api.groups.userInviteToken(gid);
      await owner.api.groups.setUserPrivileges(gid, inviter.id, ['group_view_data']);
      const res = await join(z, await z.user('bob'), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.match(res.json!.error_description!, /issuer/);
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
    });

    it('token of a deleted group; memberships went with the group', async () => {
      const doomedOwner = await z.user('doomed');
      const doomed = await doomedOwner.api.groups.create('doomed', 'team');
      const member = await z.user('member');
      await member.api.user.joinGroup(await doomedOwner.api.groups.userInviteToken(doomed));
      const token = await doomedOwner.api.groups.userInviteToken(doomed);
      await doomedOwner.api.groups.remove(doomed);
      const res = await join(z, await z.user('bob'), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, GENERIC);
      assert.deepEqual(await member.api.user.groups(), []);
      assert.deepEqual(await z.zone.store.groups.users(doomed), []);
      await fails(member.api.user.group(doomed), 404, 'not_found');
    });

    it('missing or non-string token: 400 invalid_request', async () => {
      const bob = await z.user('bob');
      let res = await join(z, bob, '{}');
      assert.deepEqual(res.json, { error: 'invalid_request', error_description: "missing required key: 'token'" });
      res = await join(z, bob, '{"token":123}');
      assert.equal(res.status, 400);
      assert.ok(!res.text.includes('123'));
    });
  });

  it('20 users join concurrently with one single-use invite: exactly one 201', async () => {
    const token = await invite();
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => z.user(`racer${i}`)));
    const before = (await owner.api.groups.users(gid)).length;
    const results = await Promise.all(users.map((u) => join(z, u, JSON.stringify({ token }))));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
    assert.equal(results.filter((r) => r.status === 400 && r.json?.error === 'invalid_token').length, 19);
    assert.equal((await owner.api.groups.users(gid)).length, before + 1);
    assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 1);
    for (const r of results) assert.ok(!r.text.includes(token));
  });

  it('GET /user/groups/{gid}: any effective member (scenario 12); others 404', async () => {
    const u1 = await z.user('u1');
    const g1 = await u1.api.groups.create('g1', 'team');
    const g2 = await owner.api.groups.create('g2', 'role');
    await fails(u1.api.user.group(g2), 404, 'not_found');
    await fails(u1.api.user.group('no-such-group'), 404, 'not_found');
    await u1.api.groups.joinNested(g1, await owner.api.groups.nestedInviteToken(g2));
    assert.deepEqual(await u1.api.user.group(g2), { groupId: g2, name: 'g2', type: 'role' });
    assert.deepEqual(await u1.api.user.groups(), [g1]);
    assert.deepEqual(await u1.api.user.effectiveGroups(), [g1, g2].sort());
  });

  it('DELETE /user/groups/{gid}: 200 and out (scenario 8); 404 when not a member; 400 when only through a subgroup', async () => {
    const bob = await z.user('bob');
    await bob.api.user.joinGroup(await invite());
    const res = await bob.api.http.raw('DELETE', `/user/groups/${gid}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await bob.api.user.groups(), []);
    assert.ok((await owner.api.groups.users(gid)).includes(owner.id));
    await fails(bob.api.user.leaveGroup(gid), 404, 'not_found');
    await fails(bob.api.user.leaveGroup('no-such-group'), 404, 'not_found');

    const sub = await bob.api.groups.create('sub', 'team');
    await bob.api.groups.joinNested(sub, await owner.api.groups.nestedInviteToken(gid));
    const e = await fails(bob.api.user.leaveGroup(gid), 400, 'invalid_request');
    assert.match(e.description, /subgroup/);
  });

  it('without or with bad credentials: 401 on every /user/groups route', async () => {
    for (const api of [z.client(), z.client({ token: 'not-a-token' })]) {
      for (const call of [
        () => api.user.groups(),
        () => api.user.createGroup('x', 'team'),
        () => api.user.joinGroup('x'),
        () => api.user.group(gid),
        () => api.user.leaveGroup(gid),
        () => api.user.effectiveGroups(),
      ]) {
        await fails(call(), 401);
      }
    }
  });

  it('GET /user/groups/join: 405 with Allow: POST', async () => {
    const res = await owner.api.http.raw('GET', '/user/groups/join');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
  });
});
