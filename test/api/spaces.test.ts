import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import type { OnezoneClient, SpacePrivilege } from '../../src/client/index.js';
import { parse } from '../../src/tokens/macaroon.js';
import { type TestUser, type TestZone, startZone } from '../helpers/zone.js';
import { fails } from '../helpers/assert.js';

const MISSING = 'x'.repeat(43);

/** A space owned by a new user, with a member holding only `privileges` and a member group. */
async function fixture(z: TestZone, privileges: SpacePrivilege[] = ['space_view_data']) {
  const owner = await z.user('owner');
  const member = await z.user('member');
  const outsider = await z.user('outsider');
  const sid = await owner.api.spaces.create('lab');
  await member.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
  await owner.api.spaces.setUserPrivileges(sid, member.id, privileges);
  const gid = await owner.api.groups.create('team', 'team');
  await owner.api.groupSpaces.join(gid, await owner.api.spaces.groupInviteToken(sid));
  return { owner, member, outsider, sid, gid };
}

describe('spaces', async () => {
  const z = await startZone();

  describe('every /spaces/{id} operation: 401, 401, 403, 403, 404', async () => {
    const f = await fixture(z, []);
    const nobody = z.client();
    const forged = z.client({ token: 'not-a-token' });
    const ops: [string, (api: OnezoneClient, sid: string) => Promise<unknown>][] = [
      ['GET /spaces/{id}', (api, sid) => api.spaces.get(sid)],
      ['PATCH /spaces/{id}', (api, sid) => api.spaces.rename(sid, 'new')],
      ['DELETE /spaces/{id}', (api, sid) => api.spaces.remove(sid)],
      ['GET /spaces/{id}/users', (api, sid) => api.spaces.users(sid)],
      ['GET /spaces/{id}/users?effective=true', (api, sid) => api.spaces.users(sid, { effective: true })],
      ['PUT /spaces/{id}/users', (api, sid) => api.spaces.addUser(sid, f.outsider.id)],
      ['GET /spaces/{id}/users/token', (api, sid) => api.spaces.userInviteToken(sid)],
      ['POST /spaces/{id}/users/token', (api, sid) => api.spaces.createUserInvite(sid, { usageLimit: 2 })],
      ['GET /spaces/{id}/users/{uid}', (api, sid) => api.spaces.user(sid, f.owner.id)],
      ['DELETE /spaces/{id}/users/{uid}', (api, sid) => api.spaces.removeUser(sid, f.owner.id)],
      ['GET /spaces/{id}/users/{uid}/privileges', (api, sid) => api.spaces.userPrivileges(sid, f.owner.id)],
      ['PUT /spaces/{id}/users/{uid}/privileges', (api, sid) => api.spaces.setUserPrivileges(sid, f.owner.id, [])],
      ['GET /spaces/{id}/groups', (api, sid) => api.spaces.groups(sid)],
      ['PUT /spaces/{id}/groups', (api, sid) => api.spaces.addGroup(sid, f.gid)],
      ['GET /spaces/{id}/groups/token', (api, sid) => api.spaces.groupInviteToken(sid)],
      ['POST /spaces/{id}/groups/token', (api, sid) => api.spaces.createGroupInvite(sid, { ttl: 3600 })],
      ['GET /spaces/{id}/groups/{gid}', (api, sid) => api.spaces.group(sid, f.gid)],
      ['DELETE /spaces/{id}/groups/{gid}', (api, sid) => api.spaces.removeGroup(sid, f.gid)],
      ['GET /spaces/{id}/groups/{gid}/privileges', (api, sid) => api.spaces.groupPrivileges(sid, f.gid)],
      ['PUT /spaces/{id}/groups/{gid}/privileges', (api, sid) => api.spaces.setGroupPrivileges(sid, f.gid, [])],
    ];
    for (const [name, op] of ops) {
      it(name, async () => {
        await fails(op(nobody, f.sid), 401, 'unauthorized');
        await fails(op(forged, f.sid), 401, 'invalid_token');
        await fails(op(f.outsider.api, f.sid), 403, 'forbidden');
        await fails(op(f.member.api, f.sid), 403, 'forbidden');
        await fails(op(f.owner.api, MISSING), 404, 'not_found');
        await fails(op(z.admin, MISSING), 404, 'not_found');
      });
    }

    it('GET /spaces: 401 without or with bad credentials, 403 without list_spaces', async () => {
      await fails(nobody.spaces.list(), 401);
      await fails(forged.spaces.list(), 401);
      await fails(f.owner.api.spaces.list(), 403, 'forbidden');
    });
  });

  it('GET /spaces lists every space for an administrator (list_spaces)', async () => {
    const owner = await z.user('owner');
    const a = await owner.api.spaces.create('a');
    const b = await owner.api.user.createSpace('b');
    const all = await z.admin.spaces.list();
    assert.ok(all.includes(a) && all.includes(b));
    assert.deepEqual(all, [...all].sort());
  });

  it('GET /spaces/{id} for a non-member holding list_spaces', async () => {
    const owner = await z.user('owner');
    const sid = await owner.api.spaces.create('seen');
    const space = await z.admin.spaces.get(sid);
    assert.deepEqual(space, { spaceId: sid, name: 'seen', canonicalName: 'seen', providersSupports: {} });
  });

  it('PATCH /spaces/{id} renames the space for everyone', async () => {
    const f = await fixture(z, ['space_view_data', 'space_change_data']);
    await f.member.api.spaces.rename(f.sid, 'renamed');
    assert.equal((await f.owner.api.spaces.get(f.sid)).name, 'renamed');
    assert.equal((await f.owner.api.user.space(f.sid)).canonicalName, 'renamed');
  });

  it('PATCH /spaces/{id} with a bad body: 400 naming the field', async () => {
    const f = await fixture(z);
    for (const body of [{}, { name: '' }, { name: 7 }]) {
      const res = await request(`${z.baseUrl}/spaces/${f.sid}`, {
        method: 'PATCH',
        headers: { 'x-auth-token': f.owner.token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.body.json()) as { error: string; error_description: string };
      assert.equal(res.statusCode, 400);
      assert.equal(json.error, 'invalid_request');
      assert.match(json.error_description, /'name'/);
    }
  });

  describe('DELETE /spaces/{id}', () => {
    it('removes memberships, invites and defaults at once; the space is gone', async () => {
      const f = await fixture(z);
      const userInvite = await f.owner.api.spaces.userInviteToken(f.sid);
      const groupInvite = await f.owner.api.spaces.groupInviteToken(f.sid);
      await f.member.api.user.setDefaultSpace(f.sid);
      await f.owner.api.spaces.remove(f.sid);

      await fails(f.owner.api.spaces.get(f.sid), 404);
      assert.ok(!(await f.owner.api.user.spaces()).spaces.includes(f.sid));
      assert.deepEqual(await f.member.api.user.spaces(), { spaces: [], default: 'undefined' });
      assert.equal((await z.zone.store.users.byId(f.member.id))?.default_space_id, null);
      assert.deepEqual(await f.owner.api.groupSpaces.list(f.gid), []);
      await fails(f.outsider.api.user.joinSpace(userInvite), 400, 'invalid_token');
      const other = await f.outsider.api.groups.create('other', 'team');
      await fails(f.outsider.api.groupSpaces.join(other, groupInvite), 400, 'invalid_token');
      assert.equal(await z.zone.store.tokens.byId(parse(userInvite).identifier), undefined);
    });

    it('a member with space_remove may delete it; 200', async () => {
      const f = await fixture(z, ['space_remove']);
      const res = await f.member.api.http.call('DELETE', `/spaces/${f.sid}`);
      assert.equal(res.status, 200);
      await fails(f.owner.api.spaces.get(f.sid), 404);
    });
  });

  describe('users', () => {
    it('GET /spaces/{id}/users: direct users; ?effective=true adds users of groups at any depth', async () => {
      const f = await fixture(z);
      const deep = await z.user('deep');
      const child = await f.owner.api.groups.create('child', 'team');
      await f.owner.api.groups.joinNested(child, await f.owner.api.groups.nestedInviteToken(f.gid));
      await deep.api.user.joinGroup(await f.owner.api.groups.userInviteToken(child));
      assert.deepEqual(await f.owner.api.spaces.users(f.sid), [f.owner.id, f.member.id].sort());
      assert.deepEqual(await f.owner.api.spaces.users(f.sid, { effective: true }), [f.owner.id, f.member.id, deep.id].sort());
      const res = await f.owner.api.http.raw('GET', `/spaces/${f.sid}/users?effective=maybe`);
      assert.equal(res.status, 400);
    });

    it('GET /spaces/{id}/users/{uid}: {userId, login, name} of any effective member; 404 otherwise', async () => {
      const f = await fixture(z);
      assert.deepEqual(await f.member.api.spaces.user(f.sid, f.owner.id), { userId: f.owner.id, login: f.owner.login, name: 'owner' });
      await fails(f.member.api.spaces.user(f.sid, f.outsider.id), 404);
      await fails(f.member.api.spaces.user(f.sid, MISSING), 404);
    });

    it('PUT /spaces/{id}/users (add_member_to_space): 204, the user gets space_view_data', async () => {
      const f = await fixture(z);
      const res = await z.admin.http.call('PUT', `/spaces/${f.sid}/users`, { userId: f.outsider.id });
      assert.equal(res.status, 204);
      assert.deepEqual(await f.owner.api.spaces.userPrivileges(f.sid, f.outsider.id), ['space_view_data']);
      await z.admin.spaces.addUser(f.sid, f.outsider.id);
      assert.deepEqual(await f.owner.api.spaces.userPrivileges(f.sid, f.outsider.id), ['space_view_data']);
      await fails(z.admin.spaces.addUser(f.sid, MISSING), 404);
      await fails(z.admin.http.call('PUT', `/spaces/${f.sid}/users`, {}), 400, 'invalid_request');
    });

    it('DELETE /spaces/{id}/users/{uid}: 200, membership and default gone; 404 for a non-member', async () => {
      const f = await fixture(z);
      await f.member.api.user.setDefaultSpace(f.sid);
      const res = await f.owner.api.http.call('DELETE', `/spaces/${f.sid}/users/${f.member.id}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await f.member.api.user.spaces(), { spaces: [], default: 'undefined' });
      await fails(f.owner.api.spaces.removeUser(f.sid, f.member.id), 404);
    });

    it('DELETE /spaces/{id}/users/{uid} with the Onezone remove_member_from_space', async () => {
      const f = await fixture(z);
      await z.admin.spaces.removeUser(f.sid, f.member.id);
      assert.deepEqual(await f.owner.api.spaces.users(f.sid), [f.owner.id]);
    });

    it('the last member leaving does not delete the space', async () => {
      const owner = await z.user('owner');
      const sid = await owner.api.spaces.create('lonely');
      await owner.api.spaces.removeUser(sid, owner.id);
      const space = await z.admin.spaces.get(sid);
      assert.equal(space.spaceId, sid);
      assert.deepEqual(await z.zone.store.spaces.users(sid), []);
    });

    it('privileges: creator all 10, joiner space_view_data; PUT replaces; 404 for a non-member', async () => {
      const f = await fixture(z);
      assert.equal((await f.owner.api.spaces.userPrivileges(f.sid, f.owner.id)).length, 10);
      assert.deepEqual(await f.owner.api.spaces.userPrivileges(f.sid, f.member.id), ['space_view_data']);
      const res = await f.owner.api.http.call('PUT', `/spaces/${f.sid}/users/${f.member.id}/privileges`, {
        privileges: ['space_remove', 'space_invite_user', 'space_remove'],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await f.owner.api.spaces.userPrivileges(f.sid, f.member.id), ['space_invite_user', 'space_remove']);
      await fails(f.owner.api.spaces.setUserPrivileges(f.sid, f.outsider.id, ['space_view_data']), 404);
      await fails(f.owner.api.spaces.userPrivileges(f.sid, f.outsider.id), 404);
    });

    for (const [what, body] of [
      ['unknown name', { privileges: ['space_fly'] }],
      ['a group privilege', { privileges: ['group_view_data'] }],
      ['not an array', { privileges: 'space_remove' }],
      ['missing', {}],
      ['a number inside', { privileges: [1] }],
    ] as const) {
      it(`PUT privileges with ${what}: 400 naming 'privileges'`, async () => {
        const f = await fixture(z);
        for (const path of [`/spaces/${f.sid}/users/${f.member.id}/privileges`, `/spaces/${f.sid}/groups/${f.gid}/privileges`]) {
          const res = await f.owner.api.http.raw('PUT', path, body);
          assert.equal(res.status, 400);
          const err = res.body as { error: string; error_description: string };
          assert.equal(err.error, 'invalid_request');
          assert.match(err.error_description, /'privileges/);
        }
      });
    }
  });

  describe('groups of a space', () => {
    it('GET groups, group details, privileges; PUT privileges replaces them', async () => {
      const f = await fixture(z);
      assert.deepEqual(await f.member.api.spaces.groups(f.sid), [f.gid]);
      assert.deepEqual(await f.member.api.spaces.group(f.sid, f.gid), { groupId: f.gid, name: 'team', type: 'team' });
      assert.deepEqual(await f.member.api.spaces.groupPrivileges(f.sid, f.gid), ['space_view_data']);
      await f.owner.api.spaces.setGroupPrivileges(f.sid, f.gid, ['space_invite_user', 'space_view_data']);
      assert.deepEqual(await f.member.api.spaces.groupPrivileges(f.sid, f.gid), ['space_invite_user', 'space_view_data']);
      const other = await f.outsider.api.groups.create('other', 'team');
      await fails(f.member.api.spaces.group(f.sid, other), 404);
      await fails(f.member.api.spaces.groupPrivileges(f.sid, other), 404);
      await fails(f.owner.api.spaces.setGroupPrivileges(f.sid, other, ['space_view_data']), 404);
    });

    it('PUT /spaces/{id}/groups (add_member_to_space): 204; 404 for an unknown group', async () => {
      const f = await fixture(z);
      const other = await f.outsider.api.groups.create('other', 'team');
      const res = await z.admin.http.call('PUT', `/spaces/${f.sid}/groups`, { groupId: other });
      assert.equal(res.status, 204);
      assert.deepEqual(await f.owner.api.spaces.groups(f.sid), [f.gid, other].sort());
      assert.ok((await f.outsider.api.user.spaces()).spaces.includes(f.sid));
      await fails(z.admin.spaces.addGroup(f.sid, MISSING), 404);
    });

    it('DELETE /spaces/{id}/groups/{gid}: 200; members of the group lose the space; 404 afterwards', async () => {
      const f = await fixture(z);
      const res = await f.owner.api.http.call('DELETE', `/spaces/${f.sid}/groups/${f.gid}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await f.owner.api.spaces.groups(f.sid), []);
      await fails(f.owner.api.spaces.removeGroup(f.sid, f.gid), 404);
    });

    it('a group invite carrying more than space_view_data needs space_set_privileges too', async () => {
      const f = await fixture(z, ['space_view_data', 'space_invite_group']);
      await f.member.api.spaces.groupInviteToken(f.sid);
      await fails(f.member.api.spaces.createGroupInvite(f.sid, { privileges: ['space_invite_user'] }), 403);
      const token = await f.owner.api.spaces.createGroupInvite(f.sid, { privileges: ['space_view_data', 'space_invite_user'] });
      const g = await f.outsider.api.groups.create('g', 'team');
      await f.outsider.api.groupSpaces.join(g, token);
      assert.deepEqual(await f.owner.api.spaces.groupPrivileges(f.sid, g), ['space_invite_user', 'space_view_data']);
    });
  });

  it('reference scenario 5: each space privilege is denied with 403, then allowed after PUT privileges', async () => {
    const owner = await z.user('owner');
    const u2 = await z.user('u2');
    const sid = await owner.api.spaces.create('s');
    await u2.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
    const set = (privileges: SpacePrivilege[]) => owner.api.spaces.setUserPrivileges(sid, u2.id, privileges);

    const joinU3 = async () => {
      const u3 = await z.user('u3');
      await u3.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
      return u3.id;
    };
    const joinGroup = async () => {
      const gid = await owner.api.groups.create('g', 'team');
      await owner.api.groupSpaces.join(gid, await owner.api.spaces.groupInviteToken(sid));
      return gid;
    };
    const actions: [SpacePrivilege, () => Promise<() => Promise<unknown>>][] = [
      ['space_invite_user', async () => () => u2.api.spaces.userInviteToken(sid)],
      ['space_remove_user', async () => { const u3 = await joinU3(); return () => u2.api.spaces.removeUser(sid, u3); }],
      ['space_invite_group', async () => () => u2.api.spaces.groupInviteToken(sid)],
      ['space_remove_group', async () => { const g = await joinGroup(); return () => u2.api.spaces.removeGroup(sid, g); }],
      ['space_set_privileges', async () => { const u3 = await joinU3(); return () => u2.api.spaces.setUserPrivileges(sid, u3, ['space_remove']); }],
      ['space_change_data', async () => () => u2.api.spaces.rename(sid, 'renamed')],
      ['space_view_data', async () => () => u2.api.spaces.users(sid)],
    ];
    for (const [privilege, prepare] of actions) {
      const action = await prepare();
      await set([]);
      await fails(action(), 403, 'forbidden');
      await set([privilege]);
      await action();
      await set(['space_view_data']);
    }

    // space_remove last: allowing it ends the space.
    await set([]);
    await fails(u2.api.spaces.remove(sid), 403);
    await set(['space_remove']);
    await u2.api.spaces.remove(sid);
    await fails(owner.api.spaces.get(sid), 404);
  });

  describe('through nested groups', () => {
    it("a user 3 groups deep gets the top group's space privileges, and loses them when the chain is cut", async () => {
      const owner = await z.user('owner');
      const deep = await z.user('deep');
      const sid = await owner.api.spaces.create('s');
      const [g1, g2, g3] = [
        await owner.api.groups.create('g1', 'team'),
        await owner.api.groups.create('g2', 'team'),
        await owner.api.groups.create('g3', 'team'),
      ] as [string, string, string];
      await owner.api.groups.joinNested(g2, await owner.api.groups.nestedInviteToken(g1));
      await owner.api.groups.joinNested(g3, await owner.api.groups.nestedInviteToken(g2));
      await deep.api.user.joinGroup(await owner.api.groups.userInviteToken(g3));
      await owner.api.groupSpaces.join(g1, await owner.api.spaces.groupInviteToken(sid));

      await fails(deep.api.spaces.userInviteToken(sid), 403);
      await owner.api.spaces.setGroupPrivileges(sid, g1, ['space_view_data', 'space_invite_user']);
      assert.ok(await deep.api.spaces.userInviteToken(sid));
      assert.ok((await deep.api.user.spaces()).spaces.includes(sid));
      assert.equal((await deep.api.user.space(sid)).spaceId, sid);
      assert.ok((await owner.api.spaces.users(sid, { effective: true })).includes(deep.id));
      // Their privileges: none of their own (not a direct member), the group's with ?effective=true.
      const privileges = async (query: string) => {
        const res = await request(`${z.baseUrl}/spaces/${sid}/users/${deep.id}/privileges${query}`, { headers: { 'x-auth-token': owner.token } });
        return `${res.statusCode} ${await res.body.text()}`;
      };
      assert.match(await privileges(''), /^404 /);
      assert.match(await privileges('?effective=false'), /^404 /);
      assert.equal(await privileges('?effective=true'), '200 {"privileges":["space_invite_user","space_view_data"]}');
      assert.deepEqual(await owner.api.spaces.userPrivileges(sid, deep.id, { effective: true }), ['space_invite_user', 'space_view_data']);
      assert.equal(JSON.parse((await privileges('?effective=maybe')).slice(4)).error, 'invalid_request');

      await owner.api.groups.removeNested(g2, g3);
      await fails(deep.api.spaces.userInviteToken(sid), 403);
      await fails(deep.api.spaces.get(sid), 403);
      assert.ok(!(await deep.api.user.spaces()).spaces.includes(sid));
      assert.ok(!(await owner.api.spaces.users(sid, { effective: true })).includes(deep.id));
      assert.match(await privileges('?effective=true'), /^404 /);
    });

    it('a member through a group only: 404 saying it is not a direct member, for the user and for a subgroup', async () => {
      const f = await fixture(z);
      const viaGroup = await z.user('via-group');
      await viaGroup.api.user.joinGroup(await f.owner.api.groups.userInviteToken(f.gid));
      const sub = await f.owner.api.groups.create('sub', 'team');
      await f.owner.api.groups.joinNested(sub, await f.owner.api.groups.nestedInviteToken(f.gid));
      const direct = /not a direct member of this space.*through a group/;
      for (const call of [
        () => f.owner.api.spaces.userPrivileges(f.sid, viaGroup.id),
        () => f.owner.api.spaces.setUserPrivileges(f.sid, viaGroup.id, ['space_view_data']),
        () => f.owner.api.spaces.removeUser(f.sid, viaGroup.id),
      ]) {
        assert.match((await fails(call(), 404, 'not_found')).description, direct);
      }
      // Not a member at all: said so.
      assert.equal((await fails(f.owner.api.spaces.removeUser(f.sid, f.outsider.id), 404)).description, 'The user is not a member of this space.');
      for (const call of [
        () => f.owner.api.spaces.group(f.sid, sub),
        () => f.owner.api.spaces.groupPrivileges(f.sid, sub),
        () => f.owner.api.spaces.setGroupPrivileges(f.sid, sub, ['space_view_data']),
        () => f.owner.api.spaces.removeGroup(f.sid, sub),
        () => f.owner.api.groupSpaces.get(sub, f.sid),
        () => f.owner.api.groupSpaces.leave(sub, f.sid),
      ]) {
        assert.match((await fails(call(), 404, 'not_found')).description, direct);
      }
      const other = await f.outsider.api.groups.create('other', 'team');
      assert.equal((await fails(f.owner.api.spaces.group(f.sid, other), 404)).description, 'The group is not a member of this space.');
    });
  });

  /**
   * A default space the user no longer reaches reads as "undefined" and is cleared, so it stays
   * "undefined" when the space is reached again, until the user sets one (docs/compatibility.md).
   */
  describe('default space lost through a group', () => {
    /** `b`, in group G, which is in space S; b's default is S. */
    async function withDefault() {
      const owner = await z.user('owner');
      const b = await z.user('b');
      const sid = await owner.api.spaces.create('s');
      const gid = await owner.api.groups.create('g', 'team');
      await b.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
      const joinSpace = async () => owner.api.groupSpaces.join(gid, await owner.api.spaces.groupInviteToken(sid));
      await joinSpace();
      await b.api.user.setDefaultSpace(sid);
      assert.equal(await b.api.user.defaultSpace(), sid);
      return { owner, b, sid, gid, joinSpace };
    }

    for (const [how, leave] of [
      ['DELETE /groups/{id}/spaces/{sid}', (f: Awaited<ReturnType<typeof withDefault>>) => f.owner.api.groupSpaces.leave(f.gid, f.sid)],
      ['DELETE /spaces/{id}/groups/{gid}', (f: Awaited<ReturnType<typeof withDefault>>) => f.owner.api.spaces.removeGroup(f.sid, f.gid)],
    ] as const) {
      it(`the group leaving the space (${how}) clears it: not back when the group rejoins`, async () => {
        const f = await withDefault();
        await leave(f);
        assert.equal((await z.zone.store.users.byId(f.b.id))?.default_space_id, null);
        await f.joinSpace();
        assert.ok((await f.b.api.user.spaces()).spaces.includes(f.sid));
        assert.equal(await f.b.api.user.defaultSpace(), 'undefined');
        assert.equal((await f.b.api.user.spaces()).default, 'undefined');
        await f.b.api.user.setDefaultSpace(f.sid);
        assert.equal(await f.b.api.user.defaultSpace(), f.sid);
      });
    }

    for (const [read, observe] of [
      ['GET /user/spaces/default', async (f: Awaited<ReturnType<typeof withDefault>>) => f.b.api.user.defaultSpace()],
      ['GET /user/spaces', async (f: Awaited<ReturnType<typeof withDefault>>) => (await f.b.api.user.spaces()).default],
    ] as const) {
      it(`the user leaving the group: ${read} answers "undefined", and it stays so when the user rejoins`, async () => {
        const f = await withDefault();
        await f.b.api.user.leaveGroup(f.gid);
        assert.equal(await observe(f), 'undefined');
        assert.equal((await z.zone.store.users.byId(f.b.id))?.default_space_id, null, 'the reset is saved');
        await f.b.api.user.joinGroup(await f.owner.api.groups.userInviteToken(f.gid));
        assert.ok((await f.b.api.user.spaces()).spaces.includes(f.sid));
        assert.equal(await f.b.api.user.defaultSpace(), 'undefined');
        assert.equal((await f.b.api.user.spaces()).default, 'undefined');
      });
    }
  });

  describe('GET /user/spaces/token', () => {
    it('a single-use space_create_token naming the caller', async () => {
      const u: TestUser = await z.user('creator');
      const token = await u.api.user.spaceCreateToken();
      const m = parse(token);
      const caveats = m.caveats.map((c) => c.cid);
      assert.ok(caveats.includes('tokenType = space_create_token'));
      const time = caveats.find((c) => c.startsWith('time < '));
      assert.ok(time && Number(time.slice(7)) > Date.now() / 1000);
      const row = await z.zone.store.tokens.byId(m.identifier);
      assert.equal(row?.type, 'space_create_token');
      assert.equal(row?.target_type, 'user');
      assert.equal(row?.target_id, u.id);
      assert.equal(row?.usage_limit, 1);
      await fails(u.api.user.joinSpace(token), 400, 'invalid_token');
    });

    it('401 without credentials', async () => {
      await fails(z.client().user.spaceCreateToken(), 401);
    });
  });
});
