// Seeds a benchmark zone straight through the store (run before the server starts: SQLite allows
// one process per file). Bulk rows go in batched multi-row inserts inside transactions and carry
// no password hashes; the users the load acts as get real access tokens, minted by the zone's own
// access-token service. Usage: node --import tsx bench/seed.ts PLAN.json (see run.mjs for PLAN).
import fs from 'node:fs';
import path from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import { loadConfig } from '../src/config.js';
import { accessTokenService } from '../src/domain/access-tokens.js';
import { newId, systemClock } from '../src/domain/deps.js';
import { groupPrivileges, spacePrivileges } from '../src/domain/privileges.js';
import { connect } from '../src/store/db.js';
import { type Store, createStore } from '../src/store/index.js';
import { migrateToLatest } from '../src/store/migrate.js';
import type { Database } from '../src/store/schema.js';

export interface SeedPlan {
  dataDir: string;
  db?: string;
  /** Users whose tokens scenario 1 rotates through. */
  readers: number;
  /** Users who each join once in scenario 3. */
  joiners: number;
  /** Spaces of the scenario 5 member. */
  memberSpaces: number;
  /** Scenario 6: a chain of this many nested groups holding `groupUsers` users in all. */
  groupDepth: number;
  groupUsers: number;
  /** Scenario 7: bulk data around the fixtures. */
  scale?: { users: number; spaces: number; memberships: number };
}

export interface Fixtures {
  readerTokens: string;
  joinerTokens: string;
  ownerToken: string;
  joinSpaceId: string;
  mintSpaceId: string;
  memberToken: string;
  groupId: string;
}

const BATCH = 500;
const now = systemClock();

const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as SeedPlan;
const config = loadConfig(['--data-dir', plan.dataDir, ...(plan.db ? ['--db', plan.db] : [])], process.env);
// The key the server will use: from the environment, else the data dir's key file (as the zone reads it).
const masterKey = config.masterKey ?? Buffer.from(fs.readFileSync(path.join(plan.dataDir, 'master.key'), 'utf8').trim(), 'base64url');
// Seeding only: a large page cache for random-key B-tree inserts, no fsync (db.ts `bulkLoad`).
const conn = await connect(config.db, { bulkLoad: true });
await migrateToLatest(conn.db);
const db = conn.db;
const store = createStore(conn);
const deps = { store, clock: systemClock, ids: newId, masterKey, config };

/** Progress on stderr: a redrawn bar on a terminal, a line per 10% elsewhere. */
function progress(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const started = Date.now();
  return (done: number) => {
    const frac = total === 0 ? 1 : done / total;
    const tenth = Math.floor(frac * 10);
    if (tty) {
      const bar = '#'.repeat(Math.round(frac * 30)).padEnd(30, '.');
      process.stderr.write(`\r  seeding ${label.padEnd(18)} [${bar}] ${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
      if (done >= total) process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } else if (tenth !== lastTenth || done >= total) {
      lastTenth = tenth;
      if (tenth % 5 === 0 || done >= total) process.stderr.write(`  seeding ${label}: ${Math.round(frac * 100)}%\n`);
    }
  };
}

/** Inserts `count` rows made by `row(i)` in batches, one transaction per 100 batches. */
async function bulk<T extends keyof Database>(label: string, table: T, count: number, row: (i: number) => Insertable<Database[T]>) {
  const show = progress(label, count);
  let i = 0;
  while (i < count) {
    await db.transaction().execute(async (trx) => {
      for (let b = 0; b < 100 && i < count; b++) {
        const rows: Insertable<Database[T]>[] = [];
        for (const end = Math.min(i + BATCH, count); i < end; i++) rows.push(row(i));
        await (trx as Kysely<any>).insertInto(table).values(rows).execute();
      }
    });
    show(i);
  }
}

const userRow = (id: string, login: string) => ({
  id,
  login,
  name: login,
  password_hash: null,
  alias: '',
  email_list: '[]',
  default_space_id: null,
  created_at: now,
});

/** New users, each with an access token from the zone's own service; tokens go one per line to `file`. */
async function usersWithTokens(label: string, count: number, file: string): Promise<string> {
  const show = progress(label, count);
  const out = fs.openSync(file, 'w');
  let i = 0;
  const accessTokens = accessTokenService(deps);
  while (i < count) {
    const users: ReturnType<typeof userRow>[] = [];
    for (const end = Math.min(i + BATCH, count); i < end; i++) users.push(userRow(newId(), `bench-${label}-${i}`));
    await store.transaction(async (tx: Store) => {
      for (const u of users) await tx.users.insert(u);
    });
    // Each mint is a transaction of its own (the token row and its audit event); concurrent ones share commits.
    const tokens = await Promise.all(users.map((u) => accessTokens.mint({ kind: 'user', userId: u.id, login: u.login })));
    fs.writeSync(out, tokens.join('\n') + '\n');
    show(i);
  }
  fs.closeSync(out);
  return file;
}

async function oneUser(login: string): Promise<{ id: string; token: string }> {
  const id = newId();
  await store.users.insert(userRow(id, login));
  const token = await accessTokenService(deps).mint({ kind: 'user', userId: id, login });
  return { id, token };
}

async function space(name: string, ownerId: string): Promise<string> {
  const id = newId();
  await store.spaces.insert({ id, name, created_at: now });
  await store.spaces.addUser(id, ownerId, spacePrivileges.all);
  return id;
}

if (plan.scale) {
  const { users, spaces, memberships } = plan.scale;
  const userIds = Array.from({ length: users }, newId);
  const spaceIds = Array.from({ length: spaces }, newId);
  await bulk('users', 'users', users, (i) => userRow(userIds[i]!, `scale-${i}`));
  await bulk('spaces', 'spaces', spaces, (i) => ({ id: spaceIds[i]!, name: `scale-${i}`, created_at: now }));
  // User i belongs to `perUser` distinct spaces, spread evenly over all of them.
  const perUser = Math.max(1, Math.round(memberships / users));
  const stride = Math.max(1, Math.floor(spaces / perUser));
  await bulk('memberships', 'space_users', users * perUser, (n) => {
    const i = Math.floor(n / perUser);
    const k = n % perUser;
    return { space_id: spaceIds[(i + k * stride) % spaces]!, user_id: userIds[i]!, privileges: spacePrivileges.bit('space_view_data') };
  });
}

const dir = path.dirname(process.argv[2]!);
const readerTokens = await usersWithTokens('readers', plan.readers, path.join(dir, 'reader-tokens.txt'));
const joinerTokens = await usersWithTokens('joiners', plan.joiners, path.join(dir, 'joiner-tokens.txt'));

const owner = await oneUser('bench-owner');
const joinSpaceId = await space('bench-join', owner.id);
const mintSpaceId = await space('bench-mint', owner.id);

const member = await oneUser('bench-member');
const memberSpaceIds = Array.from({ length: plan.memberSpaces }, newId);
await bulk('member spaces', 'spaces', plan.memberSpaces, (i) => ({ id: memberSpaceIds[i]!, name: `member-${i}`, created_at: now }));
await bulk('member links', 'space_users', plan.memberSpaces, (i) => ({
  space_id: memberSpaceIds[i]!,
  user_id: member.id,
  privileges: spacePrivileges.bit('space_view_data'),
}));

// A chain: group 0 holds group 1, which holds group 2, …; users spread evenly over the chain.
const groupIds = Array.from({ length: plan.groupDepth }, newId);
await bulk('groups', 'groups', plan.groupDepth, (i) => ({ id: groupIds[i]!, name: `chain-${i}`, type: 'team', created_at: now }));
await bulk('group nesting', 'group_nested', plan.groupDepth - 1, (i) => ({
  parent_id: groupIds[i]!,
  child_id: groupIds[i + 1]!,
  privileges: groupPrivileges.all,
}));
const groupUserIds = Array.from({ length: plan.groupUsers }, newId);
await bulk('group users', 'users', plan.groupUsers, (i) => userRow(groupUserIds[i]!, `bench-grouped-${i}`));
await bulk('group members', 'group_users', plan.groupUsers, (i) => ({
  group_id: groupIds[i % plan.groupDepth]!,
  user_id: groupUserIds[i]!,
  privileges: groupPrivileges.bit('group_view_data'),
}));
await store.groups.addUser(groupIds[0]!, owner.id, groupPrivileges.all);

const fixtures: Fixtures = {
  readerTokens,
  joinerTokens,
  ownerToken: owner.token,
  joinSpaceId,
  mintSpaceId,
  memberToken: member.token,
  groupId: groupIds[0]!,
};
fs.writeFileSync(path.join(dir, 'fixtures.json'), JSON.stringify(fixtures, null, 2));
await conn.close();
