import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { OnezoneClient } from '../../src/client/index.js';
import { signProviderCert, validateCsr } from '../../src/crypto/certs.js';
import { spawnZone } from '../helpers/process.js';

const run = promisify(execFile);

/**
 * Mutual TLS against a real `onezone serve` process, with independent clients: OpenSSL makes the
 * key and CSR, curl registers and calls provider operations with `--cert/--key`, undici (through
 * the SDK) runs the support flow with the same certificate.
 */
describe('providers over mutual TLS (a real process, openssl and curl)', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-mtls-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'zone');
  const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { ONEZONE_ADMIN_PASSWORD: 'mtls-admin-pass' });
  after(() => zone.stop());
  const serverCa = fs.readFileSync(path.join(dataDir, 'tls', 'server.crt'), 'utf8');
  const file = (name: string) => path.join(tmp, name);

  /** curl, verifying the zone's self-signed certificate; returns status and body. */
  const curl = async (args: string[]): Promise<{ status: number; body: string }> => {
    const out = file(`out-${Math.random().toString(36).slice(2)}`);
    const { stdout } = await run('curl', ['-sS', '--cacert', file('server.crt'), '-o', out, '-w', '%{http_code}', ...args]);
    return { status: Number(stdout), body: fs.readFileSync(out, 'utf8') };
  };
  fs.writeFileSync(file('server.crt'), serverCa);

  await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('provider.key'), '-out', file('provider.csr'), '-subj', '/CN=e2e']);
  fs.writeFileSync(
    file('register.json'),
    JSON.stringify({ clientName: 'e2e', urls: ['https://127.0.0.1'], redirectionPoint: 'https://127.0.0.1', csr: fs.readFileSync(file('provider.csr'), 'utf8') }),
  );
  const registered = await curl(['-H', 'content-type: application/json', '--data-binary', `@${file('register.json')}`, `${zone.url}/provider`]);
  const { providerId, certificate } = JSON.parse(registered.body) as { providerId: string; certificate: string };
  fs.writeFileSync(file('provider.crt'), certificate);
  const withCert = ['--cert', file('provider.crt'), '--key', file('provider.key')];

  it('registration: 200 with the provider id and a certificate', () => {
    assert.equal(registered.status, 200);
    assert.match(providerId, /^[A-Za-z0-9_-]{43}$/);
    assert.match(certificate, /^-----BEGIN CERTIFICATE-----/);
    assert.equal(fs.statSync(path.join(dataDir, 'tls', 'zone-ca.key')).mode & 0o777, 0o600);
  });

  it('curl --cert/--key authenticates the provider', async () => {
    const res = await curl([...withCert, `${zone.url}/provider`]);
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { providerId: string }).providerId, providerId);
    const patch = await curl([...withCert, '-X', 'PATCH', '-H', 'content-type: application/json', '-d', '{"clientName":"renamed"}', `${zone.url}/provider`]);
    assert.equal(patch.status, 204);
    assert.equal((JSON.parse((await curl([...withCert, `${zone.url}/provider/${providerId}`])).body) as { clientName: string }).clientName, 'renamed');
  });

  it('without a certificate: 401; with a certificate of another CA: 401', async () => {
    const none = await curl([`${zone.url}/provider`]);
    assert.equal(none.status, 401);
    assert.equal((JSON.parse(none.body) as { error: string }).error, 'unauthorized');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-keyout', file('foreign.key'), '-out', file('foreign.crt'), '-subj', `/CN=${providerId}/O=onedata/OU=Providers`]);
    const foreign = await curl(['--cert', file('foreign.crt'), '--key', file('foreign.key'), `${zone.url}/provider`]);
    assert.equal(foreign.status, 401);
  });

  it('an expired certificate from the zone CA, for this very provider: 401', async () => {
    const ca = { keyPem: fs.readFileSync(path.join(dataDir, 'tls', 'zone-ca.key'), 'utf8'), certPem: fs.readFileSync(path.join(dataDir, 'tls', 'zone-ca.crt'), 'utf8') };
    const csr = await validateCsr(fs.readFileSync(file('provider.csr'), 'utf8'));
    const expired = await signProviderCert(ca, csr, providerId, { days: 1, now: new Date(Date.now() - 3 * 24 * 3600 * 1000) });
    fs.writeFileSync(file('expired.crt'), expired);
    const res = await curl(['--cert', file('expired.crt'), '--key', file('provider.key'), `${zone.url}/provider`]);
    assert.equal(res.status, 401);
  });

  it('a user on a provider operation gets 403, the provider on a user operation 403', async () => {
    const asUser = await curl(['-u', 'admin:mtls-admin-pass', `${zone.url}/provider/spaces`]);
    assert.equal(asUser.status, 403);
    const asProvider = await curl([...withCert, `${zone.url}/user`]);
    assert.equal(asProvider.status, 403);
  });

  it('the support flow end to end, the provider through undici with its certificate', async () => {
    const admin = new OnezoneClient({ baseUrl: zone.url, ca: serverCa, credentials: { basic: { login: 'admin', password: 'mtls-admin-pass' } } });
    await admin.users.create({ login: 'alice', password: 'alice-password', name: 'Alice' });
    const alice = new OnezoneClient({ baseUrl: zone.url, ca: serverCa, credentials: { basic: { login: 'alice', password: 'alice-password' } } });
    const provider = new OnezoneClient({ baseUrl: zone.url, ca: serverCa, cert: certificate, key: fs.readFileSync(file('provider.key'), 'utf8') });
    try {
      const spaceId = await alice.user.createSpace('e2e space');
      assert.equal(await provider.provider.support(await alice.providers.supportToken(spaceId), '1073741824'), spaceId);
      assert.deepEqual(await alice.providers.ofSpace(spaceId), [providerId]);
      assert.deepEqual(await provider.provider.spaces(), [spaceId]);
      assert.deepEqual((await alice.spaces.get(spaceId)).providersSupports, { [providerId]: 1073741824 });
      const listed = await curl([...withCert, `${zone.url}/provider/spaces`]);
      assert.deepEqual(JSON.parse(listed.body), { spaces: [spaceId] });

      // A provider token obtained with the certificate works without one (e.g. behind a TLS-terminating proxy).
      const token = await provider.provider.token();
      const viaToken = await curl(['-H', `x-auth-token: ${token}`, `${zone.url}/provider/spaces/${spaceId}`]);
      assert.equal(viaToken.status, 200);

      await alice.providers.removeFromSpace(spaceId, providerId);
      assert.deepEqual(await provider.provider.spaces(), []);
    } finally {
      await Promise.all([admin.close(), alice.close(), provider.close()]);
    }
  });

  it('DELETE /provider: 202, then the same certificate gets 401', async () => {
    const res = await curl([...withCert, '-X', 'DELETE', `${zone.url}/provider`]);
    assert.equal(res.status, 202);
    assert.equal((await curl([...withCert, `${zone.url}/provider`])).status, 401);
  });
});
