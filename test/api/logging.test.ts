import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { startZone } from '../helpers/zone.js';

describe('logs', async () => {
  const z = await startZone({ logLevel: 'debug' });
  const bob = await z.user('bob');
  const sid = await bob.api.user.createSpace('s');
  const invite = await bob.api.spaces.userInviteToken(sid);
  const basic = Buffer.from(`${bob.login}:${bob.password}`).toString('base64');

  it('never contain credentials, tokens or passwords, though requests carry them everywhere', async () => {
    const send = (headers: Record<string, string>, body?: unknown) =>
      request(`${z.baseUrl}/user/spaces/join?token=${invite}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body ?? { token: invite, password: bob.password }),
      }).then((r) => r.body.text());
    await send({ macaroon: bob.token });
    await send({ 'x-auth-token': bob.token });
    await send({ authorization: `Bearer ${bob.token}` });
    await send({ authorization: `Basic ${basic}` });
    await send({ authorization: `Basic ${Buffer.from(`${bob.login}:wrong-${bob.password}`).toString('base64')}` });
    await send({ macaroon: `${bob.token}x` });
    await send({ cookie: `session=${bob.token}` }, { token: 42 });
    // Credentials a proxy or client may forward under other names.
    await send({ 'proxy-authorization': `Basic ${basic}` });
    await send({ 'x-forwarded-authorization': `Bearer ${bob.token}`, 'x-session-token': bob.token, 'x-api-key': bob.password });

    const logs = z.logs();
    assert.match(logs, /incoming request/, 'debug request lines were written');
    assert.match(logs, /\[redacted\]/, 'credential headers were censored');
    for (const secret of [bob.token, invite, bob.password, basic]) {
      assert.ok(!logs.includes(secret), 'a secret reached the log');
    }
    assert.ok(!logs.includes(bob.token.slice(20, 60)), 'no fragment of the token either');
  });
});
