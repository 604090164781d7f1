import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

interface ScenarioResult {
  title: string;
  skipped?: string;
  total: number;
  errors: number;
  non2xx: number;
  rss?: number;
  baseline: { total: number };
  joinsVerified?: boolean;
}

// The benchmark suite on tiny data, a second per scenario, so it cannot rot. It checks that every
// scenario ran and got only correct answers; how fast is for `npm run bench`, not for tests.
test('npm run bench runs every scenario end to end (tiny data, 1 s each)', { timeout: 280_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-bench-smoke-'));
  const json = path.join(dir, 'bench.json');
  const markdown = path.join(dir, 'bench.md');
  try {
    const res = spawnSync(
      process.execPath,
      [
        'bench/run.mjs',
        '--tiny',
        '--from-source',
        '--duration', '1',
        '--connections', '4',
        '--scenario', 'all',
        '--scale-users', '300',
        '--scale-spaces', '30',
        '--scale-memberships', '900',
        '--json', json,
        '--markdown', markdown,
      ],
      { cwd: root, encoding: 'utf8', timeout: 270_000 },
    );
    assert.equal(res.status, 0, `bench failed:\n${res.stdout}\n${res.stderr}`);

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      zones: Record<string, { startupMs: number; results: Record<string, ScenarioResult> }>;
      verdicts: { scenario: string }[];
    };
    const empty = report.zones.empty!.results;
    for (const n of ['1', '2', '3', '4', '5']) {
      const r = empty[n]!;
      assert.ok(r, `scenario ${n} ran`);
      assert.ok(r.total > 0, `scenario ${n} sent requests`);
      assert.equal(r.errors, 0, `scenario ${n}: connection errors`);
      assert.equal(r.non2xx, 0, `scenario ${n}: every answer was a success`);
      assert.ok(r.baseline.total > 0, `scenario ${n} has its paired baseline`);
    }
    assert.equal(empty['3']!.joinsVerified, true, 'every counted join added a member');
    const groups = empty['6']!;
    if (!groups.skipped) assert.equal(groups.non2xx, 0);
    for (const n of ['1', '3', '5']) {
      const r = report.zones.scale!.results[n]!;
      assert.ok(r.total > 0 && r.non2xx === 0 && r.errors === 0, `large-zone scenario ${n}`);
    }
    assert.ok(report.zones.scale!.startupMs > 0);
    assert.ok(report.verdicts.some((v) => v.scenario === '7.1'), 'scenario 7 is judged');
    assert.match(fs.readFileSync(markdown, 'utf8'), /\| 7\.5 \|/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// bench/floor.mjs reads the zone's tables with its own SQL: a second each on a tiny kept work dir,
// so that a schema change cannot leave it broken unnoticed. It checks its own answers (every
// request a success, every counted join a membership) and exits non-zero otherwise.
test('bench/floor.mjs answers joins and mints, stage by stage, beside the baseline and the zone (tiny data, 1 s each)', { timeout: 200_000 }, () => {
  const kept = spawnSync(
    process.execPath,
    ['bench/run.mjs', '--tiny', '--from-source', '--duration', '1', '--connections', '4', '--scenario', '3,4', '--keep'],
    { cwd: root, encoding: 'utf8', timeout: 150_000 },
  );
  assert.equal(kept.status, 0, `bench failed:\n${kept.stdout}\n${kept.stderr}`);
  const work = /work dir kept: (\S+)/.exec(kept.stdout + kept.stderr)?.[1];
  assert.ok(work, kept.stdout + kept.stderr);
  try {
    const floor = spawnSync(process.execPath, ['bench/floor.mjs', '--work', work, '--rounds', '1', '--duration', '1', '--connections', '4', '--ladder'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(floor.status, 0, `floor failed:\n${floor.stdout}\n${floor.stderr}`);
    const lines = floor.stdout.trim().split('\n');
    for (const scenario of ['join', 'mint']) {
      for (const server of ['baseline', 'http', '+tokens', '+reads', 'floor', 'zone']) {
        const line = lines.find((l) => l.startsWith(`round 1, ${scenario}: ${server} `));
        assert.ok(line && /, 0 non-2xx/.test(line) && !/ 0 req\/s/.test(line), `${scenario} ${server}: ${line}`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
