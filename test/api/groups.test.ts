import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OnezoneClient } from '../../src/client/index.js';
import type { GroupPrivilege } from '../../src/client/types.js';
import { GROUP_PRIVILEGES } from '../../src/domain/privileges.js';
import { parse } from '../../src/tokens/macaroon.js';
import { type TestUser, startZone } from '../helpers/zone.js';
import { fails } from '../helpers/assert.js';

const ALL = [...GROUP_PRIVILEGES].sort();

describe('/groups', async () => {
  const z = await startZone();
  const sorted = (list: string[]) => [...list].sort();

  /** A group owned by a fresh user, with a second user who joined with the default privileges. */
  async function fixture(name = 'g') {
    const owner = await z.user('owner');
    const gid = await owner.api.groups.create(name, 'team');
    const member = await z.user('member');
    await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
    return { owner, member, gid };
  }

  describe('create, get, modify, remove', () => {
    it('POST /groups: 201, empty body, Location /groups/{id}; the creator holds all 13 privileges', async () => {
      const owner = await z.user('owner');
      const res = await owner.api.http.raw('POST', '/groups', { name: 'Test group', type: 'role' });
      assert.equal(res.status, 201);
      assert.equal(res.body, undefined);
      const loc = String(res.headers.location);
      assert.match(loc, /^\/groups\/[A-Za-z0-9_-]{43}$/);
      const gid = loc.slice('/groups/'.length);
      assert.deepEqual(await owner.api.groups.get(gid), { groupId: gid, name: 'Test group', type: 'role' });
      assert.deepEqual(sorted(await owner.api.groups.userPrivileges(gid, owner.id)), ALL);
      assert.deepEqual(await owner.api.groups.users(gid), [owner.id]);
    });

    it('POST /groups needs name and a type from the enum', async () => {
      const owner = await z.user('owner');
      let e = await fails(owner.api.http.call('POST', '/groups', { name: 'x' }), 400, 'invalid_request');
      assert.equal(e.description, "missing required key: 'type'");
      e = await fails(owner.api.http.call('POST', '/groups', { type: 'team' }), 400, 'invalid_request');
      assert.equal(e.description, "missing required key: 'name'");
      e = await fails(owner.api.http.call('POST', '/groups', { name: 'x', type: 'admin' }), 400, 'invalid_request');
      assert.match(e.description, /'type'/);
      await fails(owner.api.http.call('POST', '/groups', { name: '', type: 'team' }), 400, 'invalid_request');
      await fails(owner.api.http.call('POST', '/groups', { name: 7, type: 'team' }), 400, 'invalid_request');
    });

    it('PATCH /groups/{id}: 204 with name, type or both; an empty patch or a bad type is 400', async () => {
      const { owner, gid } = await fixture('before');
      await owner.api.groups.modify(gid, { name: 'after' });
      assert.deepEqual(await owner.api.groups.get(gid), { groupId: gid, name: 'after', type: 'team' });
      await owner.api.groups.modify(gid, { type: 'unit' });
      assert.equal((await owner.api.groups.get(gid)).type, 'unit');
      const res = await owner.api.http.raw('PATCH', `/groups/${gid}`, { name: 'both', type: 'organization' });
      assert.equal(res.status, 204);
      assert.deepEqual(await owner.api.groups.get(gid), { groupId: gid, name: 'both', type: 'organization' });
      await fails(owner.api.groups.modify(gid, {}), 400, 'invalid_request');
      await fails(owner.api.http.call('PATCH', `/groups/${gid}`, { type: 'admin' }), 400, 'invalid_request');
    });

    it('DELETE /groups/{id}: 202; memberships, subgroup links and invites are gone', async () => {
      const { owner, member, gid } = await fixture();
      const pending = await owner.api.groups.userInviteToken(gid);
      const child = await owner.api.groups.create('child', 'team');
      await owner.api.groups.joinNested(child, await owner.api.groups.nestedInviteToken(gid));
      const res = await owner.api.http.raw('DELETE', `/groups/${gid}`);
      assert.equal(res.status, 202);
      await fails(owner.api.groups.get(gid), 404, 'not_found');
      assert.deepEqual(await member.api.user.groups(), []);
      assert.deepEqual(await owner.api.groups.parents(child), []);
      assert.equal(await z.zone.store.tokens.byId(parse(pending).identifier), undefined);
      const late = await z.user('late');
      const e = await fails(late.api.user.joinGroup(pending), 400, 'invalid_token');
      assert.equal(e.description, 'Provided token could not be validated.');
    });

    it('the predefined admins group cannot be removed', async () => {
      const e = await fails(z.admin.groups.remove('admins'), 400, 'invalid_request');
      assert.match(e.description, /admins/);
      assert.equal((await z.admin.groups.get('admins')).groupId, 'admins');
    });
  });

  describe('users', () => {
    it('GET users, user details, privileges; PUT privileges replaces them', async () => {
      const { owner, member, gid } = await fixture();
      assert.deepEqual(await owner.api.groups.users(gid), sorted([owner.id, member.id]));
      assert.deepEqual(await member.api.groups.user(gid, owner.id), { userId: owner.id, login: owner.login, name: 'owner' });
      assert.deepEqual(await owner.api.groups.userPrivileges(gid, member.id), ['group_view_data']);
      const res = await owner.api.http.raw('PUT', `/groups/${gid}/users/${member.id}/privileges`, { privileges: ['group_remove', 'group_view_data'] });
      assert.equal(res.status, 200);
      assert.deepEqual(sorted(await owner.api.groups.userPrivileges(gid, member.id)), ['group_remove', 'group_view_data']);
      assert.deepEqual(sorted(await owner.api.groups.effectiveUserPrivileges(gid, member.id)), ['group_remove', 'group_view_data']);
      assert.deepEqual(await owner.api.groups.effectiveUser(gid, member.id), { userId: member.id, login: member.login, name: 'member' });
    });

    it('unknown user or non-member: 404 on every per-user route; a bad privilege name: 400', async () => {
      const { owner, gid } = await fixture();
      const stranger = await z.user('stranger');
      for (const call of [
        () => owner.api.groups.user(gid, stranger.id),
        () => owner.api.groups.userPrivileges(gid, stranger.id),
        () => owner.api.groups.setUserPrivileges(gid, stranger.id, ['group_view_data']),
        () => owner.api.groups.removeUser(gid, stranger.id),
        () => owner.api.groups.effectiveUser(gid, stranger.id),
        () => owner.api.groups.effectiveUserPrivileges(gid, 'no-such-user'),
      ]) {
        await fails(call(), 404, 'not_found');
      }
      await fails(owner.api.http.call('PUT', `/groups/${gid}/users/${owner.id}/privileges`, { privileges: ['space_view_data'] }), 400, 'invalid_request');
      await fails(owner.api.http.call('PUT', `/groups/${gid}/users/${owner.id}/privileges`, {}), 400, 'invalid_request');
    });

    it('DELETE /groups/{id}/users/{uid}: 202 and the user is out', async () => {
      const { owner, member, gid } = await fixture();
      const res = await owner.api.http.raw('DELETE', `/groups/${gid}/users/${member.id}`);
      assert.equal(res.status, 202);
      assert.deepEqual(await owner.api.groups.users(gid), [owner.id]);
      await fails(member.api.groups.get(gid), 403, 'forbidden');
    });

    it('invites: GET mints a group_invite_token; the POST extension sets privileges, limit and lifetime', async () => {
      const { owner, gid } = await fixture();
      const plain = await owner.api.groups.userInviteToken(gid);
      assert.ok(parse(plain).caveats.some((c) => c.cid.toString() === 'tokenType = group_invite_token'));
      const token = await owner.api.groups.createUserInvite(gid, { usageLimit: 2, ttl: 3600, privileges: ['group_view_data', 'group_invite_user'] });
      const a = await z.user('a');
      const b = await z.user('b');
      const c = await z.user('c');
      assert.equal(await a.api.user.joinGroup(token), gid);
      assert.equal(await b.api.user.joinGroup(token), gid);
      await fails(c.api.user.joinGroup(token), 400, 'invalid_token');
      assert.deepEqual(sorted(await owner.api.groups.userPrivileges(gid, a.id)), ['group_invite_user', 'group_view_data']);
      await fails(owner.api.http.call('POST', `/groups/${gid}/users/token`, { privileges: ['space_view_data'] }), 400, 'invalid_request');
    });

    it('an invite carrying extra privileges needs group_set_privileges too', async () => {
      const { owner, member, gid } = await fixture();
      await owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data', 'group_invite_user']);
      await member.api.groups.createUserInvite(gid, { privileges: ['group_view_data'] });
      await fails(member.api.groups.createUserInvite(gid, { privileges: ['group_remove'] }), 403, 'forbidden');
    });
  });

  describe('every route answers 401, 403 and 404 correctly', async () => {
    const { owner, member, gid } = await fixture();
    const stranger = await z.user('stranger');
    const child = await owner.api.groups.create('child', 'team');
    await owner.api.groups.joinNested(child, await owner.api.groups.nestedInviteToken(gid));
    const parent = await owner.api.groups.create('parent', 'team');
    await owner.api.groups.joinNested(gid, await owner.api.groups.nestedInviteToken(parent));
    // The member keeps a membership but no privilege at all.
    await owner.api.groups.setUserPrivileges(gid, member.id, []);

    type Call = (api: OnezoneClient, id: string) => Promise<unknown>;
    const routes: [string, Call][] = [
      ['GET /groups/{id}', (api, id) => api.groups.get(id)],
      ['PATCH /groups/{id}', (api, id) => api.groups.modify(id, { name: 'x' })],
      ['DELETE /groups/{id}', (api, id) => api.groups.remove(id)],
      ['GET effective_users', (api, id) => api.groups.effectiveUsers(id)],
      ['GET effective_users/{uid}', (api, id) => api.groups.effectiveUser(id, owner.id)],
      ['GET effective_users/{uid}/privileges', (api, id) => api.groups.effectiveUserPrivileges(id, owner.id)],
      ['GET users', (api, id) => api.groups.users(id)],
      ['GET users/token', (api, id) => api.groups.userInviteToken(id)],
      ['POST users/token', (api, id) => api.groups.createUserInvite(id, {})],
      ['GET users/{uid}', (api, id) => api.groups.user(id, owner.id)],
      ['DELETE users/{uid}', (api, id) => api.groups.removeUser(id, owner.id)],
      ['GET users/{uid}/privileges', (api, id) => api.groups.userPrivileges(id, owner.id)],
      ['PUT users/{uid}/privileges', (api, id) => api.groups.setUserPrivileges(id, owner.id, ALL as GroupPrivilege[])],
      ['GET parent', (api, id) => api.groups.parents(id)],
      ['GET parent/{pid}', (api, id) => api.groups.parent(id, parent)],
      ['GET nested', (api, id) => api.groups.nested(id)],
      ['GET nested/token', (api, id) => api.groups.nestedInviteToken(id)],
      ['POST nested/token', (api, id) => api.groups.createNestedInvite(id, {})],
      ['POST nested/join', (api, id) => api.groups.joinNested(id, 'not-even-a-token')],
      ['GET nested/{nid}', (api, id) => api.groups.nestedGroup(id, child)],
      ['DELETE nested/{nid}', (api, id) => api.groups.removeNested(id, child)],
      ['GET nested/{nid}/privileges', (api, id) => api.groups.nestedPrivileges(id, child)],
      ['PUT nested/{nid}/privileges', (api, id) => api.groups.setNestedPrivileges(id, child, ['group_view_data'])],
    ];
    const anonymous = z.client();
    const badToken = z.client({ token: 'not-a-token' });
    const badPassword = z.client({ basic: { login: member.login, password: 'wrong-password' } });

    for (const [name, call] of routes) {
      it(`${name}: 401 without or with bad credentials, 403 for outsiders and unprivileged members, 404 for no such group`, async () => {
        await fails(call(anonymous, gid), 401, 'unauthorized');
        await fails(call(badToken, gid), 401, 'invalid_token');
        await fails(call(badPassword, gid), 401, 'unauthorized');
        await fails(call(stranger.api, gid), 403, 'forbidden');
        await fails(call(member.api, gid), 403, 'forbidden');
        await fails(call(stranger.api, 'no-such-group'), 404, 'not_found');
      });
    }

    it('the group is untouched by all of the above', async () => {
      assert.equal((await owner.api.groups.get(gid)).name, 'g');
      assert.deepEqual(await owner.api.groups.users(gid), sorted([owner.id, member.id]));
      assert.deepEqual(await owner.api.groups.nested(gid), [child]);
    });
  });

  describe('each privilege is denied, then allowed after PUT privileges (scenario 16)', async () => {
    type Check = { privilege: GroupPrivilege; act: (u: TestUser, ctx: { owner: TestUser; gid: string }) => Promise<unknown> };
    const checks: Check[] = [
      { privilege: 'group_view_data', act: (u, { gid }) => u.api.groups.get(gid) },
      { privilege: 'group_invite_user', act: (u, { gid }) => u.api.groups.userInviteToken(gid) },
      { privilege: 'group_invite_group', act: (u, { gid }) => u.api.groups.nestedInviteToken(gid) },
      { privilege: 'group_change_data', act: (u, { gid }) => u.api.groups.modify(gid, { name: 'renamed' }) },
      { privilege: 'group_set_privileges', act: (u, { gid }) => u.api.groups.setUserPrivileges(gid, u.id, ['group_set_privileges']) },
      {
        privilege: 'group_remove_user',
        act: async (u, { owner, gid }) => {
          const victim = await z.user('victim');
          await victim.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
          return u.api.groups.removeUser(gid, victim.id);
        },
      },
      {
        privilege: 'group_remove_group',
        act: async (u, { owner, gid }) => {
          const sub = await owner.api.groups.create('sub', 'team');
          await owner.api.groups.joinNested(sub, await owner.api.groups.nestedInviteToken(gid));
          return u.api.groups.removeNested(gid, sub);
        },
      },
      { privilege: 'group_remove', act: (u, { gid }) => u.api.groups.remove(gid) },
      {
        privilege: 'group_join_group',
        act: async (u, { owner, gid }) => {
          const other = await owner.api.groups.create('other', 'team');
          return u.api.groups.joinNested(gid, await owner.api.groups.nestedInviteToken(other));
        },
      },
    ];
    for (const { privilege, act } of checks) {
      it(privilege, async () => {
        const { owner, member, gid } = await fixture();
        const without = privilege === 'group_view_data' ? [] : (['group_view_data'] as GroupPrivilege[]);
        await owner.api.groups.setUserPrivileges(gid, member.id, without);
        const denied = await fails(act(member, { owner, gid }), 403, 'forbidden');
        assert.match(denied.description, new RegExp(privilege));
        await owner.api.groups.setUserPrivileges(gid, member.id, [privilege]);
        await act(member, { owner, gid });
      });
    }
  });

  it('no token appears in any log line', async () => {
    const { owner, gid } = await fixture();
    const token = await owner.api.groups.userInviteToken(gid);
    const other = await z.user('other');
    await other.api.user.joinGroup(token);
    await fails(other.api.user.joinGroup(token), 400, 'invalid_token');
    assert.ok(!z.logs().includes(token));
    assert.ok(!z.logs().includes(owner.token));
  });
});
