import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneClient, OnezoneError } from '../../src/client/index.js';
import { startZone } from '../helpers/zone.js';

/** The SDK's `fetch` transport (what the web UI uses) answers as its undici one does. */
describe('SDK over fetch', async () => {
  const z = await startZone();
  let calls = 0;
  const counted: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const viaFetch = (credentials: ConstructorParameters<typeof OnezoneClient>[0]['credentials']) =>
    new OnezoneClient({ baseUrl: z.baseUrl, credentials, fetch: counted });

  it('Basic credentials with non-ASCII text, Location ids, bodies and errors', async () => {
    const login = `zoe-${process.pid}`;
    const password = 'pässwörd-with-ünïcode-✓';
    await z.admin.users.create({ login, password, name: 'Zoë' });
    const basic = viaFetch({ basic: { login, password } });
    const token = await basic.user.clientToken();
    assert.ok(calls > 0, 'the given fetch sent the request');

    const api = viaFetch({ token });
    const spaceId = await api.user.createSpace('fetched');
    assert.equal((await api.user.space(spaceId)).name, 'fetched');
    // The same answer through the undici transport.
    assert.deepEqual(await z.client({ token }).user.spaces(), await api.user.spaces());

    const refused = viaFetch({ basic: { login, password: 'wrong' } });
    await assert.rejects(refused.user.get(), (err: unknown) => {
      assert.ok(err instanceof OnezoneError);
      assert.equal(err.status, 401);
      assert.equal(err.description, 'Provided credentials are not valid.');
      return true;
    });
    const raw = await api.http.raw('GET', '/user');
    assert.equal(raw.status, 200);
    assert.match(String(raw.headers['content-type']), /^application\/json/);
  });
});
