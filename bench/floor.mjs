#!/usr/bin/env node
// The floor of a join and of a mint: a bare node:http server doing only what such a request
// cannot skip, on the zone's own database and tokens (no framework, no validation, no logging,
// no error paths, no audit reads), loaded like the zone and the baseline, alternately. What it
// reaches bounds what any Node.js implementation on SQLite reaches on this machine.
//
//   npm run bench -- --scenario 3,4 --keep           # makes a work dir; prints where it is
//   node bench/floor.mjs --work /tmp/onezone-bench-XXXX [--rounds 3] [--scenario 3,4] [--ladder]
//
// --ladder also loads the floor's server with less of the work, stage by stage, between the
// baseline and the floor: `http` (the request read and an answer of the same shape sent, nothing
// else), `+tokens` (and the bearer token and, for a join, the invite proven; for a mint an id and
// the macaroon made: no database), `+reads` (and every read, nothing written, no transaction).
//
// Per request, like the zone:
// - mint (GET /spaces/{id}/users/token): the bearer token proven (remembered, as the zone does),
//   its row and user read, the space checked, the caller's effective privileges read (recursive,
//   through groups), an id made, the token row and an audit event inserted, the commit (group
//   commit: one transaction per turn of the event loop, answers sent after it), a macaroon of
//   two caveats made and sent.
// - join (POST /user/spaces/join): the JSON body parsed, a new bearer token proven, its row and
//   user read, then in the transaction: the invite proven and its row read, the space checked,
//   the issuer's privileges read, the membership inserted, the use counted (conditional update),
//   an audit event inserted, the commit, a 201 with its Location.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setImmediate } from 'node:timers';
import { parseArgs } from 'node:util';
import { cpuMicros, freePort, root, runToEnd, startServer, stopServer } from './processes.mjs';

const API = '/api/v3/onezone';

if (process.argv[2] === 'serve') await serve(...process.argv.slice(3));
else await compare();

async function serve(file, keyFile, stage, port) {
  const [{ default: Database }, { mintToken, verifyToken }] = await Promise.all([
    import('better-sqlite3'),
    import(path.join(root, 'dist', 'tokens', 'tokens.js')),
  ]);
  const masterKey = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64url');
  // A writer, and a reader for reads outside transactions: the zone's two connections.
  const writer = new Database(file);
  const reader = new Database(file, { readonly: true });
  for (const c of [writer, reader]) {
    c.pragma('journal_mode = WAL');
    c.pragma('synchronous = NORMAL');
    c.pragma('cache_size = -65536');
    c.pragma('temp_store = MEMORY');
  }
  const ancestors = `with recursive anc(group_id) as (
    select group_id from group_users where user_id = ? union select gn.parent_id from group_nested gn join anc on gn.child_id = anc.group_id)`;
  const privilegesSql = `${ancestors} select privileges from space_users where space_id = ? and user_id = ?
    union all select privileges from space_groups where space_id = ? and group_id in (select group_id from anc)`;
  const subject = reader.prepare(
    `select t.revoked, t.expires_at, u.id as userId from tokens t join users u on u.id = t.issuer_id where t.id = ? and t.issuer_type = 'user'`,
  );
  const readerSpace = reader.prepare('select 1 from spaces where id = ?');
  const readerPrivileges = reader.prepare(privilegesSql);
  const invite = writer.prepare('select * from tokens where id = ?');
  const writerSpace = writer.prepare('select 1 from spaces where id = ?');
  const issuerPrivileges = writer.prepare('select privileges from space_users where space_id = ? and user_id = ?');
  const insertMember = writer.prepare('insert into space_users (space_id, user_id, privileges) values (?, ?, ?) on conflict do nothing');
  const countUse = writer.prepare(
    'update tokens set usage_count = usage_count + 1 where id = ? and revoked = 0 and (expires_at is null or expires_at > ?) and (usage_limit is null or usage_count < usage_limit)',
  );
  const insertToken = writer.prepare(
    'insert into tokens (id, kind, type, issuer_type, issuer_id, target_type, target_id, privileges, usage_limit, usage_count, expires_at, revoked, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertAudit = writer.prepare(
    'insert into audit_events (at, actor_type, actor_id, action, target_type, target_id, subject_type, subject_id, details) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const begin = writer.prepare('begin');
  const commit = writer.prepare('commit');

  let batch = [];
  const inTransaction = (answer) => {
    if (batch.length === 0) {
      begin.run();
      setImmediate(() => {
        commit.run();
        const sent = batch;
        batch = [];
        for (const [res, status, headers, body] of sent) res.writeHead(status, headers).end(body);
      });
    }
    batch.push(answer);
  };
  const fail = (res, status) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"floor"}');
  const now = () => Math.floor(Date.now() / 1000);
  const caller = (req) => {
    const claims = verifyToken(masterKey, (req.headers.authorization ?? '').slice('Bearer '.length));
    const row = claims && subject.get(claims.id);
    return row && !row.revoked && (row.expires_at === null || row.expires_at > now()) ? row.userId : undefined;
  };

  // The ladder (--ladder): the same request answered with less of its work, stage by stage.
  // http: the answer's shape alone; token: + the bearer token proven and the macaroon made (no
  // database); reads: + every read, outside a transaction, nothing written; full: the floor.
  const sent = (res, status, headers, body) => res.writeHead(status, headers).end(body);
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const fakeToken = mintToken(masterKey, 'onezone', 'x'.repeat(43), ['tokenType = space_invite_user_token', `time < ${now() + 7 * 24 * 3600}`]);
  const mint = (req, res, spaceId) => {
    if (stage === 'http') return sent(res, 200, json, JSON.stringify({ token: fakeToken }));
    if (stage === 'token') {
      if (!verifyToken(masterKey, (req.headers.authorization ?? '').slice('Bearer '.length))) return fail(res, 401);
      const id = randomBytes(32).toString('base64url').slice(0, 43);
      return sent(res, 200, json, JSON.stringify({ token: mintToken(masterKey, 'onezone', id, [`tokenType = space_invite_user_token`, `time < ${now() + 7 * 24 * 3600}`]) }));
    }
    const userId = caller(req);
    if (!userId) return fail(res, 401);
    if (!readerSpace.get(spaceId)) return fail(res, 404);
    if (!readerPrivileges.all(userId, spaceId, userId, spaceId).reduce((m, r) => m | r.privileges, 0)) return fail(res, 403);
    const id = randomBytes(32).toString('base64url').slice(0, 43);
    const t = now();
    const expiresAt = t + 7 * 24 * 3600;
    if (stage === 'reads') return sent(res, 200, json, JSON.stringify({ token: mintToken(masterKey, 'onezone', id, [`tokenType = space_invite_user_token`, `time < ${expiresAt}`]) }));
    inTransaction([res, 200, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ token: mintToken(masterKey, 'onezone', id, [`tokenType = space_invite_user_token`, `time < ${expiresAt}`]) })]);
    insertToken.run(id, 'invite', 'space_invite_user_token', 'user', userId, 'space', spaceId, null, 1, 0, expiresAt, 0, t);
    insertAudit.run(t, 'user', userId, 'token.mint', 'space', spaceId, null, null, JSON.stringify({ tokenId: id, type: 'space_invite_user_token', usageLimit: 1 }));
  };

  const readerInvite = reader.prepare('select * from tokens where id = ?');
  const readerIssuer = reader.prepare('select privileges from space_users where space_id = ? and user_id = ?');
  const join = (req, res, body) => {
    if (stage === 'http') return JSON.parse(body).token ? sent(res, 201, { location: `/user/spaces/${spaceOfJoins}` }, '') : fail(res, 400);
    if (stage === 'token') {
      const ok = verifyToken(masterKey, (req.headers.authorization ?? '').slice('Bearer '.length)) && verifyToken(masterKey, JSON.parse(body).token);
      return ok ? sent(res, 201, { location: `/user/spaces/${spaceOfJoins}` }, '') : fail(res, 400);
    }
    const userId = caller(req);
    if (!userId) return fail(res, 401);
    const claims = verifyToken(masterKey, JSON.parse(body).token);
    if (!claims) return fail(res, 400);
    const t = now();
    if (stage === 'reads') {
      const row = readerInvite.get(claims.id);
      if (!row || row.revoked || row.expires_at <= t || !readerSpace.get(row.target_id) || !readerIssuer.get(row.target_id, row.issuer_id)) return fail(res, 400);
      return sent(res, 201, { location: `/user/spaces/${row.target_id}` }, '');
    }
    inTransaction([res, 201, { location: '' }, '']);
    const row = invite.get(claims.id);
    const answer = batch.at(-1);
    if (!row || row.revoked || row.expires_at <= t || !writerSpace.get(row.target_id) || !issuerPrivileges.get(row.target_id, row.issuer_id)) {
      answer[1] = 400;
      return;
    }
    answer[2] = { location: `/user/spaces/${row.target_id}` };
    if (insertMember.run(row.target_id, userId, row.privileges ?? 1).changes === 0) return;
    insertAudit.run(t, 'user', userId, 'space.user.join', 'space', row.target_id, 'user', userId, JSON.stringify({ tokenId: row.id }));
    if (countUse.run(row.id, t).changes === 0) answer[1] = 400;
  };

  const spaceOfJoins = reader.prepare("select target_id from tokens where kind = 'invite' and target_type = 'space' limit 1").pluck().get();
  const mintPath = new RegExp(`^${API}/spaces/([A-Za-z0-9_-]+)/users/token$`);
  http
    .createServer((req, res) => {
      const m = req.method === 'GET' ? mintPath.exec(req.url) : null;
      if (m) return mint(req, res, m[1]);
      if (req.method !== 'POST' || req.url !== `${API}/user/spaces/join`) return fail(res, 404);
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => join(req, res, Buffer.concat(chunks).toString()));
    })
    .listen(Number(port), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

async function compare() {
  const { values: opt } = parseArgs({
    options: {
      work: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      scenario: { type: 'string', default: '3,4' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      ladder: { type: 'boolean', default: false },
    },
  });
  if (!opt.work) throw new Error('--work DIR: a work dir kept by `npm run bench -- --scenario 3,4 --keep`');
  const zoneDir = path.join(opt.work, 'empty');
  const fixtures = JSON.parse(fs.readFileSync(path.join(zoneDir, 'fixtures.json'), 'utf8'));
  const jobs = fs.readdirSync(opt.work).filter((f) => /^job-.*\.json$/.test(f)).map((f) => JSON.parse(fs.readFileSync(path.join(opt.work, f), 'utf8')));
  const joinJob = jobs.find((j) => j.path?.endsWith('/user/spaces/join'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-floor-'));
  const scenarios = {
    3: {
      title: 'join',
      // Every server starts from a copy of the database whose join space is reset (resetJoins),
      // so each may use every joiner.
      job: () => ({
        method: joinJob.method,
        path: joinJob.path,
        headers: joinJob.headers,
        body: joinJob.body,
        rotate: joinJob.rotate,
      }),
    },
    4: {
      title: 'mint',
      job: () => ({ method: 'GET', path: `${API}/spaces/${fixtures.mintSpaceId}/users/token`, headers: { authorization: `Bearer ${fixtures.ownerToken}` } }),
    },
  };
  const floor = (stage) => (dir) => ['bench/floor.mjs', 'serve', path.join(dir, 'onezone.sqlite'), path.join(dir, 'master.key'), stage];
  const servers = {
    baseline: () => ['bench/baseline.mjs'],
    ...(opt.ladder ? { 'http': floor('http'), '+tokens': floor('token'), '+reads': floor('reads') } : {}),
    floor: floor('full'),
    zone: (dir) => ['dist/onezone.mjs', 'serve', '--data-dir', dir, '--http', '--host', '127.0.0.1', '--port'],
  };
  const writes = (name) => name === 'floor' || name === 'zone';
  for (let round = 1; round <= Number(opt.rounds); round++) {
    for (const n of opt.scenario.split(',')) {
      const scenario = scenarios[n];
      const answered = {};
      for (const [name, args] of Object.entries(servers)) {
        const dir = path.join(scratch, name);
        fs.rmSync(dir, { recursive: true, force: true });
        if (name !== 'baseline') {
          fs.cpSync(zoneDir, dir, { recursive: true, filter: (f) => !f.endsWith('.txt') });
          await resetJoins(dir, fixtures.joinSpaceId);
        }
        const port = await freePort();
        const log = path.join(scratch, `${name}.log`);
        const env = { ...process.env, ONEZONE_LOG_LEVEL: 'warn' };
        const { child } = await startServer([...args(dir), String(port)], { env, log, port });
        const job = {
          url: `http://127.0.0.1:${port}`,
          connections: Number(opt.connections),
          duration: Number(opt.duration),
          warmup: Number(opt.duration) < 5 ? 0 : 1,
          ...(name === 'baseline' ? { method: 'GET', path: '/' } : scenario.job()),
        };
        const jobFile = path.join(scratch, 'job.json');
        fs.writeFileSync(jobFile, JSON.stringify(job));
        const members = () => (!writes(name) || n !== '3' ? 0 : joinSpaceMembers(dir, fixtures.joinSpaceId));
        const membersBefore = await members();
        const before = cpuMicros(child.pid);
        const result = JSON.parse(await runToEnd(['bench/load.mjs', jobFile], { log, capture: true, timeoutMs: 120_000 }));
        const cpu = (cpuMicros(child.pid) - before) / result.requestsIncludingWarmup;
        await stopServer(child);
        if (result.total === 0 || result.errors > 0 || result.non2xx > 0) {
          throw new Error(`${name}: ${result.total} requests, ${result.errors} errors, ${result.non2xx} not 2xx (log: ${log})`);
        }
        // Every 201 a membership that is really there, for the floor as for the zone; requests in
        // flight when the warm-up and the run stopped may have joined too, uncounted.
        const joined = (await members()) - membersBefore;
        const counted = !writes(name) || n !== '3' ? 0 : result.okIncludingWarmup;
        if (joined < counted || joined > counted + 2 * job.connections || (counted === 0 && writes(name) && n === '3')) throw new Error(`${name}: ${counted} joins answered, ${joined} members added`);
        answered[name] = result.rps;
        const ratio = name === 'baseline' ? '' : ` = ${(result.rps / answered.baseline).toFixed(2)} of the baseline`;
        const line = `round ${round}, ${scenario.title}: ${name.padEnd(8)} ${Math.round(result.rps)} req/s, p99 ${result.p99} ms, ${cpu.toFixed(1)} µs CPU a request, ${result.non2xx} non-2xx${ratio}`;
        console.log(line);
      }
    }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}

/** The join space as seeded: the kept run's joiners out again, its invite unused. */
async function resetJoins(dir, spaceId) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(dir, 'onezone.sqlite'));
  try {
    const invite = db.prepare("select id, issuer_id from tokens where kind = 'invite' and target_type = 'space' and target_id = ?").get(spaceId);
    db.prepare('delete from space_users where space_id = ? and user_id <> ?').run(spaceId, invite.issuer_id);
    db.prepare('update tokens set usage_count = 0 where id = ?').run(invite.id);
  } finally {
    db.close();
  }
}

async function joinSpaceMembers(dir, spaceId) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(dir, 'onezone.sqlite'), { readonly: true });
  try {
    return db.prepare('select count(*) as n from space_users where space_id = ?').get(spaceId).n;
  } finally {
    db.close();
  }
}
