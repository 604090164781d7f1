import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import type { NewAuditEvent } from '../../src/store/audit.js';
import { forEachDialect } from '../helpers/db.js';
import { makeSpace, newId } from './fixtures.js';

const event = (targetId: string, over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
  at: 1_700_000_000,
  actor_type: 'user',
  actor_id: 'actor',
  action: 'space.create',
  target_type: 'space',
  target_id: targetId,
  ...over,
});

const ofTarget = (store: Store, id: string) => store.audit.list({ limit: 1000, targetType: 'space', targetId: id });

forEachDialect('store.audit', (it) => {
  it('records events with increasing ids and reads them back in id order, nulls as null', async ({ store }) => {
    const target = newId();
    await store.audit.record(event(target));
    await store.audit.record(event(target, { action: 'space.user.join', subject_type: 'user', subject_id: 'u1', details: '{"tokenId":"t"}' }));
    await store.audit.record(event(target, { actor_type: 'zone', actor_id: null, action: 'space.delete', at: 1_800_000_000_123 }));
    const rows = await ofTarget(store, target);
    assert.deepEqual(
      rows.map(({ id: _, ...rest }) => rest),
      [
        { ...event(target), subject_type: null, subject_id: null, details: null },
        { ...event(target), action: 'space.user.join', subject_type: 'user', subject_id: 'u1', details: '{"tokenId":"t"}' },
        { ...event(target), actor_type: 'zone', actor_id: null, action: 'space.delete', at: 1_800_000_000_123, subject_type: null, subject_id: null, details: null },
      ],
    );
    assert.ok(rows.every((r) => typeof r.id === 'number'));
    assert.ok(rows[0]!.id < rows[1]!.id && rows[1]!.id < rows[2]!.id);
  });

  it('pages by after and limit, and filters by target and actor', async ({ store }) => {
    const [a, b] = [newId(), newId()];
    for (let i = 0; i < 5; i++) {
      await store.audit.record(event(a, { actor_id: `actor-${i % 2}` }));
      await store.audit.record(event(b));
    }
    const all = await ofTarget(store, a);
    assert.equal(all.length, 5);
    const first = await store.audit.list({ limit: 2, targetType: 'space', targetId: a });
    const rest = await store.audit.list({ after: first[1]!.id, limit: 10, targetType: 'space', targetId: a });
    assert.deepEqual([...first, ...rest], all);
    const byActor = await store.audit.list({ limit: 10, targetId: a, actorId: 'actor-1' });
    assert.deepEqual(byActor.map((r) => r.id), [all[1]!.id, all[3]!.id]);
    const everything = await store.audit.list({ limit: 1000 });
    assert.deepEqual(everything.map((r) => r.id), [...everything.map((r) => r.id)].sort((x, y) => x - y));
  });

  it('a rolled-back transaction leaves no event; a committed one leaves its event with its change', async ({ store }) => {
    const target = newId();
    await assert.rejects(
      store.transaction(async (tx) => {
        await makeSpace(tx, target);
        await tx.audit.record(event(target));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await ofTarget(store, target), []);
    assert.equal(await store.spaces.exists(target), false);

    await store.transaction(async (tx) => {
      await makeSpace(tx, target);
      await tx.audit.record(event(target));
    });
    assert.equal((await ofTarget(store, target)).length, 1);
    assert.equal(await store.spaces.exists(target), true);
  });

  it('an event recorded before a failing statement goes with the transaction', async ({ store }) => {
    const target = await makeSpace(store);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.audit.record(event(target, { action: 'space.rename' }));
        await makeSpace(tx, target);
      }),
    );
    assert.deepEqual(await ofTarget(store, target), []);
  });
});
