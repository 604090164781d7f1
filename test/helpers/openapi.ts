import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { API_PREFIX } from '../../src/app.js';
import { openZone } from '../../src/zone.js';

/** The OpenAPI document of a fresh zone, as stable JSON text (what docs/openapi.json holds). */
export async function generateOpenApi(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-openapi-'));
  const zone = await openZone(loadConfig(['--data-dir', dataDir, '--http'], { ONEZONE_ADMIN_PASSWORD: 'x'.repeat(12), ONEZONE_LOG_LEVEL: 'warn' }));
  try {
    const res = await zone.app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    return JSON.stringify(res.json(), null, 2) + '\n';
  } finally {
    await zone.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
