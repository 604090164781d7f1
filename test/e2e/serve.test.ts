import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { OnezoneClient } from '../../src/client/index.js';
import { spawnZone } from '../helpers/process.js';

describe('onezone serve (a real process)', async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-e2e-')), 'zone');
  after(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('first start: creates the data dir, serves HTTPS with a self-signed certificate, prints the URL, stops on SIGTERM with 0', async () => {
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' });
    assert.match(zone.url, /^https:\/\/127\.0\.0\.1:\d+\/api\/v3\/onezone$/);
    for (const f of ['master.key', 'onezone.sqlite', 'tls/server.key', 'tls/server.crt']) assert.ok(fs.existsSync(path.join(dataDir, f)), f);
    assert.equal(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dataDir, 'tls/server.key')).mode & 0o777, 0o600);

    const cert = fs.readFileSync(path.join(dataDir, 'tls/server.crt'), 'utf8');
    const admin = new OnezoneClient({ baseUrl: zone.url, ca: cert, credentials: { basic: { login: 'admin', password: 'e2e-admin-pass' } } });
    assert.equal((await admin.user.get()).login, 'admin');
    const insecure = new OnezoneClient({ baseUrl: zone.url, insecure: true, credentials: { basic: { login: 'admin', password: 'e2e-admin-pass' } } });
    await insecure.users.create({ login: 'alice', password: 'alice-password', name: 'Alice' });
    await Promise.all([admin.close(), insecure.close()]);
    assert.equal(await zone.stop('SIGTERM'), 0);
  });

  it('second start on the same data dir keeps everything; SIGINT also stops it with 0', async () => {
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1']);
    const alice = new OnezoneClient({ baseUrl: zone.url, insecure: true, credentials: { basic: { login: 'alice', password: 'alice-password' } } });
    assert.equal((await alice.user.get()).name, 'Alice');
    await alice.close();
    assert.equal(await zone.stop('SIGINT'), 0);
  });

  it('without ONEZONE_ADMIN_PASSWORD, prints a generated admin password once, and it works', async () => {
    const fresh = path.join(path.dirname(dataDir), 'fresh');
    const zone = await spawnZone(['--data-dir', fresh, '--port', '0', '--host', '127.0.0.1', '--http']);
    const m = /shown only this once\):\n\s+(\S+)/.exec(zone.stderr());
    assert.ok(m, 'the password was printed');
    const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: m[1]! } } });
    assert.equal((await admin.user.get()).login, 'admin');
    await admin.close();
    assert.equal(await zone.stop(), 0);
    const again = await spawnZone(['--data-dir', fresh, '--port', '0', '--host', '127.0.0.1', '--http']);
    assert.doesNotMatch(again.stderr(), /shown only this once/);
    assert.equal(await again.stop(), 0);
  });

  it('the installed command checkpoints its WAL on a thread of its own, and leaves no WAL behind when stopped', async () => {
    const dir = path.join(path.dirname(dataDir), 'checkpoints');
    const zone = await spawnZone(['--data-dir', dir, '--port', '0', '--host', '127.0.0.1', '--http'], { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' });
    const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: 'e2e-admin-pass' } } });
    const series = (text: string, name: string) => Number(new RegExp(`^onezone_${name} (\\d+)$`, 'm').exec(text)?.[1]);
    for (let i = 0; i < 20; i++) await admin.user.createSpace(`space ${i}`);
    let text = await admin.zone.metrics();
    for (let i = 0; i < 100 && !(series(text, 'sqlite_checkpoints_total') >= 1); i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = await admin.zone.metrics();
    }
    assert.ok(series(text, 'sqlite_checkpoints_total') >= 1, 'the checkpoint thread never checkpointed');
    assert.equal(series(text, 'sqlite_writer_checkpoints_total'), 0);
    await admin.close();
    assert.equal(await zone.stop('SIGTERM'), 0);
    assert.equal(fs.existsSync(path.join(dir, 'onezone.sqlite-wal')), false);
  });

  it('a bad flag is refused with exit code 2 and a message', async () => {
    await assert.rejects(spawnZone(['--port', 'eighty']), /exited with 2[\s\S]*port must be a whole number/);
  });
});
