import assert from 'node:assert/strict';
import { violatedConstraint } from '../../src/store/dialect.js';
import { forEachDialect } from '../helpers/db.js';
import { idsForOrdering, makeGroup, makeUser, newId } from './fixtures.js';

forEachDialect('store.groups', (it) => {
  it('insert, byId, exists, update, delete', async ({ store }) => {
    const id = await makeGroup(store);
    assert.deepEqual(await store.groups.byId(id), { id, name: 'group', type: 'role', created_at: 1_700_000_000 });
    assert.equal(await store.groups.exists(id), true);
    assert.equal(await store.groups.update(id, { name: 'n', type: 'team' }), true);
    assert.deepEqual(await store.groups.byId(id), { id, name: 'n', type: 'team', created_at: 1_700_000_000 });
    assert.equal(await store.groups.update(newId(), { name: 'x' }), false);
    assert.equal(await store.groups.delete(id), true);
    assert.equal(await store.groups.delete(id), false);
    assert.equal(await store.groups.exists(id), false);
  });

  it('effectivePrivileges is the OR over paths of the AND along each path, on random graphs', async ({ store }) => {
    // A seeded generator: the same graphs on every run and both databases.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const mask = () => random(2 ** 13) & random(2 ** 13);
    for (let round = 0; round < 12; round++) {
      const user = await makeUser(store);
      const groups = await Promise.all(Array.from({ length: 8 }, () => makeGroup(store)));
      const direct = new Map<number, number>();
      const edges: [child: number, parent: number, mask: number][] = [];
      for (let i = 0; i < groups.length; i++) {
        if (random(3) === 0) {
          direct.set(i, mask());
          await store.groups.addUser(groups[i]!, user, direct.get(i)!);
        }
        // Edges only towards higher indexes: no cycles.
        for (let j = i + 1; j < groups.length; j++) {
          if (random(3) !== 0) continue;
          edges.push([i, j, mask()]);
          await store.groups.addNested(groups[j]!, groups[i]!, edges.at(-1)![2]);
        }
      }
      // The reference, group by group in index order: direct ∪ over children (effective ∩ edge).
      const expected: (number | undefined)[] = [];
      for (let j = 0; j < groups.length; j++) {
        let value = direct.get(j);
        for (const [child, parent, m] of edges) {
          if (parent === j && expected[child] !== undefined) value = (value ?? 0) | (expected[child]! & m);
        }
        expected.push(value);
      }
      for (let j = 0; j < groups.length; j++) assert.equal(await store.groups.effectivePrivileges(groups[j]!, user), expected[j], `round ${round}, group ${j}`);
    }
  });

  it('effectivePrivileges through layers that each drop a different privilege on one of two paths: every privilege', async ({ store }) => {
    // Each layer reaches the next through two parents, one passing every privilege and one all but
    // bit i: 2^13 distinct masks arrive at the top, whose OR is every privilege.
    const all = 2 ** 13 - 1;
    const user = await makeUser(store);
    let below = await makeGroup(store);
    await store.groups.addUser(below, user, all);
    for (let i = 0; i < 13; i++) {
      const [full, partial, next] = [await makeGroup(store), await makeGroup(store), await makeGroup(store)];
      await store.groups.addNested(full, below, all);
      await store.groups.addNested(partial, below, all & ~(1 << i));
      await store.groups.addNested(next, full, all);
      await store.groups.addNested(next, partial, all);
      below = next;
    }
    const top = await makeGroup(store);
    await store.groups.addNested(top, below, 1 | 4);
    assert.equal(await store.groups.effectivePrivileges(below, user), all);
    assert.equal(await store.groups.effectivePrivileges(top, user), 1 | 4);
    const stranger = await makeUser(store);
    assert.equal(await store.groups.effectivePrivileges(top, stranger), undefined);
    const powerless = await makeUser(store);
    await store.groups.addUser(below, powerless, 0);
    assert.equal(await store.groups.effectivePrivileges(top, powerless), 0, 'a member without privileges is still a member');
  });

  it('a duplicate id violates groups_pkey', async ({ store }) => {
    const id = await makeGroup(store);
    await assert.rejects(makeGroup(store, id), (err) => violatedConstraint(err) === 'groups_pkey');
  });

  it('users: add once, privileges, set, remove, users and ofUser sorted in byte order', async ({ store }) => {
    const group = await makeGroup(store);
    const { shuffled, sorted } = idsForOrdering();
    for (const u of shuffled) {
      await makeUser(store, u);
      assert.equal(await store.groups.addUser(group, u, 2), true);
    }
    assert.equal(await store.groups.addUser(group, sorted[0]!, 9), false);
    assert.deepEqual(await store.groups.users(group), sorted);
    assert.equal(await store.groups.userPrivileges(group, sorted[0]!), 2);
    assert.equal(await store.groups.setUserPrivileges(group, sorted[0]!, 4), true);
    assert.equal(await store.groups.userPrivileges(group, sorted[0]!), 4);
    assert.equal(await store.groups.setUserPrivileges(group, newId(), 4), false);
    assert.equal(await store.groups.removeUser(group, sorted[0]!), true);
    assert.equal(await store.groups.removeUser(group, sorted[0]!), false);
    assert.equal(await store.groups.userPrivileges(group, sorted[0]!), undefined);

    const user = await makeUser(store);
    const groups = idsForOrdering();
    for (const g of groups.shuffled) {
      await makeGroup(store, g);
      await store.groups.addUser(g, user, 0);
    }
    assert.deepEqual(await store.groups.ofUser(user), groups.sorted);
  });

  it('nesting: add once, privileges, set, remove, nested and parents sorted', async ({ store }) => {
    const parent = await makeGroup(store);
    const { shuffled, sorted } = idsForOrdering();
    for (const c of shuffled) {
      await makeGroup(store, c);
      assert.equal(await store.groups.addNested(parent, c, 1), true);
    }
    assert.equal(await store.groups.addNested(parent, sorted[0]!, 3), false);
    assert.deepEqual(await store.groups.nested(parent), sorted);
    assert.deepEqual(await store.groups.parents(sorted[0]!), [parent]);
    assert.equal(await store.groups.nestedPrivileges(parent, sorted[0]!), 1);
    assert.equal(await store.groups.setNestedPrivileges(parent, sorted[0]!, 6), true);
    assert.equal(await store.groups.nestedPrivileges(parent, sorted[0]!), 6);
    assert.equal(await store.groups.setNestedPrivileges(parent, newId(), 6), false);
    assert.equal(await store.groups.removeNested(parent, sorted[0]!), true);
    assert.equal(await store.groups.removeNested(parent, sorted[0]!), false);
    assert.equal(await store.groups.nestedPrivileges(parent, sorted[0]!), undefined);
  });

  it('effective users, membership, privileges and ancestry over a three-level graph', async ({ store }) => {
    // top <- mid <- leaf; a diamond: top <- side <- leaf.
    const [top, mid, side, leaf] = [await makeGroup(store), await makeGroup(store), await makeGroup(store), await makeGroup(store)];
    await store.groups.addNested(top, mid, 0b0110);
    await store.groups.addNested(top, side, 0b1001);
    await store.groups.addNested(mid, leaf, 0b1111);
    await store.groups.addNested(side, leaf, 0b1111);
    const deep = await makeUser(store);
    const direct = await makeUser(store);
    await store.groups.addUser(leaf, deep, 0b0011);
    await store.groups.addUser(top, direct, 0b10000);

    assert.deepEqual(await store.groups.effectiveUsers(top), [deep, direct].sort());
    assert.deepEqual(await store.groups.effectiveUsers(leaf), [deep]);
    assert.equal(await store.groups.hasEffectiveUser(top, deep), true);
    assert.equal(await store.groups.hasEffectiveUser(leaf, direct), false);
    // Through mid: 0011 & 1111 & 0110 = 0010; through side: 0011 & 1111 & 1001 = 0001.
    assert.equal(await store.groups.effectivePrivileges(top, deep), 0b0011);
    assert.equal(await store.groups.effectivePrivileges(top, direct), 0b10000);
    assert.equal(await store.groups.effectivePrivileges(leaf, direct), undefined);
    assert.deepEqual(await store.groups.effectiveOfUser(deep), [top, mid, side, leaf].sort());
    assert.equal(await store.groups.isWithin(leaf, top), true);
    assert.equal(await store.groups.isWithin(top, top), true);
    assert.equal(await store.groups.isWithin(top, leaf), false);

    const member = await store.groups.member(top, deep, true);
    assert.equal(member?.id, deep);
    assert.equal(await store.groups.member(top, deep, false), undefined);
    assert.equal((await store.groups.member(top, direct, false))?.id, direct);
  });

  it('lockGraph works inside a transaction and serializes concurrent edge checks', async ({ store }) => {
    const a = await makeGroup(store);
    const b = await makeGroup(store);
    // Two transactions each check "would this edge close a cycle?" then add it; only one may win.
    const attempt = (parent: string, child: string) =>
      store.transaction(async (tx) => {
        await tx.groups.lockGraph();
        if (await tx.groups.isWithin(parent, child)) return false;
        return tx.groups.addNested(parent, child, 0);
      });
    const results = await Promise.all([attempt(a, b), attempt(b, a)]);
    assert.deepEqual(results.filter(Boolean).length, 1, 'a cycle was never created');
  });

  it('deleting a group cascades users, nesting in both directions', async ({ store }) => {
    const parent = await makeGroup(store);
    const group = await makeGroup(store);
    const child = await makeGroup(store);
    const user = await makeUser(store);
    await store.groups.addNested(parent, group, 0);
    await store.groups.addNested(group, child, 0);
    await store.groups.addUser(group, user, 0);
    await store.groups.delete(group);
    assert.deepEqual(await store.groups.nested(parent), []);
    assert.deepEqual(await store.groups.parents(child), []);
    assert.deepEqual(await store.groups.ofUser(user), []);
  });
});
