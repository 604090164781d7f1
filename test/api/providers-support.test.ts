import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneError } from '../../src/client/index.js';
import { spacePrivileges } from '../../src/domain/privileges.js';
import { registerProvider } from '../helpers/providers.js';
import { startZone } from '../helpers/zone.js';

const GENERIC = 'Provided token could not be validated.';

async function rejects(p: Promise<unknown>, status: number, code?: string, description?: RegExp | string): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof OnezoneError, String(err));
    assert.equal(err.status, status, err.message);
    if (code) assert.equal(err.code, code);
    if (typeof description === 'string') assert.equal(err.description, description);
    else if (description) assert.match(err.description, description);
    return;
  }
  assert.fail(`expected ${status}`);
}

describe('space support', async () => {
  const z = await startZone();
  const alice = await z.user('alice');

  it('end to end: user mints a token, provider supports, both sides list each other, removal from either side', async () => {
    const spaceId = await alice.api.user.createSpace('data');
    const p = await registerProvider(z);
    const token = await alice.api.providers.supportToken(spaceId);

    const res = await p.api.http.raw('POST', '/provider/spaces/support', { token, size: 1_000_000 });
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/spaces/${spaceId}`);
    assert.equal(res.body, undefined);

    assert.deepEqual(await alice.api.providers.ofSpace(spaceId), [p.id]);
    assert.deepEqual(await p.api.provider.spaces(), [spaceId]);
    assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [p.id]: 1_000_000 });
    assert.deepEqual((await alice.api.user.space(spaceId)).providersSupports, { [p.id]: 1_000_000 });
    assert.deepEqual(await p.api.provider.space(spaceId), {
      spaceId,
      name: 'data',
      canonicalName: 'data',
      providersSupports: { [p.id]: 1_000_000 },
    });
    const details = await alice.api.providers.inSpace(spaceId, p.id);
    assert.equal(details.providerId, p.id);
    assert.equal(details.clientName, 'provider');

    // The provider ends its support.
    const removed = await p.api.http.raw('DELETE', `/provider/spaces/${spaceId}`);
    assert.equal(removed.status, 200);
    assert.deepEqual(await alice.api.providers.ofSpace(spaceId), []);
    assert.deepEqual(await p.api.provider.spaces(), []);
    await rejects(p.api.provider.space(spaceId), 404);
    await rejects(p.api.provider.unsupport(spaceId), 404);

    // Supported again, then removed by the space.
    await p.api.provider.support(await alice.api.providers.supportToken(spaceId), '2048');
    assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [p.id]: 2048 });
    const byUser = await alice.api.http.raw('DELETE', `/spaces/${spaceId}/providers/${p.id}`);
    assert.equal(byUser.status, 200);
    assert.deepEqual(await p.api.provider.spaces(), []);
    await rejects(alice.api.providers.removeFromSpace(spaceId, p.id), 404);
    await rejects(alice.api.providers.inSpace(spaceId, p.id), 404);
  });

  it('size: a number or a digit string, from 1 to 2^53-1; anything else 400 before the token is used', async () => {
    const spaceId = await alice.api.user.createSpace('sizes');
    const p = await registerProvider(z);
    const token = await alice.api.providers.supportToken(spaceId);
    for (const size of [0, -1, 1.5, 2 ** 53, '0', '01', '1e3', ' 1', '9007199254740992', '', true, null]) {
      const res = await p.api.http.raw('POST', '/provider/spaces/support', { token, size });
      assert.equal(res.status, 400, `size ${JSON.stringify(size)}`);
      assert.match((res.body as { error_description: string }).error_description, /'size'/);
    }
    const missing = await p.api.http.raw('POST', '/provider/spaces/support', { token });
    assert.equal((missing.body as { error_description: string }).error_description, "missing required key: 'size'");
    await p.api.provider.support(token, '9007199254740991');
    assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [p.id]: 2 ** 53 - 1 });
  });

  it('a token reused, of the wrong type, garbage, or forged fails like any other token (400 invalid_token)', async () => {
    const spaceId = await alice.api.user.createSpace('tokens');
    const p1 = await registerProvider(z);
    const p2 = await registerProvider(z);
    const token = await alice.api.providers.supportToken(spaceId);
    await p1.api.provider.support(token, 10);
    await rejects(p2.api.provider.support(token, 10), 400, 'invalid_token', /usage limit/);
    await rejects(p2.api.provider.support(await alice.api.spaces.userInviteToken(spaceId), 10), 400, 'invalid_token', /space_support_token/);
    await rejects(p2.api.provider.support('garbage', 10), 400, 'invalid_token', GENERIC);
    await rejects(p2.api.provider.support(p2.token, 10), 400, 'invalid_token');
    // And a support token does not join users.
    await rejects((await z.user()).api.user.joinSpace(await alice.api.providers.supportToken(spaceId)), 400, 'invalid_token', /space_invite_user_token/);
    assert.deepEqual(await alice.api.providers.ofSpace(spaceId), [p1.id]);
  });

  it('supporting twice: 201, size unchanged, no use counted', async () => {
    const spaceId = await alice.api.user.createSpace('twice');
    const p = await registerProvider(z);
    const other = await registerProvider(z);
    await p.api.provider.support(await alice.api.providers.supportToken(spaceId), 100);
    const token = await alice.api.providers.supportToken(spaceId);
    assert.equal(await p.api.provider.support(token, 999), spaceId);
    assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [p.id]: 100 });
    await other.api.provider.support(token, 5);
    assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [other.id]: 5, [p.id]: 100 });
  });

  it('minting needs space_add_provider (404 for no such space); the issuer must still hold it when the token is used', async () => {
    const spaceId = await alice.api.user.createSpace('rights');
    const bob = await z.user('bob');
    await bob.api.user.joinSpace(await alice.api.spaces.userInviteToken(spaceId));
    await rejects(bob.api.providers.supportToken(spaceId), 403, 'forbidden');
    await rejects(alice.api.providers.supportToken('no-such-space'), 404);

    await z.zone.store.spaces.setUserPrivileges(spaceId, bob.id, spacePrivileges.toMask(['space_view_data', 'space_add_provider']));
    const token = await bob.api.providers.supportToken(spaceId);
    await z.zone.store.spaces.setUserPrivileges(spaceId, bob.id, spacePrivileges.toMask(['space_view_data']));
    const p = await registerProvider(z);
    await rejects(p.api.provider.support(token, 1), 400, 'invalid_token', /may no longer add providers/);
  });

  it('listing and removing need privileges: view via space_view_data, removal via space_remove_provider', async () => {
    const spaceId = await alice.api.user.createSpace('members');
    const p = await registerProvider(z);
    await p.api.provider.support(await alice.api.providers.supportToken(spaceId), 1);
    const bob = await z.user('bob');
    const carol = await z.user('carol');
    await bob.api.user.joinSpace(await alice.api.spaces.userInviteToken(spaceId));
    assert.deepEqual(await bob.api.providers.ofSpace(spaceId), [p.id]);
    assert.equal((await bob.api.providers.inSpace(spaceId, p.id)).providerId, p.id);
    await rejects(carol.api.providers.ofSpace(spaceId), 403);
    await rejects(carol.api.providers.inSpace(spaceId, p.id), 403);
    assert.deepEqual(await z.admin.providers.ofSpace(spaceId), [p.id], 'list_providers_of_space');
    await rejects(bob.api.providers.removeFromSpace(spaceId, p.id), 403);
    await rejects(alice.api.providers.ofSpace('no-such-space'), 404);
  });

  it('a supporting provider may read the space and its users and mint support tokens; others may not', async () => {
    const spaceId = await alice.api.user.createSpace('visible');
    const p = await registerProvider(z);
    const stranger = await registerProvider(z);
    await p.api.provider.support(await alice.api.providers.supportToken(spaceId), 7);
    assert.equal((await p.api.spaces.get(spaceId)).spaceId, spaceId);
    assert.deepEqual(await p.api.spaces.users(spaceId), [alice.id]);
    assert.deepEqual(await p.api.providers.ofSpace(spaceId), [p.id]);
    const token = await p.api.providers.supportToken(spaceId);
    await stranger.api.provider.support(token, 3);
    assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [p.id]: 7, [stranger.id]: 3 });

    const other = await alice.api.user.createSpace('hidden');
    await rejects(p.api.spaces.get(other), 403);
    await rejects(p.api.spaces.users(other), 403);
    await rejects(p.api.providers.supportToken(other), 403);
    await rejects(p.api.http.call('GET', `/spaces/${spaceId}/groups/token`), 403);
    await rejects(p.api.http.call('PATCH', `/spaces/${spaceId}`, { name: 'x' }), 403);
  });

  it('deleting the space removes its supports', async () => {
    const spaceId = await alice.api.user.createSpace('doomed');
    const p = await registerProvider(z);
    await p.api.provider.support(await alice.api.providers.supportToken(spaceId), 1);
    await alice.api.http.call('DELETE', `/spaces/${spaceId}`);
    assert.deepEqual(await p.api.provider.spaces(), []);
  });
});

describe('spaces created by providers', async () => {
  const z = await startZone();
  const all = spacePrivileges.all;

  for (const path of ['/provider/spaces', '/spaces']) {
    it(`POST ${path} with a user's space-creation token: 201 /spaces/{id}, the user owns it, the provider supports it`, async () => {
      const alice = await z.user('alice');
      const p = await registerProvider(z);
      const token = await alice.api.user.spaceCreateToken();
      const res = await p.api.http.raw('POST', path, { name: 'from provider', token, size: '4096' });
      assert.equal(res.status, 201);
      const spaceId = String(res.headers.location).replace('/spaces/', '');
      assert.equal(res.headers.location, `/spaces/${spaceId}`);
      assert.equal(await z.zone.store.spaces.userPrivileges(spaceId, alice.id), all);
      assert.deepEqual(await p.api.provider.spaces(), [spaceId]);
      assert.deepEqual((await alice.api.spaces.get(spaceId)).providersSupports, { [p.id]: 4096 });
      assert.ok((await alice.api.user.spaces()).spaces.includes(spaceId));
      await rejects(p.api.http.call('POST', path, { name: 'again', token, size: 1 }), 400, 'invalid_token', /usage limit/);
    });
  }

  it("a group's space-creation token: the group becomes the owner", async () => {
    const alice = await z.user('alice');
    const groupId = await alice.api.user.createGroup('team', 'team');
    const token = await alice.api.groupSpaces.createToken(groupId);
    const p = await registerProvider(z);
    const spaceId = await p.api.provider.createSpace('group space', token, 10);
    assert.equal(await z.zone.store.spaces.groupPrivileges(spaceId, groupId), all);
    assert.ok((await alice.api.user.spaces()).spaces.includes(spaceId), 'alice reaches it through the group');
  });

  it('POST /spaces by a provider needs token and size; the wrong token type fails', async () => {
    const alice = await z.user('alice');
    const p = await registerProvider(z);
    await rejects(p.api.http.call('POST', '/spaces', { name: 'x', size: 1 }), 400, 'invalid_request', "missing required key: 'token'");
    await rejects(p.api.http.call('POST', '/spaces', { name: 'x', token: 'x' }), 400, 'invalid_request', "missing required key: 'size'");
    const spaceId = await alice.api.user.createSpace('s');
    await rejects(p.api.provider.createSpace('x', await alice.api.providers.supportToken(spaceId), 1), 400, 'invalid_token', /space_create_token/);
    assert.deepEqual(await p.api.provider.spaces(), []);
  });

  it('a user still creates spaces with POST /spaces {name}', async () => {
    const alice = await z.user('alice');
    const spaceId = await alice.api.spaces.create('mine');
    assert.equal(await z.zone.store.spaces.userPrivileges(spaceId, alice.id), all);
  });
});
