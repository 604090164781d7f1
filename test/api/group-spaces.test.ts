import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { type OnezoneClient, OnezoneError } from '../../src/client/index.js';
import { parse } from '../../src/tokens/macaroon.js';
import { type TestZone, startZone } from '../helpers/zone.js';
import { fails } from '../helpers/assert.js';

const MISSING = 'x'.repeat(43);

/** A group owned by a new user, a member holding only group_view_data, a space the group is in. */
async function fixture(z: TestZone) {
  const owner = await z.user('owner');
  const member = await z.user('member');
  const outsider = await z.user('outsider');
  const gid = await owner.api.groups.create('team', 'team');
  await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
  const sid = await owner.api.groupSpaces.create(gid, 'shared');
  return { owner, member, outsider, gid, sid };
}

describe('/groups/{id}/spaces', async () => {
  const z = await startZone();

  describe('every operation: 401, 401, 403, 403, 404', async () => {
    const f = await fixture(z);
    const nobody = z.client();
    const forged = z.client({ token: 'not-a-token' });
    const spaceInvite = await f.owner.api.spaces.createGroupInvite(f.sid, { usageLimit: 'infinity' });
    const ops: [string, (api: OnezoneClient, gid: string) => Promise<unknown>, boolean][] = [
      ['GET /groups/{id}/spaces', (api, gid) => api.groupSpaces.list(gid), false],
      ['POST /groups/{id}/spaces', (api, gid) => api.groupSpaces.create(gid, 'x'), true],
      ['POST /groups/{id}/spaces/join', (api, gid) => api.groupSpaces.join(gid, spaceInvite), true],
      ['GET /groups/{id}/spaces/token', (api, gid) => api.groupSpaces.createToken(gid), true],
      ['GET /groups/{id}/spaces/{sid}', (api, gid) => api.groupSpaces.get(gid, f.sid), false],
      ['DELETE /groups/{id}/spaces/{sid}', (api, gid) => api.groupSpaces.leave(gid, f.sid), true],
    ];
    for (const [name, op, needsMore] of ops) {
      it(name, async () => {
        await fails(op(nobody, f.gid), 401, 'unauthorized');
        await fails(op(forged, f.gid), 401, 'invalid_token');
        await fails(op(f.outsider.api, f.gid), 403, 'forbidden');
        if (needsMore) {
          await fails(op(f.member.api, f.gid), 403, 'forbidden');
        } else {
          // group_view_data is the joiner's default; without it the member is refused too.
          await f.owner.api.groups.setUserPrivileges(f.gid, f.member.id, []);
          await fails(op(f.member.api, f.gid), 403, 'forbidden');
          await f.owner.api.groups.setUserPrivileges(f.gid, f.member.id, ['group_view_data']);
        }
        await fails(op(f.owner.api, MISSING), 404, 'not_found');
      });
    }
  });

  it('POST /groups/{id}/spaces: 201, Location /spaces/{sid}; the group holds every space privilege', async () => {
    const f = await fixture(z);
    const res = await f.owner.api.http.call('POST', `/groups/${f.gid}/spaces`, { name: 'made' });
    assert.equal(res.status, 201);
    const location = String(res.headers.location);
    assert.match(location, /^\/spaces\/[A-Za-z0-9_-]{43}$/);
    const sid = location.slice('/spaces/'.length);
    assert.equal((await f.owner.api.spaces.groupPrivileges(sid, f.gid)).length, 10);
    assert.deepEqual(await f.owner.api.spaces.users(sid), [], 'the caller is not a direct member');
    assert.deepEqual(await f.member.api.groupSpaces.list(f.gid), [f.sid, sid].sort());
    // The member reaches the new space through the group, with the group's privileges.
    assert.ok((await f.member.api.user.spaces()).spaces.includes(sid));
    assert.ok(await f.member.api.spaces.userInviteToken(sid));
  });

  it('POST /groups/{id}/spaces without a name: 400', async () => {
    const f = await fixture(z);
    const res = await f.owner.api.http.raw('POST', `/groups/${f.gid}/spaces`, {});
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: "missing required key: 'name'" });
  });

  it('group privileges are checked: group_create_space, group_join_space, group_create_space_token, group_leave_space', async () => {
    const f = await fixture(z);
    const grant = (p: Parameters<OnezoneClient['groups']['setUserPrivileges']>[2]) => f.owner.api.groups.setUserPrivileges(f.gid, f.member.id, p);
    await fails(f.member.api.groupSpaces.create(f.gid, 'x'), 403);
    await grant(['group_view_data', 'group_create_space']);
    await f.member.api.groupSpaces.create(f.gid, 'x');

    const other = await f.outsider.api.spaces.create('other');
    const invite = await f.outsider.api.spaces.groupInviteToken(other);
    await fails(f.member.api.groupSpaces.join(f.gid, invite), 403);
    await grant(['group_view_data', 'group_join_space']);
    assert.equal(await f.member.api.groupSpaces.join(f.gid, invite), other);

    await fails(f.member.api.groupSpaces.createToken(f.gid), 403);
    await grant(['group_view_data', 'group_create_space_token']);
    assert.ok(await f.member.api.groupSpaces.createToken(f.gid));

    await fails(f.member.api.groupSpaces.leave(f.gid, other), 403);
    await grant(['group_view_data', 'group_leave_space']);
    await f.member.api.groupSpaces.leave(f.gid, other);
  });

  describe('POST /groups/{id}/spaces/join', () => {
    it('201, empty body, Location /spaces/{sid}; the group gets space_view_data; one use counted', async () => {
      const f = await fixture(z);
      const sid = await f.outsider.api.spaces.create('theirs');
      const token = await f.outsider.api.spaces.groupInviteToken(sid);
      const res = await request(`${z.baseUrl}/groups/${f.gid}/spaces/join`, {
        method: 'POST',
        headers: { 'x-auth-token': f.owner.token, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      assert.equal(res.statusCode, 201);
      assert.equal(await res.body.text(), '');
      assert.equal(res.headers.location, `/spaces/${sid}`);
      assert.deepEqual(await f.outsider.api.spaces.groupPrivileges(sid, f.gid), ['space_view_data']);
      assert.ok((await f.member.api.user.spaces()).spaces.includes(sid));
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 1);
      assert.deepEqual(await f.owner.api.groupSpaces.get(f.gid, sid), { spaceId: sid, name: 'theirs', canonicalName: 'theirs', providersSupports: {} });
    });

    it('already a member: 201, same Location, the token keeps its use', async () => {
      const f = await fixture(z);
      const token = await f.owner.api.spaces.groupInviteToken(f.sid);
      assert.equal(await f.owner.api.groupSpaces.join(f.gid, token), f.sid);
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
      const other = await f.outsider.api.groups.create('other', 'team');
      assert.equal(await f.outsider.api.groupSpaces.join(other, token), f.sid);
    });

    it('wrong token type, garbage, used up, issuer lost space_invite_group: 400 invalid_token', async () => {
      const f = await fixture(z);
      const sid = await f.outsider.api.spaces.create('theirs');
      await fails(f.owner.api.groupSpaces.join(f.gid, await f.outsider.api.spaces.userInviteToken(sid)), 400, 'invalid_token');
      await fails(f.owner.api.groupSpaces.join(f.gid, 'garbage'), 400, 'invalid_token');
      await fails(f.owner.api.groupSpaces.join(f.gid, await f.owner.api.user.spaceCreateToken()), 400, 'invalid_token');

      const used = await f.outsider.api.spaces.groupInviteToken(sid);
      const g2 = await f.owner.api.groups.create('g2', 'team');
      await f.owner.api.groupSpaces.join(g2, used);
      await fails(f.owner.api.groupSpaces.join(f.gid, used), 400, 'invalid_token');

      const inviter = await z.user('inviter');
      await inviter.api.user.joinSpace(await f.outsider.api.spaces.userInviteToken(sid));
      await f.outsider.api.spaces.setUserPrivileges(sid, inviter.id, ['space_view_data', 'space_invite_group']);
      const token = await inviter.api.spaces.groupInviteToken(sid);
      await f.outsider.api.spaces.setUserPrivileges(sid, inviter.id, ['space_view_data']);
      await assert.rejects(f.owner.api.groupSpaces.join(f.gid, token), (e: unknown) => {
        assert.ok(e instanceof OnezoneError && e.status === 400 && e.code === 'invalid_token');
        assert.match(e.description, /issuer/);
        return true;
      });
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
    });

    it('missing token: 400 naming it', async () => {
      const f = await fixture(z);
      const res = await f.owner.api.http.raw('POST', `/groups/${f.gid}/spaces/join`, {});
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: 'invalid_request', error_description: "missing required key: 'token'" });
    });

    it('30 groups join concurrently with one single-use token: exactly one 201', async () => {
      const owner = await z.user('owner');
      const sid = await owner.api.spaces.create('contested');
      const token = await owner.api.spaces.groupInviteToken(sid);
      const racer = await z.user('racer');
      const groups = await Promise.all(Array.from({ length: 30 }, (_, i) => racer.api.groups.create(`g${i}`, 'team')));
      const results = await Promise.allSettled(groups.map((g) => racer.api.groupSpaces.join(g, token)));
      const joined = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof OnezoneError && r.reason.code === 'invalid_token');
      assert.equal(joined.length, 1);
      assert.equal(refused.length, 29);
      assert.equal((await owner.api.spaces.groups(sid)).length, 1);
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 1);
    });
  });

  it('GET /groups/{id}/spaces/token: a space_create_token naming the group', async () => {
    const f = await fixture(z);
    const token = await f.owner.api.groupSpaces.createToken(f.gid);
    const m = parse(token);
    assert.ok(m.caveats.some((c) => c.cid === 'tokenType = space_create_token'));
    assert.ok(m.caveats.some((c) => c.cid.startsWith('time < ')));
    const row = await z.zone.store.tokens.byId(m.identifier);
    assert.equal(row?.target_type, 'group');
    assert.equal(row?.target_id, f.gid);
  });

  it('GET /groups/{id}/spaces/{sid}: 404 for a space the group is not in', async () => {
    const f = await fixture(z);
    const sid = await f.outsider.api.spaces.create('theirs');
    await fails(f.member.api.groupSpaces.get(f.gid, sid), 404);
    await fails(f.member.api.groupSpaces.get(f.gid, MISSING), 404);
  });

  it('DELETE /groups/{id}/spaces/{sid}: 202; the space stays even without members; 404 afterwards', async () => {
    const f = await fixture(z);
    await f.member.api.user.setDefaultSpace(f.sid);
    const res = await f.owner.api.http.call('DELETE', `/groups/${f.gid}/spaces/${f.sid}`);
    assert.equal(res.status, 202);
    assert.deepEqual(await f.owner.api.groupSpaces.list(f.gid), []);
    assert.deepEqual(await f.member.api.user.spaces(), { spaces: [], default: 'undefined' });
    assert.ok(await z.zone.store.spaces.exists(f.sid));
    await fails(f.owner.api.groupSpaces.leave(f.gid, f.sid), 404);
  });

  it('not-last group leaves: the other group keeps the space (reference scenario 7)', async () => {
    const f = await fixture(z);
    const g2 = await f.outsider.api.groups.create('g2', 'team');
    await f.outsider.api.groupSpaces.join(g2, await f.owner.api.spaces.groupInviteToken(f.sid));
    await f.outsider.api.groupSpaces.leave(g2, f.sid);
    assert.deepEqual(await f.owner.api.groupSpaces.list(f.gid), [f.sid]);
    assert.deepEqual(await f.outsider.api.groupSpaces.list(g2), []);
  });
});
