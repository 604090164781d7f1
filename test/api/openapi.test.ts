import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { generateOpenApi } from '../helpers/openapi.js';
import { startZone } from '../helpers/zone.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const swagger = JSON.parse(fs.readFileSync(path.resolve(root, '..', 'shared', 'spec', 'onezone-swagger-3.0.0-RC2.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string }>>;
};
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** `/spaces/{id}/users/{uid}` and `/spaces/{x}/users/{y}` are the same route. */
const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');

type Doc = { openapi: string; paths: Record<string, Record<string, { operationId?: string }>> };

describe('OpenAPI document', async () => {
  const z = await startZone();
  const res = await request(`${z.baseUrl}/openapi.json`);
  const doc = (await res.body.json()) as Doc;

  it('is served without credentials as OpenAPI 3.1', () => {
    assert.equal(res.statusCode, 200);
    assert.equal(doc.openapi, '3.1.0');
  });

  it('has every (method, path) of the RC2 swagger, with its operationId', () => {
    const served = new Map<string, string | undefined>();
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) if (METHODS.includes(m)) served.set(`${m.toUpperCase()} ${shape(p)}`, op.operationId);
    }
    const missing: string[] = [];
    for (const [p, ops] of Object.entries(swagger.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (!METHODS.includes(m)) continue;
        const key = `${m.toUpperCase()} ${shape(p)}`;
        if (served.get(key) !== op.operationId) missing.push(`${key} (${op.operationId})`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('docs/openapi.json is the current document (run `npm run openapi` after changing a route)', async () => {
    const committed = fs.readFileSync(path.join(root, 'docs', 'openapi.json'), 'utf8');
    assert.equal(committed, await generateOpenApi());
  });
});
