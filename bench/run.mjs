#!/usr/bin/env node
// `npm run bench`: load benchmarks of a real onezone process against a bare node:http baseline
// measured in the same run and the same way. See bench/README.md for options and figures.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMicros, freePort, peakRss, root, runToEnd, startServer, stopServer } from './processes.mjs';
import { SCALE_P99_FACTOR, SCALE_RSS_LIMIT, SCENARIOS, STARTUP_LIMIT_MS, TARGETS } from './scenarios.mjs';
import { markdownTable, printTable, verdicts } from './report.mjs';

const { fetch, AbortSignal } = globalThis;

const USAGE = `Usage: npm run bench -- [options]
  --scenario LIST     comma list of 1-7, or "all" (default 1,2,3,4,5,6; 7 = 1, 3 and 5 on a large zone)
  --duration S        measured seconds per scenario (default 10)
  --warmup S          unmeasured seconds before each (default 2; 0 when --duration < 5)
  --connections N     concurrent connections (default 50)
  --rounds N          measure each scenario and its baseline N times, alternately, and report the
                      round with the median ratio (default 1; the machine may be shared and noisy)
  --db URL            postgres://… (a fresh database is created and dropped); default SQLite
  --json FILE         write every figure as JSON
  --markdown FILE     write the result table as Markdown
  --tiny              tiny data (the smoke test)
  --from-source       run the server through tsx from src/ instead of the built dist/
  --cpu-prof DIR      profile the server (node --cpu-prof) into DIR
  --keep              keep the work dir (data dirs, logs, token lists) and print where it is
  --scale-users N, --scale-spaces N, --scale-memberships N   size of the scenario 7 zone
                      (default 1000000, 100000, 5000000)
`;

const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string', default: '1,2,3,4,5,6' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    db: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    tiny: { type: 'boolean', default: false },
    'from-source': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'scale-users': { type: 'string', default: '1000000' },
    'scale-spaces': { type: 'string', default: '100000' },
    'scale-memberships': { type: 'string', default: '5000000' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const duration = Number(opt.duration);
const warmup = opt.warmup !== undefined ? Number(opt.warmup) : duration < 5 ? 0 : 2;
const connections = Number(opt.connections);
const rounds = Number(opt.rounds);
const wanted = opt.scenario === 'all' ? [1, 2, 3, 4, 5, 6, 7] : opt.scenario.split(',').map(Number);
if (wanted.some((n) => !(n >= 1 && n <= 7)) || !(duration > 0) || !(connections > 0) || !(Number.isInteger(rounds) && rounds >= 1)) {
  process.stderr.write(USAGE);
  process.exit(2);
}
// Scenario 7 compares with 1, 3 and 5 on the small zone, so those run too.
const small = [...new Set([...wanted.filter((n) => n <= 6), ...(wanted.includes(7) ? [1, 3, 5] : [])])].sort();
const scale = wanted.includes(7)
  ? { users: Number(opt['scale-users']), spaces: Number(opt['scale-spaces']), memberships: Number(opt['scale-memberships']) }
  : undefined;

// Joins use up one user each: enough for this rate, and the run stops early (and says so) past it.
// Seeded only for runs with scenario 3 (400,000 users for three rounds take half a minute).
const JOIN_RATE_CAP = opt.tiny ? 1500 : 20000;
const sizes = opt.tiny
  ? { readers: 20, memberSpaces: 20, groupDepth: 3, groupUsers: 30, basicUsers: 2 }
  : { readers: 1000, memberSpaces: 1000, groupDepth: 20, groupUsers: 10_000, basicUsers: 10 };
const joiners = wanted.includes(3) || wanted.includes(7) ? (Math.ceil((duration + warmup) * JOIN_RATE_CAP) + connections) * rounds + 1 : 1;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-bench-'));
const log = path.join(work, 'bench.log');
const adminPassword = randomBytes(12).toString('base64url');
const baseEnv = {
  ...process.env,
  ONEZONE_ADMIN_PASSWORD: adminPassword,
  // Benchmarks log at warn: an access-log line per request is a cost of its own, measured apart.
  ONEZONE_LOG_LEVEL: 'warn',
};
const note = (line) => process.stderr.write(`${line}\n`);

function ensureBuilt() {
  if (opt['from-source']) return;
  // Builds only when dist/ is missing or older than its inputs.
  return runToEnd([path.join(root, 'scripts/build.mjs'), '--if-stale'], { env: process.env, log, timeoutMs: 300_000 });
}

/** A database per zone: a file in the work dir, or a fresh PostgreSQL database dropped at the end. */
async function database(name) {
  if (!opt.db) return { url: undefined, drop: async () => {} };
  const { default: pg } = await import('pg');
  const dbName = `onezone_bench_${process.pid}_${name}`;
  const admin = new pg.Client({ connectionString: opt.db });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName}`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(opt.db);
  url.pathname = `/${dbName}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: opt.db });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    },
  };
}

async function load(url, request) {
  const jobFile = path.join(work, `job-${Date.now()}.json`);
  fs.writeFileSync(jobFile, JSON.stringify({ url, connections, duration, warmup, ...request }));
  const out = await runToEnd([path.join(root, 'bench/load.mjs'), jobFile], {
    env: process.env,
    log,
    timeoutMs: (duration + warmup + 60) * 1000,
    capture: true,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Server CPU time per request (µs) over a load run, warm-up included. */
function perRequest(before, after, r) {
  return before === undefined || after === undefined || !r.requestsIncludingWarmup ? undefined : (after - before) / r.requestsIncludingWarmup;
}

/** The bare baseline server runs for the whole benchmark; `measure` loads it like a scenario. */
async function startBaseline() {
  const port = await freePort();
  const { child } = await startServer([path.join(root, 'bench/baseline.mjs'), String(port)], { env: process.env, log, port });
  return {
    async measure() {
      const rss = peakRss(child.pid);
      const cpu = cpuMicros(child.pid);
      const r = await load(`http://127.0.0.1:${port}`, { method: 'GET', path: '/' });
      return { ...r, rss: rss.stop(), cpuPerRequest: perRequest(cpu, cpuMicros(child.pid), r) };
    },
    stop: () => stopServer(child),
  };
}

function serverArgs(dataDir, port, dbUrl, profileName) {
  const entry = opt['from-source'] ? ['--import', 'tsx', path.join(root, 'src/main.ts')] : [path.join(root, 'dist/onezone.mjs')];
  const prof = opt['cpu-prof'] && profileName ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(opt['cpu-prof']), '--cpu-prof-name', `${profileName}.cpuprofile`] : [];
  return [...prof, ...entry, 'serve', '--http', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...(dbUrl ? ['--db', dbUrl] : [])];
}

async function api(base, method, p, { headers = {}, body } = {}) {
  const res = await fetch(`${base}/api/v3/onezone${p}`, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { res, body: text ? JSON.parse(text) : {} };
}

/**
 * One zone: seed through the store, start the server once (bootstrap) and again to time the
 * start on an existing data dir, make the few API-level fixtures, then run `scenarios`.
 */
async function runZone(name, scenarios, plan) {
  const dataDir = path.join(work, name);
  fs.mkdirSync(dataDir);
  // The zone's own key file: the seed mints with it, the server reads it as on any start.
  fs.writeFileSync(path.join(dataDir, 'master.key'), randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  const db = await database(name);
  const planFile = path.join(dataDir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify({ ...plan, dataDir, db: db.url }));
  note(`[${name} zone] seeding…`);
  const seedStarted = performance.now();
  await runToEnd(['--import', 'tsx', path.join(root, 'bench/seed.ts'), planFile], { env: baseEnv, log, timeoutMs: 3_600_000 });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const ctx = { ...JSON.parse(fs.readFileSync(path.join(dataDir, 'fixtures.json'), 'utf8')), plan };

  const port = await freePort();
  const first = await startServer(serverArgs(dataDir, port, db.url), { env: baseEnv, log, port });
  await stopServer(first.child);
  const { child, startupMs } = await startServer(serverArgs(dataDir, port, db.url, `${name}-${Date.now()}`), { env: baseEnv, log, port });
  note(`[${name} zone] onezone serve on the existing data dir answered in ${startupMs.toFixed(0)} ms`);
  const base = `http://127.0.0.1:${port}`;
  const results = {};
  try {
    await apiFixtures(base, ctx);
    for (const n of scenarios) {
      const s = SCENARIOS[n];
      const title = s.titleOf ? s.titleOf(ctx) : s.title;
      const request = s.request(ctx);
      const first = await preflight(base, request);
      const skipped = s.skip?.(first.res, first.body);
      if (skipped) {
        note(`[${name} zone] scenario ${n} skipped: ${skipped}`);
        results[n] = { title, skipped };
        continue;
      }
      const wrong = s.check(first.res, first.body, ctx);
      if (wrong) throw new Error(`scenario ${n} (${title}): ${wrong}`);
      note(`[${name} zone] scenario ${n}: ${title}`);
      // The machine is shared: each scenario is paired with a baseline measured just before it,
      // and with --rounds the pair is measured again and the median round reported.
      const measured = [];
      let consumed = 0;
      for (let round = 0; round < rounds; round++) {
        const baseline = await bare.measure();
        const rss = peakRss(child.pid);
        const cpu = cpuMicros(child.pid);
        // A `once` list (joiners) goes on where the previous round stopped: nobody joins twice.
        const job = request.rotate?.once ? { ...request, rotate: { ...request.rotate, skip: (request.rotate.skip ?? 0) + consumed } } : request;
        const r = await load(base, job);
        consumed += r.consumed;
        measured.push({ title, ...r, rss: rss.stop(), cpuPerRequest: perRequest(cpu, cpuMicros(child.pid), r), baseline });
      }
      const byRatio = [...measured].sort((a, b) => a.rps / a.baseline.rps - b.rps / b.baseline.rps);
      results[n] = { ...byRatio[Math.floor((byRatio.length - 1) / 2)], rounds: measured.map((m) => +(m.rps / m.baseline.rps).toFixed(3)) };
      if (n === 3) results[n].joinsVerified = await verifyJoins(base, ctx, measured);
    }
  } finally {
    await stopServer(child);
    await db.drop();
  }
  return { startupMs, seedSeconds, results };
}

/** Basic-auth users (real password hashes, so through the API) and a multi-use invite. */
async function apiFixtures(base, ctx) {
  const admin = { authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}` };
  const credentials = [];
  for (let i = 0; i < sizes.basicUsers; i++) {
    const login = `bench-basic-${i}`;
    const password = randomBytes(12).toString('base64url');
    const { res } = await api(base, 'POST', '/users', { headers: admin, body: { login, password, name: login } });
    if (res.status !== 201) throw new Error(`creating a Basic-auth user: ${res.status}`);
    credentials.push(Buffer.from(`${login}:${password}`).toString('base64'));
  }
  ctx.basicCredentials = path.join(work, `basic-${Date.now()}.txt`);
  fs.writeFileSync(ctx.basicCredentials, credentials.join('\n') + '\n');
  const { res, body } = await api(base, 'POST', `/spaces/${ctx.joinSpaceId}/users/token`, {
    headers: { authorization: `Bearer ${ctx.ownerToken}` },
    body: { usageLimit: 'infinity' },
  });
  if (res.status !== 200) throw new Error(`minting the multi-use invite: ${res.status}`);
  ctx.inviteToken = body.token;
}

/** One request as the load will send it (the first value of a rotating header). */
async function preflight(base, request) {
  const headers = { ...request.headers };
  if (request.rotate) {
    const first = fs.readFileSync(request.rotate.file, 'utf8').split('\n')[0];
    headers[request.rotate.header] = request.rotate.prefix + first;
  }
  const res = await fetch(base + request.path, { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON: the check reports the status.
  }
  return { res, body };
}

/**
 * Every counted 201 added a member (a repeated user would get 201 without one): after the owner
 * and the preflight joiner, at least one member per 201, and at most the requests still in
 * flight when each run stopped (answered, but no longer counted) on top.
 */
async function verifyJoins(base, ctx, runs) {
  const { body } = await api(base, 'GET', `/spaces/${ctx.joinSpaceId}/users`, { headers: { authorization: `Bearer ${ctx.ownerToken}` } });
  const joined = (body.users?.length ?? 0) - 2;
  const counted = runs.reduce((sum, r) => sum + r.okIncludingWarmup, 0);
  const inFlight = connections * (warmup > 0 ? 2 : 1) * runs.length;
  if (joined < counted || joined > counted + inFlight) {
    throw new Error(`scenario 3: ${joined} new members after ${counted} counted joins`);
  }
  return true;
}

await ensureBuilt();
const started = new Date();
note(`onezone bench: ${os.cpus().length} cores, Node ${process.version}, ${opt.db ? 'PostgreSQL' : 'SQLite'}, ${connections} connections, ${duration} s (+${warmup} s warm-up) per scenario and per paired baseline; server log level warn`);
const bare = await startBaseline();
const plan = { readers: sizes.readers, joiners, memberSpaces: sizes.memberSpaces, groupDepth: sizes.groupDepth, groupUsers: sizes.groupUsers };
const zones = {};
try {
  if (small.length > 0) zones.empty = await runZone('empty', small, plan);
  if (scale) zones.scale = await runZone('scale', [1, 3, 5], { ...plan, scale });
} finally {
  await bare.stop();
}

const report = {
  date: started.toISOString(),
  // A --db URL's password stays out of the report (it is written to files meant to be shared).
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/(\/\/[^/:@\s]*:)[^\s]*@/g, '$1***@'),
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, db: opt.db ? 'postgres' : 'sqlite' },
  settings: { connections, duration, warmup, rounds, tiny: opt.tiny, logLevel: 'warn', scale },
  zones,
  targets: { ratios: TARGETS, scaleP99Factor: SCALE_P99_FACTOR, scaleRssLimit: SCALE_RSS_LIMIT, startupMs: STARTUP_LIMIT_MS },
};
report.verdicts = verdicts(report, wanted);
printTable(report);
// Its folder may not exist yet (bench/results/ is not in the repository).
const writeOut = (file, text) => {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
};
if (opt.json) writeOut(opt.json, JSON.stringify(report, null, 2) + '\n');
if (opt.markdown) writeOut(opt.markdown, markdownTable(report));
if (opt.keep) note(`work dir kept: ${work}`);
else fs.rmSync(work, { recursive: true, force: true });
