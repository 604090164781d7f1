import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { spawnZone } from '../helpers/process.js';

describe('the installed command serves the web UI', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-web-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('`onezone serve` (dist/onezone.mjs, HTTPS) finds dist/web beside it and serves /ui/ and its script', async () => {
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { ONEZONE_ADMIN_PASSWORD: 'web-admin-pass' });
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const origin = new URL(zone.url).origin;
      const page = await request(`${origin}/ui/`, { dispatcher });
      const html = await page.body.text();
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      const script = /<script src="(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
      assert.ok(script, html);
      const js = await request(`${origin}/ui/${script}`, { dispatcher });
      assert.equal(js.statusCode, 200);
      assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.ok((await js.body.text()).length > 10_000);
    } finally {
      await dispatcher.close();
      assert.equal(await zone.stop(), 0);
    }
  });
});
