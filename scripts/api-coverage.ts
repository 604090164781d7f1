// Writes docs/api-coverage.md: every RC2 operation and every extension, whether it is served,
// and which test files exercised it with a successful answer. `npm run api-coverage` runs the
// test suite with route recording on, then writes the table.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateOpenApi } from '../test/helpers/openapi.js';

const root = path.resolve(import.meta.dirname, '..');
const swagger = JSON.parse(fs.readFileSync(path.resolve(root, '..', 'shared', 'spec', 'onezone-swagger-3.0.0-RC2.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string }>>;
};
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');

const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-routes-'));
if (!process.argv.includes('--no-run')) {
  spawnSync(process.execPath, [path.join(root, 'scripts', 'test.mjs')], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, ONEZONE_RECORD_ROUTES: recordDir },
  });
}

// route shape -> test files that got a 2xx from it
const hits = new Map<string, Set<string>>();
for (const f of fs.readdirSync(recordDir)) {
  for (const line of fs.readFileSync(path.join(recordDir, f), 'utf8').split('\n')) {
    const [method, url, status, file] = line.split('\t');
    if (!file || !status?.startsWith('2')) continue;
    const key = `${method} ${shape(url!.replace('/api/v3/onezone', '').replace(/:(\w+)/g, '{$1}'))}`;
    if (!hits.has(key)) hits.set(key, new Set());
    hits.get(key)!.add(path.relative(root, file));
  }
}
fs.rmSync(recordDir, { recursive: true, force: true });

const doc = JSON.parse(await generateOpenApi()) as { paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>> };
const served = new Map<string, { operationId: string; path: string; tag: string }>();
for (const [p, ops] of Object.entries(doc.paths)) {
  for (const [m, op] of Object.entries(ops)) {
    if (METHODS.includes(m)) served.set(`${m.toUpperCase()} ${shape(p)}`, { operationId: op.operationId ?? '', path: p, tag: op.tags?.[0] ?? '' });
  }
}

const tests = (key: string) => [...(hits.get(key) ?? [])].sort().map((t) => `\`${t}\``).join(', ') || '—';
const rc2Keys = new Set<string>();
const rows: string[] = [];
let n = 0;
for (const [p, ops] of Object.entries(swagger.paths)) {
  for (const [m, op] of Object.entries(ops)) {
    if (!METHODS.includes(m)) continue;
    const key = `${m.toUpperCase()} ${shape(p)}`;
    rc2Keys.add(key);
    const status = served.get(key)?.operationId === op.operationId ? 'implemented' : 'missing';
    rows.push(`| ${++n} | \`${op.operationId}\` | ${m.toUpperCase()} | \`${p}\` | ${status} | ${tests(key)} |`);
  }
}
const extensions = [...served.entries()]
  .filter(([key]) => !rc2Keys.has(key))
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([key, op]) => `| \`${op.operationId}\` | ${key.split(' ')[0]} | \`${op.path}\` | implemented | ${tests(key)} |`);

fs.writeFileSync(
  path.join(root, 'docs', 'api-coverage.md'),
  `# API coverage

Every operation of the Onezone 3.0.0-RC2 swagger, and every operation we add beside them, with
the test files that called it and got a successful answer. Written by \`npm run api-coverage\`
(which runs the test suite with route recording); \`test/api/api-coverage.test.ts\` fails when
a served route is missing here or a row claims a route that is not served.

## RC2 operations (${n})

| # | operationId | method | path | status | tests |
|---|---|---|---|---|---|
${rows.join('\n')}

## Extensions (${extensions.length})

| operationId | method | path | status | tests |
|---|---|---|---|---|
${extensions.join('\n')}
`,
);
console.log(`wrote docs/api-coverage.md: ${rows.filter((r) => r.includes('implemented')).length}/${n} RC2 operations served, ${extensions.length} extensions`);
