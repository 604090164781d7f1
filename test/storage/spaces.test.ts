import assert from 'node:assert/strict';
import { violatedConstraint } from '../../src/store/dialect.js';
import { forEachDialect } from '../helpers/db.js';
import { idsForOrdering, makeGroup, makeSpace, makeUser, newId } from './fixtures.js';

forEachDialect('store.spaces', (it) => {
  it('insert, byId, exists, rename, delete', async ({ store }) => {
    const id = await makeSpace(store);
    assert.deepEqual(await store.spaces.byId(id), { id, name: 'space', created_at: 1_700_000_000 });
    assert.equal(await store.spaces.exists(id), true);
    assert.equal(await store.spaces.rename(id, 'renamed'), true);
    assert.equal((await store.spaces.byId(id))?.name, 'renamed');
    assert.equal(await store.spaces.rename(newId(), 'x'), false);
    assert.equal(await store.spaces.delete(id), true);
    assert.equal(await store.spaces.delete(id), false);
    assert.equal(await store.spaces.exists(id), false);
    assert.equal(await store.spaces.byId(id), undefined);
  });

  it('a duplicate id violates spaces_pkey', async ({ store }) => {
    const id = await makeSpace(store);
    await assert.rejects(makeSpace(store, id), (err) => violatedConstraint(err) === 'spaces_pkey');
  });

  it('direct users: add once, privileges, set, remove, sorted by id in byte order', async ({ store }) => {
    const space = await makeSpace(store);
    const { shuffled, sorted } = idsForOrdering();
    for (const u of shuffled) await makeUser(store, u);
    for (const u of shuffled) assert.equal(await store.spaces.addUser(space, u, 1), true);
    assert.equal(await store.spaces.addUser(space, shuffled[0]!, 7), false, 'already a member');
    assert.equal(await store.spaces.userPrivileges(space, shuffled[0]!), 1, 'unchanged by the second add');
    assert.deepEqual(await store.spaces.users(space), sorted);
    assert.equal(await store.spaces.setUserPrivileges(space, sorted[0]!, 6), true);
    assert.equal(await store.spaces.userPrivileges(space, sorted[0]!), 6);
    assert.equal(await store.spaces.setUserPrivileges(space, newId(), 6), false);
    assert.equal(await store.spaces.removeUser(space, sorted[0]!), true);
    assert.equal(await store.spaces.removeUser(space, sorted[0]!), false);
    assert.equal(await store.spaces.userPrivileges(space, sorted[0]!), undefined);
  });

  it('a membership of a missing user or space is a foreign-key violation', async ({ store }) => {
    const space = await makeSpace(store);
    const user = await makeUser(store);
    await assert.rejects(store.spaces.addUser(space, newId(), 1), (err) => violatedConstraint(err) !== undefined);
    await assert.rejects(store.spaces.addUser(newId(), user, 1), (err) => violatedConstraint(err) !== undefined);
  });

  it('list returns every space sorted in byte order', async ({ store }) => {
    const { shuffled, sorted } = idsForOrdering();
    for (const s of shuffled) await makeSpace(store, s);
    const all = await store.spaces.list();
    assert.deepEqual(
      all.filter((s) => sorted.includes(s)),
      sorted,
    );
    assert.deepEqual(all, [...all].sort());
  });

  it('groups: add once, privileges, set, remove, groups and ofGroup sorted', async ({ store }) => {
    const { shuffled, sorted } = idsForOrdering();
    const group = await makeGroup(store);
    for (const s of shuffled) {
      await makeSpace(store, s);
      assert.equal(await store.spaces.addGroup(s, group, 3), true);
    }
    assert.equal(await store.spaces.addGroup(sorted[0]!, group, 1), false);
    assert.deepEqual(await store.spaces.ofGroup(group), sorted);
    assert.deepEqual(await store.spaces.groups(sorted[0]!), [group]);
    assert.equal(await store.spaces.groupPrivileges(sorted[0]!, group), 3);
    assert.equal(await store.spaces.setGroupPrivileges(sorted[0]!, group, 5), true);
    assert.equal(await store.spaces.groupPrivileges(sorted[0]!, group), 5);
    assert.equal(await store.spaces.setGroupPrivileges(sorted[0]!, newId(), 5), false);
    assert.equal(await store.spaces.removeGroup(sorted[0]!, group), true);
    assert.equal(await store.spaces.removeGroup(sorted[0]!, group), false);
    assert.equal(await store.spaces.groupPrivileges(sorted[0]!, group), undefined);
  });

  it('effective users and privileges through nested groups; ofUser sorted', async ({ store }) => {
    const space = await makeSpace(store);
    const direct = await makeUser(store);
    const deep = await makeUser(store);
    const outsider = await makeUser(store);
    const parent = await makeGroup(store);
    const child = await makeGroup(store);
    await store.spaces.addUser(space, direct, 0b001);
    await store.spaces.addGroup(space, parent, 0b010);
    await store.groups.addNested(parent, child, 0);
    await store.groups.addUser(child, deep, 0);
    await store.groups.addUser(parent, direct, 0);
    assert.deepEqual(await store.spaces.effectiveUsers(space), [direct, deep].sort());
    assert.equal(await store.spaces.effectivePrivileges(space, direct), 0b011);
    assert.equal(await store.spaces.effectivePrivileges(space, deep), 0b010);
    assert.equal(await store.spaces.effectivePrivileges(space, outsider), undefined);
    const other = await makeSpace(store);
    await store.spaces.addGroup(other, child, 0);
    assert.deepEqual(await store.spaces.ofUser(deep), [space, other].sort());
    assert.deepEqual(await store.spaces.ofUser(outsider), []);
    await store.groups.removeNested(parent, child);
    assert.equal(await store.spaces.effectivePrivileges(space, deep), undefined, 'exact right after the write');
  });

  it('deleting a space cascades its user and group memberships', async ({ store }) => {
    const space = await makeSpace(store);
    const user = await makeUser(store);
    const group = await makeGroup(store);
    await store.spaces.addUser(space, user, 1);
    await store.spaces.addGroup(space, group, 1);
    await store.spaces.delete(space);
    assert.deepEqual(await store.spaces.ofUser(user), []);
    assert.deepEqual(await store.spaces.ofGroup(group), []);
  });
});
