import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { bootstrap } from '../../src/domain/bootstrap.js';
import { newId } from '../../src/domain/deps.js';
import { ADMIN_PASSWORD, type TestZone, startZone } from '../helpers/zone.js';

/**
 * The zone keeps an administrator: no RC2 operation may leave the `admins` group without a user
 * or without `set_privileges` (the 2016 zone re-added its administrators at each login; here the
 * operations are refused, and a start re-adds `admin` if the zone lost them anyway).
 */

const ADMIN = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

async function call(z: TestZone, auth: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: object): Promise<string> {
  const res = await request(`${z.baseUrl}${path}`, {
    method,
    headers: { authorization: auth, ...(body && { 'content-type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  const text = await res.body.text();
  const error = res.statusCode >= 400 && text ? (JSON.parse(text) as { error?: string }).error : undefined;
  return error ? `${res.statusCode} ${error}` : String(res.statusCode);
}

describe('the zone keeps an administrator', async () => {
  const z = await startZone();
  const adminId = (await z.admin.user.get()).userId;
  const mayAdminister = async () => assert.equal(await call(z, ADMIN, 'GET', '/privileges/users/' + adminId), '200');

  it('the last administrator cannot leave admins, be removed from it, or delete their account', async () => {
    assert.equal(await call(z, ADMIN, 'DELETE', '/user/groups/admins'), '400 invalid_request');
    assert.equal(await call(z, ADMIN, 'DELETE', `/groups/admins/users/${adminId}`), '400 invalid_request');
    assert.equal(await call(z, ADMIN, 'DELETE', '/user'), '400 invalid_request');
    await mayAdminister();
  });

  it('administrators manage admins whatever privileges they hold in it (dropping their own cannot lock the group)', async () => {
    assert.equal(await call(z, ADMIN, 'PUT', `/groups/admins/users/${adminId}/privileges`, { privileges: ['group_view_data'] }), '200');
    assert.equal(await call(z, ADMIN, 'GET', '/groups/admins/users/token'), '200');
    assert.equal(await call(z, ADMIN, 'GET', '/groups/admins/nested/token'), '200');
    assert.equal(await call(z, ADMIN, 'PUT', `/groups/admins/users/${adminId}/privileges`, { privileges: ['group_view_data', 'group_set_privileges'] }), '200');
    // Others still need the privilege.
    const outsider = await z.user('outsider');
    assert.equal(await call(z, `Bearer ${outsider.token}`, 'GET', '/groups/admins/users/token'), '403 forbidden');
  });

  it("admins keeps 'set_privileges'", async () => {
    assert.equal(await call(z, ADMIN, 'PATCH', '/privileges/group/admins', { privileges: [] }), '400 invalid_request');
    assert.equal(await call(z, ADMIN, 'PATCH', '/privileges/group/admins', { privileges: ['view_privileges'] }), '400 invalid_request');
    assert.equal(await call(z, ADMIN, 'DELETE', '/privileges/group/admins'), '400 invalid_request');
    assert.equal(await call(z, ADMIN, 'PATCH', '/privileges/group/admins', { privileges: ['view_privileges', 'set_privileges'] }), '200');
    await mayAdminister();
  });

  it('with a second administrator (through a subgroup), one may go; the subgroup then cannot', async () => {
    const other = await z.user('second-admin');
    const sub = await other.api.groups.create('ops', 'team');
    // The subgroup joins admins with an invite of the admin's.
    const invite = await z.admin.groups.createNestedInvite('admins');
    await other.api.groups.joinNested(sub, invite);
    await z.admin.groups.setNestedPrivileges('admins', sub, ['group_view_data', 'group_remove_group']);
    const otherAuth = `Bearer ${other.token}`;

    assert.equal(await call(z, ADMIN, 'DELETE', '/user/groups/admins'), '200');
    assert.equal(await call(z, ADMIN, 'GET', '/privileges/users/' + adminId), '403 forbidden');
    // Now the subgroup holds the only administrator.
    assert.equal(await call(z, otherAuth, 'DELETE', `/groups/admins/nested/${sub}`), '400 invalid_request');
    assert.equal(await call(z, otherAuth, 'DELETE', `/groups/${sub}`), '400 invalid_request');
    assert.equal(await call(z, otherAuth, 'DELETE', `/user/groups/${sub}`), '400 invalid_request');
    assert.equal(await call(z, otherAuth, 'DELETE', '/user'), '400 invalid_request');
    assert.equal(await call(z, otherAuth, 'GET', '/privileges/users/' + adminId), '200');
  });

  it('a start re-adds admin to an admins group left without users', async () => {
    const store = z.zone.store;
    for (const uid of await store.groups.effectiveUsers('admins')) await store.groups.removeUser('admins', uid);
    for (const child of await store.groups.nested('admins')) await store.groups.removeNested('admins', child);
    assert.equal(await store.groups.hasAnyUser('admins'), false);
    await bootstrap({ store, clock: () => Math.floor(Date.now() / 1000), ids: newId }, undefined);
    assert.deepEqual(await store.groups.users('admins'), [adminId]);
    await mayAdminister();
  });
});

describe('a start and a deleted admin', async () => {
  const z = await startZone();

  it('a deleted admin is not created again by a start while admins has other users', async () => {
    const store = z.zone.store;
    const other = await z.user('second-admin');
    await other.api.user.joinGroup(await z.admin.groups.userInviteToken('admins'));
    await z.admin.user.remove();
    assert.equal(await store.users.byLogin('admin'), undefined);
    const started = await bootstrap({ store, clock: () => Math.floor(Date.now() / 1000), ids: newId }, 'the-old-env-password');
    assert.deepEqual(started, { generatedPassword: undefined });
    assert.equal(await store.users.byLogin('admin'), undefined);
    assert.deepEqual(await store.groups.users('admins'), [other.id]);
    // Left without any administrator, the zone gets `admin` back (a new account) at its next start.
    await store.groups.removeUser('admins', other.id);
    await bootstrap({ store, clock: () => Math.floor(Date.now() / 1000), ids: newId }, 'the-old-env-password');
    const admin = await store.users.byLogin('admin');
    assert.ok(admin);
    assert.deepEqual(await store.groups.users('admins'), [admin.id]);
  });
});
