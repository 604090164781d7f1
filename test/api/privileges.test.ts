import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OnezoneClient, OnezonePrivilege } from '../../src/client/index.js';
import { ONEZONE_PRIVILEGES } from '../../src/domain/privileges.js';
import { startZone } from '../helpers/zone.js';
import { fails } from '../helpers/assert.js';

const MISSING = 'x'.repeat(43);

describe('/privileges', async () => {
  const z = await startZone();

  it('the admins group holds all seven; its member (admin) may read and set', async () => {
    assert.deepEqual(await z.admin.privileges.group('admins'), [...ONEZONE_PRIVILEGES]);
    const u = await z.user('u');
    assert.deepEqual(await z.admin.privileges.user(u.id), []);
  });

  describe('every operation: 401, 401, 403, 404', async () => {
    const target = await z.user('target');
    const plain = await z.user('plain');
    const gid = await target.api.groups.create('g', 'team');
    const nobody = z.client();
    const forged = z.client({ token: 'not-a-token' });
    const ops: [string, (api: OnezoneClient, id: string) => Promise<unknown>, 'user' | 'group'][] = [
      ['GET /privileges/users/{id}', (api, id) => api.privileges.user(id), 'user'],
      ['PATCH /privileges/users/{id}', (api, id) => api.privileges.setUser(id, ['list_spaces']), 'user'],
      ['DELETE /privileges/users/{id}', (api, id) => api.privileges.removeUser(id), 'user'],
      ['GET /privileges/group/{id}', (api, id) => api.privileges.group(id), 'group'],
      ['PATCH /privileges/group/{id}', (api, id) => api.privileges.setGroup(id, ['list_spaces']), 'group'],
      ['DELETE /privileges/group/{id}', (api, id) => api.privileges.removeGroup(id), 'group'],
    ];
    for (const [name, op, subject] of ops) {
      it(name, async () => {
        const id = subject === 'user' ? target.id : gid;
        await fails(op(nobody, id), 401, 'unauthorized');
        await fails(op(forged, id), 401, 'invalid_token');
        await fails(op(plain.api, id), 403, 'forbidden');
        // A member of the group, and the user itself, have no say over their zone privileges.
        await fails(op(target.api, id), 403, 'forbidden');
        await fails(op(z.admin, MISSING), 404, 'not_found');
        await op(z.admin, id);
      });
    }
  });

  it('PATCH replaces the list (200), DELETE empties it (200); the holder gains and loses the right', async () => {
    const u = await z.user('u');
    await fails(u.api.spaces.list(), 403);
    const res = await z.admin.http.call('PATCH', `/privileges/users/${u.id}`, { privileges: ['list_spaces', 'view_privileges'] });
    assert.equal(res.status, 200);
    assert.deepEqual(await z.admin.privileges.user(u.id), ['view_privileges', 'list_spaces']);
    assert.ok(Array.isArray(await u.api.spaces.list()));
    assert.deepEqual(await u.api.privileges.user(u.id), ['view_privileges', 'list_spaces']);
    await z.admin.privileges.setUser(u.id, ['add_member_to_space', 'remove_member_from_space']);
    assert.deepEqual(await z.admin.privileges.user(u.id), ['add_member_to_space', 'remove_member_from_space']);
    await fails(u.api.spaces.list(), 403);
    const del = await z.admin.http.call('DELETE', `/privileges/users/${u.id}`);
    assert.equal(del.status, 200);
    assert.deepEqual(await z.admin.privileges.user(u.id), []);
  });

  it("a group's Onezone privileges reach its members at any depth", async () => {
    const owner = await z.user('owner');
    const member = await z.user('member');
    const deep = await z.user('deep');
    const top = await owner.api.groups.create('top', 'team');
    const sub = await owner.api.groups.create('sub', 'team');
    await member.api.user.joinGroup(await owner.api.groups.userInviteToken(top));
    await owner.api.groups.joinNested(sub, await owner.api.groups.nestedInviteToken(top));
    await deep.api.user.joinGroup(await owner.api.groups.userInviteToken(sub));

    await fails(member.api.spaces.list(), 403);
    await z.admin.privileges.setGroup(top, ['list_spaces']);
    assert.deepEqual(await z.admin.privileges.group(top), ['list_spaces']);
    assert.ok(Array.isArray(await member.api.spaces.list()));
    assert.ok(Array.isArray(await deep.api.spaces.list()));

    // A zone privilege from the group also stands in for a space privilege where RC2 allows it.
    const sid = await z.user('other').then((o) => o.api.spaces.create('theirs'));
    assert.equal((await member.api.spaces.get(sid)).spaceId, sid);

    await z.admin.privileges.removeGroup(top);
    await fails(member.api.spaces.list(), 403);
    await fails(deep.api.spaces.list(), 403);
  });

  it('a user holding set_privileges through a group can grant; unknown names are refused', async () => {
    const delegate = await z.user('delegate');
    await z.admin.privileges.setUser(delegate.id, ['set_privileges']);
    const u = await z.user('u');
    await delegate.api.privileges.setUser(u.id, ['list_providers']);
    await fails(delegate.api.privileges.user(u.id), 403, 'forbidden');
    for (const body of [{ privileges: ['fly'] }, { privileges: ['space_view_data'] }, { privileges: 'list_spaces' }, {}]) {
      const res = await delegate.api.http.raw('PATCH', `/privileges/users/${u.id}`, body);
      assert.equal(res.status, 400);
      assert.equal((res.body as { error: string }).error, 'invalid_request');
      assert.match((res.body as { error_description: string }).error_description, /'privileges/);
    }
    assert.deepEqual(await z.admin.privileges.user(u.id), ['list_providers']);
  });

  describe('2016 aliases: PUT and /privileges/groups/{id}', () => {
    it('PUT on /privileges/users/{id} and /privileges/group/{id} sets the list', async () => {
      const u = await z.user('u');
      const gid = await u.api.groups.create('g', 'team');
      assert.equal((await z.admin.http.call('PUT', `/privileges/users/${u.id}`, { privileges: ['list_spaces'] })).status, 200);
      assert.equal((await z.admin.http.call('PUT', `/privileges/group/${gid}`, { privileges: ['list_providers'] })).status, 200);
      assert.deepEqual(await z.admin.privileges.user(u.id), ['list_spaces']);
      assert.deepEqual(await z.admin.privileges.group(gid), ['list_providers']);
    });

    it('/privileges/groups/{id}: GET, PATCH, PUT, DELETE', async () => {
      const u = await z.user('u');
      const gid = await u.api.groups.create('g', 'team');
      const path = `/privileges/groups/${gid}`;
      const set: OnezonePrivilege[] = ['view_privileges'];
      assert.equal((await z.admin.http.call('PUT', path, { privileges: set })).status, 200);
      assert.deepEqual((await z.admin.http.call('GET', path)).body, { privileges: set });
      assert.equal((await z.admin.http.call('PATCH', path, { privileges: ['list_spaces'] })).status, 200);
      assert.deepEqual(await z.admin.privileges.group(gid), ['list_spaces']);
      assert.equal((await z.admin.http.call('DELETE', path)).status, 200);
      assert.deepEqual(await z.admin.privileges.group(gid), []);
      assert.equal((await u.api.http.raw('GET', path)).status, 403);
      assert.equal((await z.admin.http.raw('GET', `/privileges/groups/${MISSING}`)).status, 404);
    });

    it('the aliases are not in the OpenAPI document', async () => {
      const res = await z.admin.http.raw('GET', '/openapi.json');
      assert.equal(res.status, 200);
      const paths = (res.body as { paths: Record<string, Record<string, { operationId?: string }>> }).paths;
      assert.ok(paths['/privileges/group/{id}']);
      assert.equal(paths['/privileges/groups/{id}'], undefined);
      assert.deepEqual(Object.keys(paths['/privileges/users/{id}']!).sort(), ['delete', 'get', 'patch']);
    });
  });
});
