import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
});
