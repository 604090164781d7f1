// Nested-group scale: seeds a large group graph straight through the store, then times the
// queries behind effective membership and privileges (store calls and real HTTP requests) and
// prints their query plans. Effective data is computed at query time, so these figures are what
// every such request pays.
//
//   npx tsx bench/nested-groups.ts [--db postgres://USER@HOST:PORT/postgres]
//     [--groups 10000] [--users 50000] [--depth 20] [--reps 200] [--http-reps 50]
//
// SQLite (a file in a temporary data dir) by default. With --db, the URL names a PostgreSQL
// server: the benchmark creates a fresh database `onezone_bench_<random>` on it and drops it after.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CompiledQuery, type Insertable, type Kysely, type KyselyPlugin, sql } from 'kysely';
import pg from 'pg';
import { OnezoneClient } from '../src/client/index.js';
import { loadConfig } from '../src/config.js';
import { groupPrivileges, spacePrivileges } from '../src/domain/privileges.js';
import { newId } from '../src/domain/deps.js';
import { type Connection, connect } from '../src/store/db.js';
import { type Store, createStore } from '../src/store/index.js';
import { migrateToLatest } from '../src/store/migrate.js';
import type { Database } from '../src/store/schema.js';
import { openZone } from '../src/zone.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    groups: { type: 'string', default: '10000' },
    users: { type: 'string', default: '50000' },
    depth: { type: 'string', default: '20' },
    reps: { type: 'string', default: '200' },
    'http-reps': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
  },
});
const count = (name: keyof typeof args, min: number) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
  return n;
};
const DEPTH = count('depth', 1);
const GROUPS = Math.max(count('groups', 2), DEPTH + 1);
const USERS = count('users', 1);
const REPS = count('reps', 1);
const HTTP_REPS = count('http-reps', 1);
const SPACES = Math.max(10, Math.round(GROUPS / 10));
const BATCH = 500;
const now = Math.floor(Date.now() / 1000);

/** Deterministic randomness (mulberry32), so two runs build the same graph. */
let state = count('seed', 0) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (n: number) => Math.floor(random() * n);

// ---------------------------------------------------------------- the graph

/**
 * Group 0 is the top group. Groups 1..DEPTH form one full-depth chain below it (the deep member
 * sits in group DEPTH). Every other group comes in chains of random length hung under a random
 * existing group, never deeper than DEPTH, which gives fan-out at every level. 3% of the groups
 * also get a second parent higher up (a DAG, not a tree: paths meet again, as in real
 * organisations). Edges carry all privileges, or now and then a random subset, so the privilege
 * walk meets several masks per group.
 */
interface Edge {
  parent: number;
  child: number;
  privileges: number;
}
const level: number[] = [0];
const parentOf: number[] = [-1];
const edges: Edge[] = [];
const edgePrivileges = () => (random() < 0.8 ? groupPrivileges.all : pick(groupPrivileges.all + 1));
function addGroup(parent: number): number {
  const g = level.length;
  level.push(level[parent]! + 1);
  parentOf.push(parent);
  edges.push({ parent, child: g, privileges: g <= DEPTH ? groupPrivileges.all : edgePrivileges() });
  return g;
}
for (let g = 1; g <= DEPTH; g++) addGroup(g - 1);
while (level.length < GROUPS) {
  const length = 1 + pick(Math.min(DEPTH, GROUPS - level.length));
  let at = pick(level.length);
  while (level[at]! + length > DEPTH) at = parentOf[at]!;
  for (let i = 0; i < length; i++) at = addGroup(at);
}
const byLevel: number[][] = Array.from({ length: DEPTH + 1 }, () => []);
level.forEach((l, g) => byLevel[l]!.push(g));
for (let g = 2; g < GROUPS; g++) {
  if (random() >= 0.03) continue;
  const l = pick(level[g]!);
  const parent = byLevel[l]![pick(byLevel[l]!.length)]!;
  if (parent !== parentOf[g]) edges.push({ parent, child: g, privileges: edgePrivileges() });
}

// ---------------------------------------------------------------- the database

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-bench-nested-'));
const pgServer = args.db;
const pgName = pgServer ? `onezone_bench_${randomBytes(6).toString('hex')}` : undefined;
const dbUrl = pgServer && pgName ? withDatabase(pgServer, pgName) : undefined;

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgServer, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const config = loadConfig(['--data-dir', dataDir, '--http', '--port', '0', '--host', '127.0.0.1', ...(dbUrl ? ['--db', dbUrl] : [])], {
  ONEZONE_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
  ONEZONE_PASSWORD_COST: '12',
  ONEZONE_THROTTLE: 'off',
});

/** Progress on stderr, one line per table. */
async function bulk<T extends keyof Database>(db: Kysely<Database>, label: string, total: number, row: (i: number) => Insertable<Database[T]>, table: T) {
  const started = performance.now();
  let i = 0;
  while (i < total) {
    await db.transaction().execute(async (trx) => {
      for (let b = 0; b < 40 && i < total; b++) {
        const rows: Insertable<Database[T]>[] = [];
        for (const end = Math.min(i + BATCH, total); i < end; i++) rows.push(row(i));
        await (trx as Kysely<any>).insertInto(table).values(rows).execute();
      }
    });
    process.stderr.write(`\r  seeding ${label.padEnd(14)} ${i.toLocaleString('en')}/${total.toLocaleString('en')}`);
  }
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

interface Fixture {
  top: string;
  deepUser: string;
  owner: string;
  space: string;
}

async function seed(conn: Connection): Promise<Fixture> {
  const { db } = conn;
  const groupIds = Array.from({ length: GROUPS }, newId);
  // Two extra users: the top group's owner (the HTTP caller) and the deep member.
  const userIds = Array.from({ length: USERS + 2 }, newId);
  const owner = USERS;
  const deepUser = USERS + 1;
  const spaceIds = Array.from({ length: SPACES }, newId);

  await bulk(db, 'groups', GROUPS, (i) => ({ id: groupIds[i]!, name: `g${i}`, type: 'team', created_at: now }), 'groups');
  await bulk(db, 'group nesting', edges.length, (i) => ({
    parent_id: groupIds[edges[i]!.parent]!,
    child_id: groupIds[edges[i]!.child]!,
    privileges: edges[i]!.privileges,
  }), 'group_nested');
  await bulk(db, 'users', userIds.length, (i) => ({
    id: userIds[i]!,
    login: `bench-nested-${i}`,
    name: `user ${i}`,
    password_hash: null,
    alias: '',
    email_list: '[]',
    default_space_id: null,
    created_at: now,
  }), 'users');

  // Every user is a direct member of one random group, one in ten of a second one too.
  const memberships: { group: number; user: number; privileges: number }[] = [];
  for (let u = 0; u < USERS; u++) {
    const first = pick(GROUPS);
    memberships.push({ group: first, user: u, privileges: groupPrivileges.bit('group_view_data') });
    const second = pick(GROUPS);
    if (random() < 0.1 && second !== first) memberships.push({ group: second, user: u, privileges: groupPrivileges.bit('group_view_data') });
  }
  memberships.push({ group: 0, user: owner, privileges: groupPrivileges.all });
  memberships.push({ group: DEPTH, user: deepUser, privileges: groupPrivileges.all });
  await bulk(db, 'group members', memberships.length, (i) => ({
    group_id: groupIds[memberships[i]!.group]!,
    user_id: userIds[memberships[i]!.user]!,
    privileges: memberships[i]!.privileges,
  }), 'group_users');

  // Space 0 has the top group as a member; the others have three random groups and five users each.
  await bulk(db, 'spaces', SPACES, (i) => ({ id: spaceIds[i]!, name: `s${i}`, created_at: now }), 'spaces');
  const spaceGroups = new Map<string, { space: number; group: number }>();
  spaceGroups.set('0:0', { space: 0, group: 0 });
  for (let s = 1; s < SPACES; s++) {
    for (let k = 0; k < 3; k++) {
      const group = pick(GROUPS);
      spaceGroups.set(`${s}:${group}`, { space: s, group });
    }
  }
  const sg = [...spaceGroups.values()];
  await bulk(db, 'space groups', sg.length, (i) => ({
    space_id: spaceIds[sg[i]!.space]!,
    group_id: groupIds[sg[i]!.group]!,
    privileges: sg[i]!.space === 0 ? spacePrivileges.all : spacePrivileges.bit('space_view_data'),
  }), 'space_groups');
  const spaceUsers = new Map<string, { space: number; user: number }>();
  for (let s = 1; s < SPACES; s++) {
    for (let k = 0; k < 5; k++) {
      const user = pick(USERS);
      spaceUsers.set(`${s}:${user}`, { space: s, user });
    }
  }
  for (let k = 0; k < 5; k++) spaceUsers.set(`${1 + k}:${deepUser}`, { space: 1 + k, user: deepUser });
  const su = [...spaceUsers.values()];
  await bulk(db, 'space users', su.length, (i) => ({
    space_id: spaceIds[su[i]!.space]!,
    user_id: userIds[su[i]!.user]!,
    privileges: spacePrivileges.bit('space_view_data'),
  }), 'space_users');

  // PostgreSQL's autovacuum vacuums and analyzes freshly loaded tables on its own within a
  // minute (statistics for the planner, visibility for index-only scans); do it now.
  if (conn.dialect === 'postgres') await sql`vacuum analyze`.execute(db);
  return { top: groupIds[0]!, deepUser: userIds[deepUser]!, owner: userIds[owner]!, space: spaceIds[0]! };
}

// ---------------------------------------------------------------- measuring

interface Figure {
  label: string;
  runs: number;
  median: number;
  p99: number;
  max: number;
  result: string;
}
const figures: Figure[] = [];

/** Warm-up runs first (caches, prepared statements, JIT), then `runs` timed ones, one at a time. */
async function time<T>(label: string, runs: number, fn: () => Promise<T>, describe: (r: T) => string): Promise<void> {
  let last: T | undefined;
  for (let i = 0; i < Math.max(3, Math.round(runs / 10)); i++) last = await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await fn();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  const figure = { label, runs, median: at(0.5), p99: at(0.99), max: ms[ms.length - 1]!, result: describe(last as T) };
  figures.push(figure);
  process.stderr.write(`  timed ${label}\n`);
}

const rows = (r: readonly unknown[]) => `${r.length.toLocaleString('en')} rows`;
const mask = (m: number | undefined) => (m === undefined ? 'not a member' : `mask ${m}`);

async function timeStore(conn: Connection, f: Fixture): Promise<void> {
  const store = createStore(conn);
  // What returning this many ids costs with no graph at all: the floor under the two lists below.
  await time('reference: all user ids, no graph', REPS, () => conn.db.selectFrom('users').select('id').orderBy('id').execute(), rows);
  await time('store groups.effectiveUsers(top)', REPS, () => store.groups.effectiveUsers(f.top), rows);
  await time('store groups.effectivePrivileges(top, deep user)', REPS, () => store.groups.effectivePrivileges(f.top, f.deepUser), mask);
  await time('store groups.hasEffectiveUser(top, deep user)', REPS, () => store.groups.hasEffectiveUser(f.top, f.deepUser), String);
  await time('store groups.effectiveOfUser(deep user)', REPS, () => store.groups.effectiveOfUser(f.deepUser), rows);
  await time('store spaces.ofUser(deep user)', REPS, () => store.spaces.ofUser(f.deepUser), rows);
  await time('store spaces.effectivePrivileges(space, deep user)', REPS, () => store.spaces.effectivePrivileges(f.space, f.deepUser), mask);
  await time('store spaces.effectiveUsers(space)', REPS, () => store.spaces.effectiveUsers(f.space), rows);
  await time('store onezone.effectiveOfUser(deep user)', REPS, () => store.onezone.effectiveOfUser(f.deepUser), mask);
}

/**
 * Every query a store call sends, compiled as the database receives it. A plugin sees each
 * built query on its way to the driver (compiling it again gives the exact SQL and parameters);
 * the queries the store compiled once (db.ts `prepared`) arrive compiled, through
 * `executeQuery`, which is wrapped. This instance has no answer cache, so every call reaches SQL.
 */
function capturing(conn: Connection): { store: Store; take(): CompiledQuery[] } {
  let seen: CompiledQuery[] = [];
  const executor = () => conn.db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery(a) {
      seen.push(executor().compileQuery(a.node, a.queryId));
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  const db = conn.db.withPlugin(plugin);
  const execute = db.executeQuery.bind(db);
  db.executeQuery = ((query: CompiledQuery, ...rest: unknown[]) => {
    if ('sql' in query) seen.push(query);
    return (execute as (...args: unknown[]) => ReturnType<typeof execute>)(query, ...rest);
  }) as typeof db.executeQuery;
  return {
    store: createStore({ ...conn, db }),
    take: () => {
      const out = seen;
      seen = [];
      return out;
    },
  };
}

async function explain(conn: Connection, f: Fixture): Promise<string> {
  const { store, take } = capturing(conn);
  const calls: [string, () => Promise<unknown>][] = [
    ['groups.effectiveUsers(top)', () => store.groups.effectiveUsers(f.top)],
    ['groups.effectivePrivileges(top, deep user)', () => store.groups.effectivePrivileges(f.top, f.deepUser)],
    ['spaces.ofUser(deep user)', () => store.spaces.ofUser(f.deepUser)],
    ['spaces.effectivePrivileges(space, deep user)', () => store.spaces.effectivePrivileges(f.space, f.deepUser)],
    ['spaces.effectiveUsers(space)', () => store.spaces.effectiveUsers(f.space)],
    ['onezone.effectiveOfUser(deep user)', () => store.onezone.effectiveOfUser(f.deepUser)],
  ];
  const out: string[] = [];
  for (const [name, call] of calls) {
    take();
    await call();
    for (const q of take()) {
      out.push(`-- ${name}\n${q.sql.replace(/\s+/g, ' ').trim()}`);
      if (conn.dialect === 'sqlite') {
        const plan = await conn.db.executeQuery<{ id: number; parent: number; detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
        const depthOf = new Map<number, number>([[0, 0]]);
        for (const r of plan.rows) {
          const d = (depthOf.get(r.parent) ?? 0) + 1;
          depthOf.set(r.id, d);
          out.push(`${'  '.repeat(d)}${r.detail}`);
        }
      } else {
        const plan = await conn.db.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain (analyze, costs off, timing off, summary off) ${q.sql}`, [...q.parameters]),
        );
        for (const r of plan.rows) out.push(`  ${r['QUERY PLAN']}`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}

async function timeHttp(f: Fixture): Promise<void> {
  const zone = await openZone(config, { logStream: new Writable({ write: (_c, _e, done) => done() }) });
  try {
    await zone.app.listen({ port: 0, host: '127.0.0.1' });
    const address = zone.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const baseUrl = `http://127.0.0.1:${port}/api/v3/onezone`;
    const tokenOf = (userId: string, login: string) => zone.services.accessTokens.mint({ kind: 'user', userId, login });
    const owner = new OnezoneClient({ baseUrl, credentials: { token: await tokenOf(f.owner, 'owner') } });
    const deep = new OnezoneClient({ baseUrl, credentials: { token: await tokenOf(f.deepUser, 'deep') } });
    try {
      await time('HTTP GET /groups/{top}/effective_users', HTTP_REPS, () => owner.groups.effectiveUsers(f.top), rows);
      await time('HTTP GET /groups/{top}/effective_users/{deep}/privileges', HTTP_REPS, () => deep.groups.effectiveUserPrivileges(f.top, f.deepUser), (p) => `${p.length} privileges`);
      await time('HTTP GET /user/spaces (deep user)', HTTP_REPS, () => deep.user.spaces(), (r) => rows(r.spaces));
      await time('HTTP GET /spaces/{space}/users?effective=true', HTTP_REPS, () => owner.spaces.users(f.space, { effective: true }), rows);
    } finally {
      await owner.close();
      await deep.close();
    }
  } finally {
    await zone.close();
  }
}

function report(dialect: string, plans: string): string {
  const n = (x: number) => x.toLocaleString('en');
  const ms = (x: number) => x.toFixed(2).padStart(9);
  const width = Math.max(...figures.map((f) => f.label.length));
  const lines = [
    `nested groups on ${dialect}: ${n(GROUPS)} groups (${n(edges.length)} nesting edges, chains up to ${DEPTH} deep), ${n(USERS)} users, ${n(SPACES)} spaces`,
    '',
    `${'operation'.padEnd(width)}    median       p99       max  runs  result`,
    ...figures.map((f) => `${f.label.padEnd(width)} ${ms(f.median)} ${ms(f.p99)} ${ms(f.max)} ${String(f.runs).padStart(5)}  ${f.result}`),
    '(times in ms, warm, one request at a time)',
    '',
    'query plans:',
    plans,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (pgName) await onServer(`create database ${pgName}`);
  try {
    const conn = await connect(config.db);
    let fixture: Fixture;
    let plans: string;
    try {
      await migrateToLatest(conn.db);
      fixture = await seed(conn);
      await timeStore(conn, fixture);
      plans = await explain(conn, fixture);
    } finally {
      // SQLite admits one process (connection) per file: the zone opens it next.
      await conn.close();
    }
    await timeHttp(fixture);
    process.stdout.write(report(config.db.kind === 'postgres' ? 'PostgreSQL' : 'SQLite', plans) + '\n');
  } finally {
    if (pgName) await onServer(`drop database if exists ${pgName} with (force)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
