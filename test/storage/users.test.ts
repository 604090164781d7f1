import assert from 'node:assert/strict';
import { isUnstorableText, violatedConstraint } from '../../src/store/dialect.js';
import { forEachDialect } from '../helpers/db.js';
import { idsForOrdering, makeSpace, makeUser, newId } from './fixtures.js';

forEachDialect('store.users', (it) => {
  it('insert, byId, byLogin, exists round-trip every column', async ({ store }) => {
    const id = newId();
    const row = {
      id,
      login: `login-${id.slice(0, 8)}`,
      name: 'Ünïcode ✓',
      password_hash: null,
      alias: 'al',
      email_list: '["a@b.c"]',
      default_space_id: null,
      created_at: 4_102_444_800,
    };
    await store.users.insert(row);
    assert.deepEqual(await store.users.byId(id), row);
    assert.deepEqual(await store.users.byLogin(row.login), row);
    assert.equal(await store.users.exists(id), true);
    assert.equal(await store.users.exists(newId()), false);
    assert.equal(await store.users.byId(newId()), undefined);
    assert.equal(await store.users.byLogin('no-such-login'), undefined);
  });

  it('clearDefault clears only the default it names; withDefault lists who has a space as default', async ({ store }) => {
    const [a, b, c] = [await makeUser(store), await makeUser(store), await makeUser(store)];
    const [s1, s2] = [await makeSpace(store), await makeSpace(store)];
    await store.users.update(a, { default_space_id: s1 });
    await store.users.update(b, { default_space_id: s1 });
    await store.users.update(c, { default_space_id: s2 });
    assert.deepEqual((await store.users.withDefault(s1)).sort(), [a, b].sort());
    // A default set meanwhile to another space stays.
    assert.equal(await store.users.clearDefault(c, s1), false);
    assert.equal((await store.users.byId(c))?.default_space_id, s2);
    assert.equal(await store.users.clearDefault(a, s1), true);
    assert.equal((await store.users.byId(a))?.default_space_id, null);
    assert.deepEqual(await store.users.withDefault(s1), [b]);
  });

  it('update changes only the given columns; false for an unknown id', async ({ store }) => {
    const id = await makeUser(store);
    const space = await makeSpace(store);
    assert.equal(await store.users.update(id, { name: 'N', default_space_id: space }), true);
    const row = await store.users.byId(id);
    assert.equal(row?.name, 'N');
    assert.equal(row?.default_space_id, space);
    assert.equal(row?.alias, '');
    assert.equal(await store.users.update(newId(), { name: 'x' }), false);
  });

  it('delete removes the row and cascades memberships; false the second time', async ({ store }) => {
    const id = await makeUser(store);
    const space = await makeSpace(store);
    await store.spaces.addUser(space, id, 1);
    assert.equal(await store.users.delete(id), true);
    assert.equal(await store.users.delete(id), false);
    assert.deepEqual(await store.spaces.users(space), []);
  });

  it('a duplicate login violates users_login_unique, a duplicate id users_pkey', async ({ store }) => {
    const id = await makeUser(store);
    const login = (await store.users.byId(id))!.login;
    await assert.rejects(makeUserWithLogin(store, newId(), login), (err) => violatedConstraint(err) === 'users_login_unique');
    await assert.rejects(makeUser(store, id), (err) => violatedConstraint(err) === 'users_pkey');
  });

  it('a default space that is deleted becomes null (on delete set null)', async ({ store }) => {
    const id = await makeUser(store);
    const space = await makeSpace(store);
    await store.users.update(id, { default_space_id: space });
    await store.spaces.delete(space);
    assert.equal((await store.users.byId(id))?.default_space_id, null);
  });

  it('a default space that does not exist is a foreign-key violation', async ({ store }) => {
    const id = await makeUser(store);
    await assert.rejects(store.users.update(id, { default_space_id: newId() }), (err) => violatedConstraint(err) !== undefined);
  });

  it('a NUL character: SQLite finds nothing, PostgreSQL refuses it as unstorable text', async ({ store, dialect }) => {
    const lookup = store.users.byId('a\u0000b');
    if (dialect === 'postgres') await assert.rejects(lookup, (err) => isUnstorableText(err));
    else assert.equal(await lookup, undefined);
  });

  it('logins compare by bytes: case matters', async ({ store }) => {
    const { sorted } = idsForOrdering();
    await makeUserWithLogin(store, newId(), `${sorted[0]}x`);
    assert.equal(await store.users.byLogin(`${sorted[0]}X`), undefined);
  });
});

function makeUserWithLogin(store: Parameters<typeof makeUser>[0], id: string, login: string) {
  return store.users.insert({
    id,
    login,
    name: 'n',
    password_hash: null,
    alias: '',
    email_list: '[]',
    default_space_id: null,
    created_at: 1,
  });
}
