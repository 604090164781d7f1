#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test (through tsx). Extra arguments narrow the run:
// `npm test -- test/api` or a file list.
//
// Databases: the storage contract suite and the scale-out tests run their PostgreSQL legs when
// the server at ONEZONE_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres) answers;
// otherwise they are skipped (one line says so), except under CI=true where that fails.
// ONEZONE_TEST_DB=postgres (`npm run test:pg`) runs every API test zone on PostgreSQL too.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { URL } from 'node:url';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const targets = args.length > 0 ? args : ['test'];

function collect(p) {
  const stat = fs.statSync(p);
  if (stat.isFile()) return [p];
  return fs
    .readdirSync(p, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? collect(path.join(p, e.name)) : e.name.endsWith('.test.ts') ? [path.join(p, e.name)] : []))
    .sort();
}

const files = targets.flatMap((t) => collect(path.resolve(root, t)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const pgUrl = process.env.ONEZONE_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const where = (() => {
  const u = new URL(pgUrl);
  return `${u.hostname}:${u.port || 5432}`;
})();
const allOnPg = process.env.ONEZONE_TEST_DB === 'postgres';

async function pgAnswers() {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (await pgAnswers()) {
  console.log(`PostgreSQL at ${where}: ${allOnPg ? 'every test zone runs on it' : 'storage and scale-out legs run on it; API tests on SQLite'}`);
} else if (allOnPg || process.env.CI === 'true') {
  console.error(`PostgreSQL not reachable at ${where}: ${allOnPg ? 'ONEZONE_TEST_DB=postgres needs it' : 'required under CI=true'}`);
  process.exit(1);
} else {
  console.log(`PostgreSQL not reachable at ${where}: its legs of the storage and scale-out tests are skipped (set ONEZONE_TEST_PG to point at one)`);
}

// The end-to-end tests run the built CLI (dist/): build once here, so that no two test files
// rebuild it at the same moment.
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(res.status ?? 1);
