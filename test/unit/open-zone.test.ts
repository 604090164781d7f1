import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { type LogLevel, loadConfig } from '../../src/config.js';
import { openZone } from '../../src/zone.js';

describe('openZone', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-open-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('bootstraps last: a start that fails leaves no admin behind, so the generated password is shown by the next start', async () => {
    const config = loadConfig(['--data-dir', dataDir, '--http'], { ONEZONE_PASSWORD_COST: '10' });
    // loadConfig refuses unknown levels; one pino does not know stands for any failure while the app is built.
    await assert.rejects(openZone({ ...config, logLevel: 'verbose' as LogLevel }), /verbose/);
    const zone = await openZone(config);
    try {
      assert.equal(typeof zone.generatedAdminPassword, 'string');
      assert.ok(await zone.store.users.byLogin('admin'));
    } finally {
      await zone.close();
    }
  });

  it('warns when ONEZONE_ADMIN_PASSWORD, read on the first start only, no longer is the admin password', async () => {
    const dir = path.join(dataDir, 'stale');
    const start = async (password: string) => {
      const lines: string[] = [];
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const config = loadConfig(['--data-dir', dir, '--http'], { ONEZONE_PASSWORD_COST: '10', ONEZONE_ADMIN_PASSWORD: password });
      const zone = await openZone(config, { logStream });
      // The check runs off the event loop after the start; a cost-10 hash takes a few milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await zone.close();
      return lines.join('');
    };
    assert.doesNotMatch(await start('first-admin-pass'), /ONEZONE_ADMIN_PASSWORD/);
    assert.doesNotMatch(await start('first-admin-pass'), /ONEZONE_ADMIN_PASSWORD/);
    const stale = await start('another-admin-pass');
    assert.match(stale, /ONEZONE_ADMIN_PASSWORD is not the password of the admin account and was ignored/);
    assert.doesNotMatch(stale, /another-admin-pass|first-admin-pass/);
  });

  it('refuses an admin password shorter than any account may have when it creates admin, not once admin exists', async () => {
    const dir = path.join(dataDir, 'short');
    const config = (password: string) => loadConfig(['--data-dir', dir, '--http'], { ONEZONE_PASSWORD_COST: '10', ONEZONE_ADMIN_PASSWORD: password });
    await assert.rejects(openZone(config('secret')), { message: 'ONEZONE_ADMIN_PASSWORD must be at least 8 characters' });
    const zone = await openZone(config('long-enough'));
    const admin = await zone.store.users.byLogin('admin');
    await zone.close();
    assert.ok(admin, 'the next start, with a usable password, created admin');
    // A zone whose admin exists starts whatever the variable holds (it is not read any more).
    await (await openZone(config('secret'))).close();
  });
});
