import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { groupPrivileges } from '../../src/domain/privileges.js';

const root = path.resolve(import.meta.dirname, '../..');

// The nested-group benchmark at toy size: it must run to the end and print its figures and
// plans. No timing is asserted; the result column is, since it comes from the real queries.
it('bench/nested-groups.ts runs at toy size and prints its figures', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/nested-groups.ts', '--groups', '50', '--users', '200', '--depth', '5', '--reps', '3', '--http-reps', '2'],
    { cwd: root, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
  );
  assert.match(stdout, /^nested groups on SQLite: 50 groups \(\d+ nesting edges, chains up to 5 deep\), 200 users, 10 spaces$/m);
  const figure = (label: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(label));
    assert.ok(line, `no figure for ${label}`);
    const cells = line.slice(label.length).trim().split(/\s+/);
    for (const ms of cells.slice(0, 3)) assert.ok(Number(ms) >= 0, `${label}: ${ms} is not a time`);
    return cells.slice(4).join(' ');
  };
  // Every group hangs under the top group, so all 200 users plus the owner and the deep member reach it.
  assert.equal(figure('store groups.effectiveUsers(top)'), '202 rows');
  assert.equal(figure('HTTP GET /groups/{top}/effective_users'), '202 rows');
  assert.equal(figure('store groups.effectivePrivileges(top, deep user)'), `mask ${groupPrivileges.all}`);
  assert.equal(figure('store groups.hasEffectiveUser(top, deep user)'), 'true');
  assert.match(figure('store spaces.effectivePrivileges(space, deep user)'), /^mask \d+$/);
  assert.match(figure('HTTP GET /user/spaces (deep user)'), /^\d+ rows$/);
  assert.match(stdout, /^query plans:$/m);
  assert.match(stdout, /^-- groups\.effectiveUsers\(top\)$/m);
});
