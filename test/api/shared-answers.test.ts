// Answers made once per cached database answer and kept as bytes (src/http/shared-json.ts): the
// same body and headers whether made or reused, and a fresh one after any change. The zone runs
// on the test database (on PostgreSQL nothing is shared, and the answers must be the same).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startZone } from '../helpers/zone.js';

describe('answers shared until the next commit: GET /user and GET /user/spaces', async () => {
  const z = await startZone();

  it('GET /user: a repeated answer is the same JSON with the same headers, and a change shows at once', async () => {
    const alice = await z.user('alice');
    const session = z.client({ token: await alice.api.user.clientToken() });
    const first = await session.http.raw('GET', '/user');
    const again = await session.http.raw('GET', '/user');
    assert.equal(first.status, 200);
    assert.deepEqual(again.body, first.body);
    for (const answer of [first, again]) {
      assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(answer.headers['content-length'], String(Buffer.byteLength(JSON.stringify(answer.body))));
    }
    assert.deepEqual(Object.keys(first.body as object).sort(), ['alias', 'connectedAccounts', 'emailList', 'login', 'name', 'userId']);

    await session.user.modify({ name: 'Alice Renamed', emailList: ['alice@example.org'] });
    const changed = (await session.user.get()) as { name: string; emailList: string[] };
    assert.equal(changed.name, 'Alice Renamed');
    assert.deepEqual(changed.emailList, ['alice@example.org']);
    assert.equal((await session.user.get()).name, 'Alice Renamed', 'and again, from the shared answer');
  });

  it('two users never get each other\'s answer', async () => {
    const [bob, carol] = await Promise.all([z.user('bob'), z.user('carol')]);
    for (let i = 0; i < 3; i++) {
      assert.equal((await bob.api.user.get()).userId, bob.id);
      assert.equal((await carol.api.user.get()).userId, carol.id);
    }
  });

  it('GET /user/spaces: the list and the default follow every change, whatever was answered before', async () => {
    const dave = await z.user('dave');
    const session = z.client({ token: await dave.api.user.clientToken() });
    assert.deepEqual(await session.user.spaces(), { spaces: [], default: 'undefined' });

    const a = await session.user.createSpace('a');
    const b = await session.user.createSpace('b');
    const both = [a, b].sort();
    // Asked twice: the second answer is the shared one.
    for (let i = 0; i < 2; i++) assert.deepEqual(await session.user.spaces(), { spaces: both, default: 'undefined' });
    const raw = await session.http.raw('GET', '/user/spaces');
    assert.equal(raw.headers['content-type'], 'application/json; charset=utf-8');

    // The same list with another default is another body.
    await session.user.setDefaultSpace(a);
    for (let i = 0; i < 2; i++) assert.deepEqual(await session.user.spaces(), { spaces: both, default: a });
    await session.user.setDefaultSpace(b);
    for (let i = 0; i < 2; i++) assert.deepEqual(await session.user.spaces(), { spaces: both, default: b });

    // Leaving the default space: gone from the list, and no default any more.
    await session.user.leaveSpace(b);
    for (let i = 0; i < 2; i++) assert.deepEqual(await session.user.spaces(), { spaces: [a], default: 'undefined' });
  });
});
