import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { OnezoneClient } from '../../src/client/index.js';
import { type SpacePrivilege, spacePrivileges } from '../../src/domain/privileges.js';
import { spawnZone } from '../helpers/process.js';

const KILLS = 20;
const WORKERS = 6;
const PASSWORD = 'crash-admin-password';
const ALL_SPACE = spacePrivileges.all;
const CHOICES: SpacePrivilege[][] = [['space_view_data'], ['space_view_data', 'space_invite_user'], ['space_view_data', 'space_change_data', 'space_remove_user'], []];

interface Ledger {
  /** Spaces whose creation was acknowledged, with their creator. */
  spaces: Map<string, string>;
  /** Acknowledged joins: `${spaceId} ${userId}`. */
  joins: Set<string>;
  /** Per `${spaceId} ${userId}`: the last acknowledged privilege mask and one that was in flight at the kill. */
  privileges: Map<string, { acked?: number; pending?: number }>;
}

describe('crash safety: kill -9 under concurrent writes, restart on the same data dir', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-crash-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'zone');
  const args = ['--data-dir', dataDir, '--http', '--port', '0', '--host', '127.0.0.1'];
  const env = { ONEZONE_ADMIN_PASSWORD: PASSWORD, ONEZONE_THROTTLE: 'off', ONEZONE_LOG_LEVEL: 'warn' };

  it(`every acknowledged write survives ${KILLS} kills; nothing is half-done; integrity_check is ok`, async () => {
    const ledger: Ledger = { spaces: new Map(), joins: new Set(), privileges: new Map() };
    const users: { id: string; token: string }[] = [];
    let zone = await spawnZone(args, env);
    {
      const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: PASSWORD } } });
      for (let i = 0; i < WORKERS; i++) {
        const created = await admin.users.create({ login: `worker${i}`, password: `worker-${i}-password`, name: `w${i}` });
        const basic = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: `worker${i}`, password: `worker-${i}-password` } } });
        users.push({ id: created.userId, token: await basic.user.clientToken() });
        await basic.close();
      }
      await admin.close();
    }

    let acknowledged = 0;
    const deadline = Date.now() + 240_000;
    for (let kill = 1; kill <= KILLS; kill++) {
      assert.ok(Date.now() < deadline, 'crash test ran out of time');
      let stop = false;
      const clients = users.map((u) => new OnezoneClient({ baseUrl: zone.url, credentials: { token: u.token } }));
      // Each worker acts as its own user and touches only its own spaces, so its writes are ordered.
      const workers = users.map(async (u, w) => {
        const api = clients[w]!;
        const next = users[(w + 1) % users.length]!;
        let n = 0;
        while (!stop) {
          const spaceId = await api.user.createSpace(`k${kill}-w${w}-${n++}`);
          ledger.spaces.set(spaceId, u.id);
          acknowledged++;
          const token = await api.spaces.userInviteToken(spaceId);
          acknowledged++;
          await clients[(w + 1) % users.length]!.user.joinSpace(token);
          ledger.joins.add(`${spaceId} ${next.id}`);
          acknowledged++;
          const entry = { acked: undefined as number | undefined, pending: undefined as number | undefined };
          ledger.privileges.set(`${spaceId} ${next.id}`, entry);
          for (const choice of CHOICES) {
            entry.pending = spacePrivileges.toMask(choice);
            await api.spaces.setUserPrivileges(spaceId, next.id, choice);
            entry.acked = entry.pending;
            entry.pending = undefined;
            acknowledged++;
          }
        }
      });
      const settled = Promise.allSettled(workers);
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 600)));
      zone.proc.kill('SIGKILL');
      stop = true;
      await zone.stop();
      await settled;
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      verify(path.join(dataDir, 'onezone.sqlite'), ledger);
      zone = await spawnZone(args, env);
    }
    // The last restart serves the same data through the API too.
    const check = new OnezoneClient({ baseUrl: zone.url, credentials: { token: users[0]!.token } });
    const mine = [...ledger.spaces].filter(([, creator]) => creator === users[0]!.id).map(([id]) => id);
    const listed = new Set((await check.user.spaces()).spaces);
    for (const id of mine) assert.ok(listed.has(id), `space ${id} listed after restart`);
    await check.close();
    assert.equal(await zone.stop('SIGTERM'), 0);
    assert.ok(ledger.spaces.size >= KILLS, `work was done between kills (${ledger.spaces.size} spaces)`);
    process.stdout.write(`# crash: ${KILLS} kills survived, ${acknowledged} acknowledged writes checked, ${ledger.spaces.size} spaces\n`);
  });
});

function verify(file: string, ledger: Ledger): void {
  const db = new Database(file);
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    const members = new Map<string, number>();
    for (const r of db.prepare('select space_id, user_id, privileges from space_users').all() as { space_id: string; user_id: string; privileges: number }[]) {
      members.set(`${r.space_id} ${r.user_id}`, r.privileges);
    }
    for (const [spaceId, creator] of ledger.spaces) {
      assert.equal(members.get(`${spaceId} ${creator}`), ALL_SPACE, `acknowledged space ${spaceId} has its creator with all privileges`);
    }
    for (const join of ledger.joins) assert.ok(members.has(join), `acknowledged join ${join} is present`);
    for (const [key, { acked, pending }] of ledger.privileges) {
      if (acked === undefined && pending === undefined) continue;
      const actual = members.get(key);
      assert.ok(actual === acked || (pending !== undefined && actual === pending), `privileges of ${key}: ${actual} is ${acked} or in-flight ${pending}`);
    }
    // No half-done creation: every space has a member with all privileges (its creator).
    const orphans = db.prepare(`select id from spaces s where not exists (select 1 from space_users m where m.space_id = s.id and m.privileges = ?)`).all(ALL_SPACE);
    assert.deepEqual(orphans, [], 'spaces without their creator');
    // No half-done join: each space's used invites equal its members other than the creator.
    const mismatched = db
      .prepare(
        `select s.id,
           (select coalesce(sum(t.usage_count), 0) from tokens t where t.target_type = 'space' and t.target_id = s.id and t.kind = 'invite') as uses,
           (select count(*) from space_users m where m.space_id = s.id) - 1 as joined
         from spaces s`,
      )
      .all()
      .filter((r) => (r as { uses: number; joined: number }).uses !== (r as { uses: number; joined: number }).joined);
    assert.deepEqual(mismatched, [], 'a membership without its use counted, or a use without its membership');
  } finally {
    db.close();
  }
}
