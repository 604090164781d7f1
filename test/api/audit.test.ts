import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent, AuditQuery, OnezoneClient } from '../../src/client/index.js';
import { tokenId } from '../../src/client/index.js';
import { AUDIT_SCAN_WINDOW } from '../../src/domain/audit.js';
import { fails } from '../helpers/assert.js';
import { registerProvider } from '../helpers/providers.js';
import { ADMIN_PASSWORD, startZone } from '../helpers/zone.js';

/** Every event the query matches, read page by page. */
async function readAll(api: OnezoneClient, query: AuditQuery = {}): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after = query.after;
  for (;;) {
    const page = await api.audit.list({ ...query, after, limit: query.limit ?? 1000 });
    events.push(...page.events);
    if (page.next === undefined) return events;
    after = page.next;
  }
}

/** The part of an event a script can predict (not its id or time). */
const shape = (e: AuditEvent) => ({
  actor: `${e.actorType}:${e.actorId ?? ''}`,
  action: e.action,
  target: `${e.targetType}:${e.targetId}`,
  subject: e.subjectType === null ? null : `${e.subjectType}:${e.subjectId}`,
  details: e.details,
});

describe('extension GET /audit: the audit trail', async () => {
  const z = await startZone();
  const admin = z.admin;
  const lastId = async () => (await readAll(admin)).at(-1)?.id ?? 0;
  const secrets: string[] = [ADMIN_PASSWORD];

  it('a scripted sequence records exactly the expected events, in order, with actor, target and subject', async () => {
    const start = await lastId();
    const alice = await z.user('alice');
    const bob = await z.user('bob');
    secrets.push(alice.token, alice.password, bob.token, bob.password);
    const adminId = (await admin.user.get()).userId;

    const space = await alice.api.user.createSpace('lab');
    const invite = await alice.api.spaces.userInviteToken(space);
    assert.equal(await bob.api.user.joinSpace(invite), space);
    await alice.api.spaces.setUserPrivileges(space, bob.id, ['space_view_data', 'space_invite_user']);
    await alice.api.spaces.removeUser(space, bob.id);
    const spare = await alice.api.spaces.createUserInvite(space, { usageLimit: 2, privileges: ['space_view_data', 'space_change_data'] });
    await alice.api.tokens.setRevoked(tokenId(spare), true);
    await alice.api.tokens.remove(tokenId(spare));
    const child = await alice.api.user.createGroup('child', 'team');
    const parent = await alice.api.user.createGroup('parent', 'unit');
    const nested = await alice.api.groups.nestedInviteToken(parent);
    assert.equal(await alice.api.groups.joinNested(child, nested), parent);
    await alice.api.spaces.remove(space);
    secrets.push(invite, spare, nested);

    const u = (id: string) => `user:${id}`;
    const inviteType = 'space_invite_user_token';
    assert.deepEqual((await readAll(admin, { after: start })).map(shape), [
      { actor: u(adminId), action: 'user.create', target: u(alice.id), subject: null, details: { login: alice.login } },
      { actor: u(alice.id), action: 'token.mint', target: u(alice.id), subject: null, details: { tokenId: tokenId(alice.token), type: 'access' } },
      { actor: u(adminId), action: 'user.create', target: u(bob.id), subject: null, details: { login: bob.login } },
      { actor: u(bob.id), action: 'token.mint', target: u(bob.id), subject: null, details: { tokenId: tokenId(bob.token), type: 'access' } },
      { actor: u(alice.id), action: 'space.create', target: `space:${space}`, subject: null, details: { name: 'lab' } },
      { actor: u(alice.id), action: 'token.mint', target: `space:${space}`, subject: null, details: { tokenId: tokenId(invite), type: inviteType, usageLimit: 1 } },
      { actor: u(bob.id), action: 'space.user.join', target: `space:${space}`, subject: u(bob.id), details: { tokenId: tokenId(invite), privileges: ['space_view_data'] } },
      {
        actor: u(alice.id),
        action: 'space.user.privileges',
        target: `space:${space}`,
        subject: u(bob.id),
        details: { privileges: ['space_invite_user', 'space_view_data'] },
      },
      { actor: u(alice.id), action: 'space.user.remove', target: `space:${space}`, subject: u(bob.id), details: null },
      {
        actor: u(alice.id),
        action: 'token.mint',
        target: `space:${space}`,
        subject: null,
        details: { tokenId: tokenId(spare), type: inviteType, usageLimit: 2, privileges: ['space_change_data', 'space_view_data'] },
      },
      { actor: u(alice.id), action: 'token.revoke', target: `space:${space}`, subject: null, details: { tokenId: tokenId(spare), type: inviteType } },
      { actor: u(alice.id), action: 'token.delete', target: `space:${space}`, subject: null, details: { tokenId: tokenId(spare), type: inviteType } },
      { actor: u(alice.id), action: 'group.create', target: `group:${child}`, subject: null, details: { name: 'child', type: 'team' } },
      { actor: u(alice.id), action: 'group.create', target: `group:${parent}`, subject: null, details: { name: 'parent', type: 'unit' } },
      {
        actor: u(alice.id),
        action: 'token.mint',
        target: `group:${parent}`,
        subject: null,
        details: { tokenId: tokenId(nested), type: 'group_invite_group_token', usageLimit: 1 },
      },
      {
        actor: u(alice.id),
        action: 'group.nested.add',
        target: `group:${parent}`,
        subject: `group:${child}`,
        details: { tokenId: tokenId(nested), privileges: ['group_view_data'] },
      },
      { actor: u(alice.id), action: 'space.delete', target: `space:${space}`, subject: null, details: null },
    ]);
  });

  it('ids increase and times are Unix seconds', async () => {
    const events = await readAll(admin);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.id > events[i - 1]!.id);
    for (const e of events) assert.ok(Number.isInteger(e.at) && e.at > now - 600 && e.at <= now + 1, `at ${e.at}`);
  });

  it('bootstrap is on the trail, done by the zone', async () => {
    const first = (await admin.audit.list({ limit: 4 })).events.map((e) => [e.actorType, e.actorId, e.action, e.targetType]);
    assert.deepEqual(first, [
      ['zone', null, 'group.create', 'group'],
      ['zone', null, 'onezone.privileges.set', 'group'],
      ['zone', null, 'user.create', 'user'],
      ['zone', null, 'group.user.add', 'group'],
    ]);
  });

  it('a failed operation records nothing', async () => {
    const alice = await z.user('alice');
    const bob = await z.user('bob');
    const carol = await z.user('carol');
    secrets.push(alice.token, bob.token, carol.token);
    const space = await alice.api.user.createSpace('closed');
    const invite = await alice.api.spaces.userInviteToken(space);
    await bob.api.user.joinSpace(invite);
    const before = await lastId();
    await fails(carol.api.user.joinSpace(invite), 400, 'invalid_token');
    await fails(bob.api.spaces.setUserPrivileges(space, bob.id, ['space_set_privileges']), 403, 'forbidden');
    await fails(carol.api.spaces.remove(space), 403, 'forbidden');
    await fails(alice.api.spaces.removeUser(space, carol.id), 404, 'not_found');
    await fails(alice.api.tokens.remove(tokenId(bob.token)), 404, 'not_found');
    await fails(admin.users.create({ login: alice.login, password: 'another-password', name: 'dup' }), 409, 'conflict');
    // A join by a member already is no change, and reads are not recorded.
    assert.equal(await bob.api.user.joinSpace(await alice.api.spaces.userInviteToken(space)), space);
    const afterMint = await lastId();
    // Removing the Onezone privileges of someone who holds none changes nothing either, nor does
    // revoking a revoked token (or unrevoking a live one); a token deleted already is not found.
    await admin.privileges.removeUser(carol.id);
    const spare = tokenId(await alice.api.spaces.createUserInvite(space, { usageLimit: 3 }));
    await alice.api.tokens.setRevoked(spare, true);
    const revokedOnce = await lastId();
    await alice.api.tokens.setRevoked(spare, true);
    await alice.api.tokens.setRevoked(tokenId(alice.token), false);
    assert.equal(await lastId(), revokedOnce, 'no event for a flag already set');
    await fails(bob.api.tokens.setRevoked(spare, false), 404, 'not_found');
    await alice.api.tokens.remove(spare);
    await fails(alice.api.tokens.remove(spare), 404, 'not_found');
    await fails(alice.api.tokens.setRevoked(spare, false), 404, 'not_found');
    const spared = (await readAll(admin, { after: afterMint })).map((e) => e.action);
    assert.deepEqual(spared, ['token.mint', 'token.revoke', 'token.delete']);
    const quiet = await lastId();
    await alice.api.spaces.get(space);
    await alice.api.spaces.users(space);
    await alice.api.tokens.list();
    await admin.audit.list();
    assert.equal(await lastId(), quiet);
    const added = await readAll(admin, { after: before });
    assert.deepEqual(added.slice(0, 1).map((e) => e.action), ['token.mint'], 'only the second invite was recorded');
  });

  it('pagination with after and limit is exact and stable', async () => {
    const all = await readAll(admin);
    assert.ok(all.length > 20);
    for (const limit of [1, 3, 7]) {
      const paged = await readAll(admin, { limit });
      assert.deepEqual(paged, all, `pages of ${limit}`);
    }
    const page = await admin.audit.list({ after: all[4]!.id, limit: 5 });
    assert.deepEqual(page.events, all.slice(5, 10));
    assert.equal(page.next, all[9]!.id);
    const last = await admin.audit.list({ after: all.at(-2)!.id, limit: 5 });
    assert.deepEqual(last.events, [all.at(-1)]);
    assert.equal(last.next, undefined);
    assert.deepEqual((await admin.audit.list({ after: all.at(-1)!.id })).events, []);
    assert.deepEqual(await readAll(admin), all, 'the same answer when asked again');
    assert.equal((await admin.audit.list()).events.length, Math.min(100, all.length), 'default limit 100');
  });

  it('filters by target and by actor', async () => {
    const alice = await z.user('alice');
    const bob = await z.user('bob');
    secrets.push(alice.token, bob.token);
    const space = await alice.api.user.createSpace('filtered');
    await bob.api.user.joinSpace(await alice.api.spaces.userInviteToken(space));
    await alice.api.spaces.rename(space, 'renamed');
    const bySpace = await readAll(admin, { targetType: 'space', targetId: space });
    assert.deepEqual(bySpace.map((e) => e.action), ['space.create', 'token.mint', 'space.user.join', 'space.rename']);
    assert.ok(bySpace.every((e) => e.targetId === space));
    const byBob = await readAll(admin, { actorId: bob.id });
    assert.deepEqual(byBob.map((e) => e.action), ['token.mint', 'space.user.join']);
    const both = await readAll(admin, { targetType: 'space', targetId: space, actorId: bob.id, limit: 1 });
    assert.deepEqual(both.map((e) => e.action), ['space.user.join']);
    assert.deepEqual((await admin.audit.list({ targetType: 'group', targetId: space })).events, []);
  });

  it('providers: registration, support and removal are recorded with the provider as actor', async () => {
    const alice = await z.user('alice');
    const space = await alice.api.user.createSpace('supported');
    const p = await registerProvider(z, 'audited');
    secrets.push(p.token, p.keyPem);
    const support = await alice.api.providers.supportToken(space);
    secrets.push(support);
    await p.api.provider.support(support, 1024);
    await p.api.provider.unsupport(space);
    const events = (await readAll(admin, { actorId: p.id })).map((e) => [e.action, e.targetType, e.subjectType, e.details]);
    assert.deepEqual(events, [
      ['provider.register', 'provider', null, { name: 'audited' }],
      ['token.mint', 'provider', null, { tokenId: tokenId(p.token), type: 'provider_access_token' }],
      ['space.support', 'space', 'provider', { tokenId: tokenId(support), size: 1024 }],
      ['space.unsupport', 'space', 'provider', null],
    ]);
  });

  it('is for zone admins (view_privileges): others get 403', async () => {
    const alice = await z.user('alice');
    await fails(alice.api.audit.list(), 403, 'forbidden');
    await z.zone.store.onezone.set('user', alice.id, 0);
    await fails(alice.api.audit.list(), 403, 'forbidden');
    await admin.privileges.setUser(alice.id, ['view_privileges']);
    assert.ok((await alice.api.audit.list({ limit: 1 })).events.length === 1);
    await fails(z.client().audit.list(), 401);
  });

  it('an unfiltered page stops before an id whose transaction may still commit (PostgreSQL; SQLite ids are in commit order)', async (t) => {
    if (z.zone.store.audit.idsInCommitOrder) return t.skip('SQLite: one writer, ids in commit order, nothing to hold back');
    const alice = await z.user('alice');
    const before = await lastId();
    // A change whose event has its id while its transaction is still running.
    let inserted!: () => void;
    let commit!: () => void;
    const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
    const mayCommit = new Promise<void>((resolve) => (commit = resolve));
    const slow = z.zone.store.transaction(async (tx) => {
      await tx.audit.record({ at: Math.floor(Date.now() / 1000), actor_type: 'zone', action: 'space.rename', target_type: 'space', target_id: 'slow', details: null });
      inserted();
      await mayCommit;
    });
    await insertedNow;
    await alice.api.user.createSpace('committed first');
    const held = await admin.audit.list({ after: before });
    assert.deepEqual(held.events.map((e) => e.targetId), [], 'the committed event waits behind the running one');
    assert.equal(held.next, undefined);
    const filtered = await admin.audit.list({ after: before, actorId: alice.id });
    assert.deepEqual(filtered.events.map((e) => e.action), ['space.create'], 'filtered reads are not held back');
    commit();
    await slow;
    const all = await readAll(admin, { after: before });
    assert.deepEqual(all.map((e) => e.targetId === 'slow' ? 'slow' : e.action), ['slow', 'space.create']);
  });

  it('a page filtered by actor (no index) reads a bounded stretch of ids, and says where to go on', async () => {
    const alice = await z.user('alice');
    const start = await lastId();
    // More events than one stretch reads, none of them alice's, then one of hers.
    await z.zone.store.transaction(async (tx) => {
      for (let i = 0; i < AUDIT_SCAN_WINDOW + 500; i++) {
        await tx.audit.record({ at: 1_800_000_000, actor_type: 'zone', action: 'space.rename', target_type: 'space', target_id: 'filler', details: null });
      }
    });
    await alice.api.user.createSpace('found');
    const first = await admin.audit.list({ actorId: alice.id, after: start });
    assert.deepEqual(first.events, []);
    assert.equal(first.next, start + AUDIT_SCAN_WINDOW);
    const second = await admin.audit.list({ actorId: alice.id, after: first.next });
    assert.deepEqual(second.events.map((e) => e.action), ['space.create']);
    assert.equal(second.next, undefined);
    assert.deepEqual((await readAll(admin, { actorId: alice.id, after: start })).map((e) => e.action), ['space.create']);
    // The indexed filter reads as far as it needs.
    const indexed = await admin.audit.list({ targetType: 'user', targetId: alice.id, after: start });
    assert.deepEqual(indexed, { events: [] });
  });

  it('bad parameters are 400 invalid_request', async () => {
    for (const qs of ['limit=0', 'limit=1001', 'limit=-1', 'limit=abc', 'after=-1', 'after=1.5', 'after=', 'bogus=1', 'targetType=', 'targetType=spaces', 'targetType=Space']) {
      const res = await admin.http.raw('GET', `/audit?${qs}`);
      assert.equal(res.status, 400, `${qs}: ${res.status}`);
      assert.equal((res.body as { error: string }).error, 'invalid_request', qs);
    }
    assert.equal((await admin.audit.list({ limit: 1000 })).events.length > 0, true);
  });

  it('no event holds a token text, a password or a key', async () => {
    const text = JSON.stringify(await readAll(admin));
    assert.ok(secrets.length > 10);
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret is on the audit trail');
    assert.doesNotMatch(text, /password|BEGIN|macaroon/i);
  });
});
