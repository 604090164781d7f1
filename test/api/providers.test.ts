import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { opensslCsr, registerProvider, registration } from '../helpers/providers.js';
import { startZone } from '../helpers/zone.js';
import { fails as rejects } from '../helpers/assert.js';

describe('providers: registration and details', async () => {
  const z = await startZone();

  it('POST /provider signs the CSR with the zone CA: 200 {providerId, certificate}, subject names the provider', async () => {
    const { csrPem, keyPem } = await opensslCsr();
    const res = await request(`${z.baseUrl}/provider`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration(csrPem, 'krakow')),
    });
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { providerId: string; certificate: string };
    assert.deepEqual(Object.keys(body).sort(), ['certificate', 'providerId']);
    assert.match(body.providerId, /^[A-Za-z0-9_-]{43}$/);
    const cert = new X509Certificate(body.certificate);
    const ca = new X509Certificate(fs.readFileSync(path.join(z.dataDir, 'tls', 'zone-ca.crt')));
    assert.ok(cert.verify(ca.publicKey), 'signed by the zone CA');
    assert.equal(cert.subject, `CN=${body.providerId}\nO=onedata\nOU=Providers`);
    assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem)), "the CSR's key");
    assert.equal(fs.statSync(path.join(z.dataDir, 'tls', 'zone-ca.key')).mode & 0o777, 0o600);
  });

  it('latitude and longitude are optional', async () => {
    const { csrPem } = await opensslCsr();
    const { latitude: _la, longitude: _lo, ...req } = registration(csrPem);
    const { providerId } = await z.client().provider.register(req);
    const token = await z.zone.services.providers.mintToken({ kind: 'provider', providerId });
    const details = await z.client({ token }).provider.get();
    assert.deepEqual(details, { clientName: 'provider', providerId, urls: ['https://127.0.0.1:8443'], redirectionPoint: 'https://127.0.0.1:8443' });
  });

  describe('bad requests get a clear 400', () => {
    const post = async (body: unknown) => {
      const res = await request(`${z.baseUrl}/provider`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.statusCode, json: (await res.body.json()) as { error: string; error_description: string } };
    };

    it('not a PEM CSR', async () => {
      const res = await post(registration('hello'));
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_request');
      assert.match(res.json.error_description, /'csr'.*PEM/);
    });

    it('an RSA key below 2048 bits', async () => {
      const { csrPem } = await opensslCsr(['-newkey', 'rsa:1024']);
      const res = await post(registration(csrPem));
      assert.equal(res.status, 400);
      assert.match(res.json.error_description, /2048/);
    });

    it('a CSR whose signature does not verify', async () => {
      const { csrPem } = await opensslCsr();
      const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
      der.writeUInt8(der.readUInt8(der.length - 5) ^ 0x01, der.length - 5);
      const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
      const res = await post(registration(tampered));
      assert.equal(res.status, 400);
      assert.match(res.json.error_description, /'csr'/);
    });

    it('a certificate instead of a CSR', async () => {
      const p = await registerProvider(z);
      const res = await post(registration(p.certificate));
      assert.equal(res.status, 400);
      assert.match(res.json.error_description, /CERTIFICATE REQUEST/);
    });

    it('missing clientName, wrong types', async () => {
      const { csrPem } = await opensslCsr();
      const { clientName: _c, ...noName } = registration(csrPem);
      assert.equal((await post(noName)).json.error_description, "missing required key: 'clientName'");
      assert.equal((await post({ ...registration(csrPem), urls: 'https://x' })).status, 400);
      assert.equal((await post({ ...registration(csrPem), latitude: '50.1' })).status, 400);
      assert.equal((await post({ ...registration(csrPem), latitude: 91 })).status, 400);
    });
  });

  it('GET /provider, PATCH /provider (204), GET /provider/{pid}', async () => {
    const p = await registerProvider(z, 'before');
    assert.equal((await p.api.provider.get()).clientName, 'before');
    await p.api.provider.modify({ clientName: 'after', urls: ['https://10.0.0.1'], latitude: 1.5 });
    const details = await p.api.provider.get();
    assert.deepEqual(details, {
      clientName: 'after',
      providerId: p.id,
      urls: ['https://10.0.0.1'],
      redirectionPoint: 'https://127.0.0.1:8443',
      latitude: 1.5,
      longitude: 19.945,
    });
    const other = await registerProvider(z);
    assert.deepEqual(await other.api.providers.get(p.id), details, 'any provider may read another');
    assert.deepEqual(await z.admin.providers.get(p.id), details, 'a user with list_providers');
    const plain = await z.user();
    await rejects(plain.api.providers.get(p.id), 403, 'forbidden');
    await rejects(z.admin.providers.get('no-such-provider'), 404, 'not_found');
    // A missing entity is 404 before a missing privilege is 403, for everyone.
    await rejects(plain.api.providers.get('no-such-provider'), 404, 'not_found');
  });

  it('GET /providers: users with list_providers and providers; others 403', async () => {
    const p = await registerProvider(z);
    assert.ok((await z.admin.providers.list()).includes(p.id));
    assert.ok((await p.api.providers.list()).includes(p.id));
    await rejects((await z.user()).api.providers.list(), 403);
  });

  it('literal /provider/… routes win over /provider/{pid}', async () => {
    const p = await registerProvider(z);
    assert.deepEqual(await p.api.provider.spaces(), []);
    assert.equal(typeof (await p.api.provider.token()), 'string');
  });

  it('DELETE /provider: 202, then its tokens and supports are gone', async () => {
    const p = await registerProvider(z);
    const alice = await z.user('alice');
    const spaceId = await alice.api.user.createSpace('s');
    await p.api.provider.support(await alice.api.providers.supportToken(spaceId), 1024);
    const secondToken = await p.api.provider.token();
    const res = await p.api.http.raw('DELETE', '/provider');
    assert.equal(res.status, 202);
    await rejects(p.api.provider.get(), 401, 'invalid_token');
    await rejects(z.client({ token: secondToken }).provider.get(), 401);
    assert.deepEqual(await alice.api.providers.ofSpace(spaceId), []);
    await rejects(z.admin.providers.get(p.id), 404);
  });
});

describe('providers: who may call what', async () => {
  const z = await startZone();
  const p = await registerProvider(z);
  const alice = await z.user('alice');

  const providerOnly: [string, string, unknown?][] = [
    ['GET', '/provider'],
    ['PATCH', '/provider', { clientName: 'x' }],
    ['DELETE', '/provider'],
    ['GET', '/provider/token'],
    ['GET', '/provider/spaces'],
    ['POST', '/provider/spaces', { name: 'x', token: 'x', size: 1 }],
    ['POST', '/provider/spaces/support', { token: 'x', size: 1 }],
    ['GET', '/provider/spaces/some-space'],
    ['DELETE', '/provider/spaces/some-space'],
  ];
  const authenticated: [string, string, unknown?][] = [
    ...providerOnly,
    ['GET', '/providers'],
    ['GET', `/provider/${p.id}`],
    ['GET', '/spaces/some-space/providers'],
    ['GET', '/spaces/some-space/providers/token'],
    ['GET', `/spaces/some-space/providers/${p.id}`],
    ['DELETE', `/spaces/some-space/providers/${p.id}`],
    ['POST', '/user/provider_login_token', { providerId: p.id }],
  ];

  for (const [method, url, body] of authenticated) {
    it(`${method} ${url}: no credentials 401, bad token 401, forged-looking certificate-less garbage 401`, async () => {
      const none = await z.client().http.raw(method as 'GET', url, body);
      assert.equal(none.status, 401);
      assert.equal((none.body as { error: string }).error, 'unauthorized');
      const bad = await z.client({ token: 'not-a-token' }).http.raw(method as 'GET', url, body);
      assert.equal(bad.status, 401);
      assert.equal((bad.body as { error: string }).error, 'invalid_token');
    });
  }

  for (const [method, url, body] of providerOnly) {
    it(`${method} ${url}: a user gets 403`, async () => {
      const res = await alice.api.http.raw(method as 'GET', url, body);
      assert.equal(res.status, 403);
      assert.match((res.body as { error_description: string }).error_description, /providers only/);
    });
  }

  for (const [method, url, body] of [
    ['GET', '/user'],
    ['GET', '/user/spaces'],
    ['POST', '/user/spaces/join', { token: 'x' }],
    ['DELETE', '/spaces/some-space/providers/x'],
    ['POST', '/user/provider_login_token', { providerId: 'x' }],
  ] as [string, string, unknown?][]) {
    it(`${method} ${url}: a provider gets 403`, async () => {
      const res = await p.api.http.raw(method as 'GET', url, body);
      assert.equal(res.status, 403);
      assert.match((res.body as { error_description: string }).error_description, /users only/);
    });
  }

  it('the open operations need no credentials, and ignore bad ones', async () => {
    const bad = z.client({ token: 'not-a-token' });
    assert.equal(await bad.provider.checkMyIp(), '127.0.0.1');
    const { csrPem } = await opensslCsr();
    assert.equal(typeof (await bad.provider.register(registration(csrPem))).providerId, 'string');
  });

  it('a provider token in any of the access-token headers', async () => {
    for (const header of ['macaroon', 'x-auth-token', 'bearer'] as const) {
      assert.equal((await z.client({ token: p.token, header }).provider.get()).providerId, p.id);
    }
  });

  it('a provider token cannot be used as a user token, nor a user token as a provider token', async () => {
    await rejects(z.client({ token: p.token }).user.get(), 403);
    await rejects(alice.api.provider.get(), 403);
  });

  it('no provider token or certificate reaches the log', () => {
    const logs = z.logs();
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(p.token));
    assert.ok(!logs.includes(p.certificate.split('\n')[1]!));
  });
});
