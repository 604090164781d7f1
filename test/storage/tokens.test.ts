import assert from 'node:assert/strict';
import { violatedConstraint } from '../../src/store/dialect.js';
import { EXPIRED_TOKEN_RETENTION_S, purgeDeadTokens } from '../../src/domain/tokens.js';
import { forEachDialect } from '../helpers/db.js';
import { makeGroup, makeSpace, makeToken, makeUser, newId } from './fixtures.js';

forEachDialect('store.tokens', (it) => {
  it('insert and byId round-trip, with int8 timestamps as numbers', async ({ store }) => {
    const user = await makeUser(store);
    const space = await makeSpace(store);
    const id = await makeToken(store, { issuer: user, target: space, usageLimit: 3 });
    const row = await store.tokens.byId(id);
    assert.equal(row?.usage_limit, 3);
    assert.equal(row?.usage_count, 0);
    assert.equal(row?.revoked, 0);
    assert.equal(row?.expires_at, 4_000_000_000);
    assert.equal(typeof row?.created_at, 'number');
    assert.equal(row?.target_id, space);
    assert.equal(await store.tokens.byId(newId()), undefined);
  });

  it('purgeDeadTokens deletes tokens expired beyond the retention, step by step, each step audited; nothing else', async ({ store }) => {
    const now = 1_800_000_000;
    const user = await makeUser(store);
    const expire = async (expiresAt: number | null) => {
      const id = newId();
      await store.tokens.insert({ id, kind: 'access', type: 'access', issuer_type: 'user', issuer_id: user, expires_at: expiresAt, created_at: 1_700_000_000 });
      return id;
    };
    const old = await Promise.all(Array.from({ length: 1003 }, () => expire(now - EXPIRED_TOKEN_RETENTION_S - 10)));
    const kept = [await expire(now - EXPIRED_TOKEN_RETENTION_S + 10), await expire(now + 3600), await expire(null)];
    const purges = async () => (await store.audit.list({ targetType: 'zone', targetId: 'tokens', limit: 1000 })).filter((e) => e.action === 'token.purge');
    const before = (await purges()).length;
    // Steps of 100 rows: many steps, every one of them found.
    assert.equal(await purgeDeadTokens({ store, clock: () => now }, 100), 1003);
    for (const id of old.slice(0, 5)) assert.equal(await store.tokens.byId(id), undefined);
    for (const id of kept) assert.ok(await store.tokens.byId(id), 'kept');
    const counts = (await purges()).slice(before).map((e) => (JSON.parse(e.details!) as { count: number }).count);
    assert.ok(counts.length >= 10, `${counts.length} steps`);
    assert.equal(counts.reduce((a, b) => a + b, 0), 1003);
    assert.ok(counts.every((c) => c > 0 && c <= 100), 'a step deletes at most its window, and only steps that delete are recorded');
    assert.equal(await purgeDeadTokens({ store, clock: () => now }), 0, 'nothing left to purge');
  });

  it('purgeDeadTokens also deletes tokens whose issuer or target is gone, and only those', async ({ store }) => {
    const now = 1_800_000_000;
    const issuer = await makeUser(store);
    const goneIssuer = await makeUser(store);
    const space = await makeSpace(store);
    const goneSpace = await makeSpace(store);
    const goneGroup = await makeGroup(store);
    const live = [await makeToken(store, { issuer, target: space }), await makeToken(store, { issuer, kind: 'access' })];
    const group = newId();
    await store.tokens.insert({ id: group, kind: 'invite', type: 'group_invite_token', issuer_type: 'user', issuer_id: issuer, target_type: 'group', target_id: goneGroup, expires_at: 4_000_000_000, created_at: 1_700_000_000 });
    const orphans = [
      await makeToken(store, { issuer: goneIssuer, target: space }),
      await makeToken(store, { issuer: goneIssuer, kind: 'access' }),
      await makeToken(store, { issuer, target: goneSpace }),
      group,
    ];
    // What a mint racing these deletions leaves behind: the rows deleted, their tokens not.
    await store.users.delete(goneIssuer);
    await store.spaces.delete(goneSpace);
    await store.groups.delete(goneGroup);
    assert.equal(await purgeDeadTokens({ store, clock: () => now }, 2), orphans.length);
    for (const id of orphans) assert.equal(await store.tokens.byId(id), undefined, 'orphan purged');
    for (const id of live) assert.ok(await store.tokens.byId(id), 'kept');
  });

  it('a duplicate id violates tokens_pkey', async ({ store }) => {
    const user = await makeUser(store);
    const id = await makeToken(store, { issuer: user });
    const row = (await store.tokens.byId(id))!;
    await assert.rejects(store.tokens.insert(row), (err) => violatedConstraint(err) === 'tokens_pkey');
  });

  it('accessTokenSubject joins the user; absent for invites of other issuers and unknown ids', async ({ store }) => {
    const user = await makeUser(store);
    const id = await makeToken(store, { issuer: user, kind: 'access' });
    const subject = await store.tokens.accessTokenSubject(id);
    assert.equal(subject?.userId, user);
    assert.equal(subject?.kind, 'access');
    assert.equal(subject?.revoked, 0);
    assert.equal(subject?.expires_at, 4_000_000_000);
    assert.equal(await store.tokens.accessTokenSubject(newId()), undefined);
    await store.users.delete(user);
    assert.equal(await store.tokens.accessTokenSubject(id), undefined, 'gone with its user');
  });

  const NOW = 3_000_000_000;

  it('countUse counts up to the limit and no further; unlimited counts forever', async ({ store }) => {
    const user = await makeUser(store);
    const limited = await makeToken(store, { issuer: user, usageLimit: 2 });
    assert.equal(await store.tokens.countUse(limited, NOW), true);
    assert.equal(await store.tokens.countUse(limited, NOW), true);
    assert.equal(await store.tokens.countUse(limited, NOW), false);
    assert.equal((await store.tokens.byId(limited))?.usage_count, 2);
    const unlimited = await makeToken(store, { issuer: user, usageLimit: null });
    for (let i = 0; i < 5; i++) assert.equal(await store.tokens.countUse(unlimited, NOW), true);
    assert.equal((await store.tokens.byId(unlimited))?.usage_count, 5);
    assert.equal(await store.tokens.countUse(newId(), NOW), false);
  });

  it('countUse counts nothing for a revoked or expired token', async ({ store }) => {
    const user = await makeUser(store);
    const id = await makeToken(store, { issuer: user, usageLimit: null }); // expires at 4,000,000,000
    await store.tokens.setRevoked(id, true);
    assert.equal(await store.tokens.countUse(id, NOW), false);
    await store.tokens.setRevoked(id, false);
    assert.equal(await store.tokens.countUse(id, 4_000_000_000), false, 'expired at that second');
    assert.equal(await store.tokens.countUse(id, 3_999_999_999), true);
    assert.equal((await store.tokens.byId(id))?.usage_count, 1);
  });

  it('concurrent countUse calls on separate connections never pass the limit', async ({ store }) => {
    const user = await makeUser(store);
    const id = await makeToken(store, { issuer: user, usageLimit: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction(async (tx) => {
          // Read first, as a join does; the count decides.
          const row = await tx.tokens.byId(id);
          if (!row || row.usage_count >= row.usage_limit!) return false;
          return tx.tokens.countUse(id, NOW);
        }),
      ),
    );
    assert.equal(results.filter(Boolean).length, 5);
    assert.equal((await store.tokens.byId(id))?.usage_count, 5);
  });

  it('the check constraint forbids a count above the limit', async ({ store }) => {
    const user = await makeUser(store);
    const id = await makeToken(store, { issuer: user, usageLimit: 1 });
    const row = (await store.tokens.byId(id))!;
    await assert.rejects(
      store.tokens.insert({ ...row, id: newId(), usage_count: 2 }),
      (err) => violatedConstraint(err) !== undefined,
    );
  });

  it('revoke sets revoked; false for an unknown id', async ({ store }) => {
    const user = await makeUser(store);
    const id = await makeToken(store, { issuer: user });
    assert.equal(await store.tokens.setRevoked(id, true), true);
    assert.equal((await store.tokens.byId(id))?.revoked, 1);
    assert.equal(await store.tokens.setRevoked(newId(), true), false);
    assert.equal(await store.tokens.setRevoked(id, false), true);
    assert.equal((await store.tokens.byId(id))?.revoked, 0);
  });

  it('insertAccess records an access token with no target and no use limit', async ({ store }) => {
    const user = await makeUser(store);
    const id = newId();
    await store.tokens.insertAccess(id, { type: 'user', id: user }, 1000, 2000);
    const row = await store.tokens.byId(id);
    assert.deepEqual(
      [row?.kind, row?.type, row?.issuer_type, row?.issuer_id, row?.target_type, row?.usage_limit, row?.usage_count, row?.expires_at, row?.created_at, row?.revoked],
      ['access', 'access', 'user', user, null, null, 0, 2000, 1000, 0],
    );
  });

  it('ofIssuer lists exactly the issuer\'s tokens, oldest first; delete removes one', async ({ store }) => {
    const alice = await makeUser(store);
    const bob = await makeUser(store);
    const first = await makeToken(store, { issuer: alice });
    const second = await makeToken(store, { issuer: alice });
    await makeToken(store, { issuer: bob });
    assert.deepEqual((await store.tokens.ofIssuer('user', alice)).map((t) => t.id).sort(), [first, second].sort());
    assert.equal(await store.tokens.delete(first), true);
    assert.equal(await store.tokens.delete(first), false);
    assert.deepEqual((await store.tokens.ofIssuer('user', alice)).map((t) => t.id), [second]);
  });

  it('deleteByTarget and deleteByIssuer remove exactly their tokens', async ({ store }) => {
    const alice = await makeUser(store);
    const bob = await makeUser(store);
    const space = await makeSpace(store);
    const other = await makeSpace(store);
    const t1 = await makeToken(store, { issuer: alice, target: space });
    const t2 = await makeToken(store, { issuer: alice, target: other });
    const t3 = await makeToken(store, { issuer: bob, target: other });
    await store.tokens.deleteByTarget('space', space);
    assert.equal(await store.tokens.byId(t1), undefined);
    assert.ok(await store.tokens.byId(t2));
    await store.tokens.deleteByIssuer('user', alice);
    assert.equal(await store.tokens.byId(t2), undefined);
    assert.ok(await store.tokens.byId(t3));
  });
});
