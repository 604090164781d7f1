import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateOpenApi } from '../helpers/openapi.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** `operationId METHOD path` for each table row that says the route is served. */
function claimed(): { rc2: number; implemented: Set<string> } {
  const md = fs.readFileSync(path.join(root, 'docs', 'api-coverage.md'), 'utf8');
  const implemented = new Set<string>();
  let rc2 = 0;
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const idx = cells.findIndex((c) => /^`\w+`$/.test(c));
    if (idx < 0) continue;
    const [op, method, p, status] = [cells[idx]!, cells[idx + 1]!, cells[idx + 2]!, cells[idx + 3]!];
    if (/^\d+$/.test(cells[1] ?? '')) rc2++;
    if (status === 'implemented') implemented.add(`${op.replaceAll('`', '')} ${method} ${p.replaceAll('`', '')}`);
  }
  return { rc2, implemented };
}

describe('docs/api-coverage.md', () => {
  it('lists all 88 RC2 operations', () => {
    assert.equal(claimed().rc2, 88);
  });

  it('lists exactly the routes the zone serves (run `npm run api-coverage` after changing routes)', async () => {
    const doc = JSON.parse(await generateOpenApi()) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const served = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) if (METHODS.includes(m)) served.add(`${op.operationId} ${m.toUpperCase()} ${p}`);
    }
    const { implemented } = claimed();
    assert.deepEqual([...served].filter((r) => !implemented.has(r)).sort(), [], 'served but not in the table');
    assert.deepEqual([...implemented].filter((r) => !served.has(r)).sort(), [], 'in the table but not served');
  });
});
