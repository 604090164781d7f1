import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/db.js';
import { makeGroup, makeUser } from './fixtures.js';

forEachDialect('store.onezone', (it) => {
  it('get is 0 when unset; set inserts then overwrites; remove clears', async ({ store }) => {
    const user = await makeUser(store);
    assert.equal(await store.onezone.get('user', user), 0);
    await store.onezone.set('user', user, 0b101);
    assert.equal(await store.onezone.get('user', user), 0b101);
    await store.onezone.set('user', user, 0b010);
    assert.equal(await store.onezone.get('user', user), 0b010);
    await store.onezone.remove('user', user);
    assert.equal(await store.onezone.get('user', user), 0);
  });

  it('effectiveOfUser ORs the user with every ancestor group', async ({ store }) => {
    const user = await makeUser(store);
    const parent = await makeGroup(store);
    const child = await makeGroup(store);
    await store.groups.addUser(child, user, 0);
    await store.groups.addNested(parent, child, 0);
    await store.onezone.set('user', user, 0b0001);
    await store.onezone.set('group', child, 0b0010);
    await store.onezone.set('group', parent, 0b1000);
    assert.equal(await store.onezone.effectiveOfUser(user), 0b1011);
    await store.groups.removeUser(child, user);
    assert.equal(await store.onezone.effectiveOfUser(user), 0b0001);
  });

  it('large masks survive (all 31 bits)', async ({ store }) => {
    const group = await makeGroup(store);
    await store.onezone.set('group', group, 0x7fffffff);
    assert.equal(await store.onezone.get('group', group), 0x7fffffff);
  });
});
