import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from 'node:net';
import { request } from 'undici';
import { loggedUrl } from '../../src/http/logging.js';
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

  it('never contain a token sent in the path, in an absolute-form target or in a URL-valued header', async () => {
    const before = z.logs().length;
    const send = (path: string, headers: Record<string, string> = {}) =>
      request(`${z.baseUrl}${path}`, { headers: { ...headers, macaroon: bob.token } }).then((r) => r.body.text());
    // A client that put the token where the id goes, or appended it to the route.
    await send(`/spaces/${invite}`);
    await send(`/user/spaces/join/${encodeURIComponent(invite)}`);
    await send(`/spaces/${sid}`, {
      referer: `https://zone.example/ui/#/join?token=${invite}`,
      'x-original-uri': `/user/spaces/join/${invite}`,
      'x-csrf': bob.password,
      'x-jwt': bob.password,
    });
    // An absolute-form request target (a proxy's form) with the password in its user info.
    await new Promise<void>((resolve, reject) => {
      const { hostname, port } = new URL(z.baseUrl);
      const socket = connect(Number(port), hostname, () => {
        socket.end(`GET http://${bob.login}:${bob.password}@${hostname}:${port}/api/v3/onezone/user?token=${invite} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
      });
      socket.on('data', () => {});
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });

    const logs = z.logs().slice(before);
    assert.match(logs, /"status":404/, 'the mistyped routes were logged');
    assert.ok(logs.includes(`/spaces/${sid}`), 'an id in the path is logged as it is');
    assert.match(logs, /\/spaces\/\[redacted\]/, 'the token in its place is not');
    for (const secret of [invite, bob.token, bob.password, encodeURIComponent(invite)]) {
      assert.ok(!logs.includes(secret), 'a secret reached the log');
    }
    assert.ok(!logs.includes(invite.slice(0, 64)) && !logs.includes(invite.slice(100, 164)), 'nor a fragment of the invite');
  });

  it('keep route words, ids and file names of a URL, and nothing else of it', () => {
    assert.equal(loggedUrl('/api/v3/onezone/spaces/AbC_-09/users?token=x#y'), '/api/v3/onezone/spaces/AbC_-09/users');
    assert.equal(loggedUrl('http://u:p@zone:8443/ui/assets/app-1.js'), '/ui/assets/app-1.js');
    assert.equal(loggedUrl('https://u:p@zone'), '/');
    assert.equal(loggedUrl(`/spaces/${'a'.repeat(65)}`), '/spaces/[redacted]');
    assert.equal(loggedUrl('/spaces/a%2Fb/x y'), '/spaces/[redacted]/[redacted]');
    assert.equal(loggedUrl('/spaces//users/'), '/spaces//users/');
  });
});
