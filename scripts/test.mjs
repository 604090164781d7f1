#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test (through tsx). Extra arguments narrow the run:
// `npm test -- test/api` or a file list. PostgreSQL legs run when ONEZONE_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/test) answers; under CI=true they are required.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

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

const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(res.status ?? 1);
