import assert from 'node:assert/strict';
import { violatedConstraint } from '../../src/store/dialect.js';
import type { Store } from '../../src/store/index.js';
import { forEachDialect } from '../helpers/db.js';
import { idsForOrdering, makeSpace, makeUser, newId } from './fixtures.js';

async function makeProvider(store: Store, id = newId()): Promise<string> {
  await store.providers.insert({
    id,
    name: 'p',
    urls: '["10.0.0.1"]',
    redirection_point: 'https://p.example',
    latitude: 50.0617,
    longitude: -19.9373,
    cert_serial: 'abc',
    cert_fingerprint: `fp-${id}`,
    created_at: 1_700_000_000,
  });
  return id;
}

forEachDialect('store.providers', (it) => {
  it('insert, byId (floats and nulls round-trip), certFingerprint, update, delete', async ({ store }) => {
    const id = await makeProvider(store);
    const row = await store.providers.byId(id);
    assert.equal(row?.latitude, 50.0617);
    assert.equal(row?.longitude, -19.9373);
    assert.equal(await store.providers.certFingerprint(id), `fp-${id}`);
    assert.equal(await store.providers.certFingerprint(newId()), undefined);
    assert.equal(await store.providers.update(id, { name: 'q', latitude: null }), true);
    assert.equal((await store.providers.byId(id))?.latitude, null);
    assert.equal(await store.providers.update(newId(), { name: 'x' }), false);
    assert.equal(await store.providers.delete(id), true);
    assert.equal(await store.providers.delete(id), false);
    assert.equal(await store.providers.byId(id), undefined);
  });

  it('a duplicate id is a constraint violation; list is sorted in byte order', async ({ store }) => {
    const id = await makeProvider(store);
    await assert.rejects(makeProvider(store, id), (err) => violatedConstraint(err) !== undefined);
    const { shuffled, sorted } = idsForOrdering();
    for (const p of shuffled) await makeProvider(store, p);
    const all = await store.providers.list();
    assert.deepEqual(all.filter((p) => sorted.includes(p)), sorted);
  });

  it('supports: add once, sizes beyond 2^32, listings sorted, remove, cascade with the space', async ({ store }) => {
    const provider = await makeProvider(store);
    const { shuffled, sorted } = idsForOrdering();
    for (const s of shuffled) {
      await makeSpace(store, s);
      assert.equal(await store.providers.addSupport(s, provider, 5_000_000_000, 1), true);
    }
    assert.equal(await store.providers.addSupport(sorted[0]!, provider, 1, 1), false);
    assert.deepEqual(await store.providers.supportsOf(sorted[0]!), { [provider]: 5_000_000_000 });
    assert.equal(await store.providers.supports(sorted[0]!, provider), true);
    assert.deepEqual(await store.providers.spacesOf(provider), sorted);
    assert.deepEqual(await store.providers.providersOf(sorted[0]!), [provider]);
    assert.equal(await store.providers.removeSupport(sorted[0]!, provider), true);
    assert.equal(await store.providers.removeSupport(sorted[0]!, provider), false);
    assert.equal(await store.providers.supports(sorted[0]!, provider), false);
    await store.spaces.delete(sorted[1]!);
    assert.deepEqual(await store.providers.spacesOf(provider), sorted.slice(2));
    await store.providers.delete(provider);
    assert.deepEqual(await store.providers.providersOf(sorted[2]!), []);
  });

  it('tokenSubject joins the provider; login caveats round-trip and cascade', async ({ store }) => {
    const provider = await makeProvider(store);
    const tokenId = newId();
    await store.tokens.insert({
      id: tokenId,
      kind: 'access',
      type: 'access',
      issuer_type: 'provider',
      issuer_id: provider,
      target_type: null,
      target_id: null,
      privileges: null,
      usage_limit: null,
      expires_at: null,
      created_at: 1,
    });
    const subject = await store.providers.tokenSubject(tokenId);
    assert.equal(subject?.providerId, provider);
    assert.equal(subject?.expires_at, null);
    assert.equal(await store.providers.tokenSubject(newId()), undefined);

    const user = await makeUser(store);
    const caveat = { id: newId(), user_id: user, provider_id: provider, expires_at: 4_000_000_000, created_at: 1 };
    await store.providers.insertLoginCaveat(caveat);
    assert.deepEqual(await store.providers.loginCaveat(caveat.id), caveat);
    await store.users.delete(user);
    assert.equal(await store.providers.loginCaveat(caveat.id), undefined);
  });
});
