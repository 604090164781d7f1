import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Agent, request } from 'undici';
import { onezonePrivileges } from '../../src/domain/privileges.js';
import { fails } from '../helpers/assert.js';
import { ADMIN_PASSWORD, TEST_DB, type TestZone, startZone } from '../helpers/zone.js';
import { leakedSecrets } from '../security/support.js';

/** `name{labels}` exactly as the exposition prints it -> its value; series never printed read as 0. */
function parse(text: string): (series: string) => number {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return (series) => values.get(series) ?? 0;
}

const USER_ROUTE = '/api/v3/onezone/user';
const requestsOf = (route: string, status: number, method = 'GET') => `onezone_http_requests_total{method="${method}",route="${route}",status="${status}"}`;
const joins = (outcome: string) => `onezone_joins_total{outcome="${outcome}"}`;
const minted = (type: string) => `onezone_tokens_minted_total{type="${type}"}`;
const authFailures = (kind: string) => `onezone_auth_failures_total{kind="${kind}"}`;

describe('GET /metrics', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const scrape = async () => parse(await z.admin.zone.metrics());
  /** How much each series moved while `act` ran. */
  const delta = async (act: () => Promise<unknown>) => {
    const before = await scrape();
    await act();
    const after = await scrape();
    return (series: string) => after(series) - before(series);
  };

  it('refuses callers without credentials (401), with bad ones (401) and without view_privileges (403)', async () => {
    await fails(z.client().zone.metrics(), 401, 'unauthorized');
    await fails(z.client({ token: `${alice.token.slice(0, -4)}AAAA` }).zone.metrics(), 401);
    await fails(z.client({ basic: { login: alice.login, password: 'wrong-password' } }).zone.metrics(), 401);
    await fails(alice.api.zone.metrics(), 403, 'forbidden');
    await fails(z.client({ basic: { login: alice.login, password: alice.password } }).zone.metrics(), 403, 'forbidden');
  });

  it('answers admins with Basic or a token, and holders of view_privileges alone, in Prometheus text', async () => {
    const adminToken = await z.admin.user.clientToken();
    for (const api of [z.admin, z.client({ token: adminToken, header: 'bearer' })]) {
      assert.match(await api.zone.metrics(), /^# HELP onezone_/m);
    }
    const viewer = await z.user('viewer');
    await z.zone.store.onezone.set('user', viewer.id, onezonePrivileges.bit('view_privileges'));
    assert.match(await viewer.api.zone.metrics(), /onezone_http_requests_total/);

    const res = await request(`${new URL(z.baseUrl).origin}/metrics`, { headers: { 'x-auth-token': adminToken } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    await res.body.text();
  });

  it('counts requests by route pattern and status, and times them', async () => {
    const moved = await delta(async () => {
      for (let i = 0; i < 3; i++) await alice.api.user.get();
    });
    assert.equal(moved(requestsOf(USER_ROUTE, 200)), 3);
    assert.equal(moved(`onezone_http_request_duration_seconds_count{method="GET",route="${USER_ROUTE}"}`), 3);
    assert.equal(moved(`onezone_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="${USER_ROUTE}"}`), 3);
  });

  it('labels entity paths by their pattern and unknown paths as `unmatched`, never by the URL', async () => {
    const space = await alice.api.user.createSpace('metrics-lab');
    const nowhere = `/no-such-path-${Date.now()}`;
    const before = await scrape();
    await alice.api.spaces.get(space);
    await fails(alice.api.http.call('GET', nowhere), 404);
    const text = await z.admin.zone.metrics();
    const after = parse(text);
    assert.equal(after(requestsOf('/api/v3/onezone/spaces/:id', 200)) - before(requestsOf('/api/v3/onezone/spaces/:id', 200)), 1);
    assert.equal(after(requestsOf('unmatched', 404)) - before(requestsOf('unmatched', 404)), 1);
    assert.ok(!text.includes(space) && !text.includes(nowhere), 'no URL in the labels');
  });

  it('counts refused credentials by kind', async () => {
    const moved = await delta(async () => {
      await fails(z.client({ basic: { login: alice.login, password: 'wrong-password' } }).user.get(), 401);
      await fails(z.client({ token: `${alice.token.slice(0, -4)}AAAA` }).user.get(), 401);
      await fails(z.client({ token: 'garbage', header: 'bearer' }).user.get(), 401);
      // A wrong current password, on a request whose token is good: a refused password.
      await fails(alice.api.user.changePassword('not-the-password', 'another-password-1'), 401);
    });
    assert.equal(moved(authFailures('basic')), 2);
    assert.equal(moved(authFailures('token')), 2);
    assert.equal(moved(authFailures('certificate')), 0);
  });

  it('counts joins by outcome: joined, already a member, refused', async () => {
    const space = await alice.api.user.createSpace('metrics-join');
    const bob = await z.user('bob');
    const first = await alice.api.spaces.userInviteToken(space);
    let moved = await delta(() => bob.api.user.joinSpace(first));
    assert.deepEqual([moved(joins('joined')), moved(joins('already_member')), moved(joins('refused'))], [1, 0, 0]);

    const second = await alice.api.spaces.userInviteToken(space);
    moved = await delta(() => bob.api.user.joinSpace(second));
    assert.deepEqual([moved(joins('joined')), moved(joins('already_member')), moved(joins('refused'))], [0, 1, 0]);

    moved = await delta(() => fails(bob.api.user.joinSpace('not-a-token'), 400, 'invalid_token'));
    assert.deepEqual([moved(joins('joined')), moved(joins('already_member')), moved(joins('refused'))], [0, 0, 1]);

    // Group joins count in the same series.
    const group = await alice.api.user.createGroup('metrics-group', 'team');
    const groupInvite = await alice.api.groups.userInviteToken(group);
    moved = await delta(() => bob.api.user.joinGroup(groupInvite));
    assert.equal(moved(joins('joined')), 1);
  });

  it('counts minted tokens by type', async () => {
    const space = await alice.api.user.createSpace('metrics-mint');
    let moved = await delta(() => alice.api.spaces.userInviteToken(space));
    assert.equal(moved(minted('space_invite_user_token')), 1);
    assert.equal(moved(minted('access')), 0);
    moved = await delta(() => alice.api.user.clientToken());
    assert.equal(moved(minted('access')), 1);
    assert.equal(moved(minted('space_invite_user_token')), 0);
  });

  // The SQLite driver counts its commits and cached reads itself (store/sqlite-driver.ts); the
  // PostgreSQL pool exposes no such counters, so these series exist on SQLite only.
  it('exposes the SQLite driver counters; a write adds a commit', { skip: TEST_DB === 'postgres' && 'SQLite driver series only' }, async () => {
    const before = await scrape();
    for (const name of ['commits', 'writes', 'failed_commits', 'cache_hits', 'cache_misses']) {
      assert.ok((await z.admin.zone.metrics()).includes(`\nonezone_sqlite_${name}_total `), name);
    }
    await alice.api.user.createSpace('metrics-write');
    const after = await scrape();
    assert.ok(after('onezone_sqlite_commits_total') > before('onezone_sqlite_commits_total'));
    assert.ok(after('onezone_sqlite_writes_total') > before('onezone_sqlite_writes_total'));
  });

  // pg.Pool keeps the counts; SQLite has no pool (one writer and one reader connection).
  it('exposes the PostgreSQL pool: active and idle connections, waiting requests', { skip: TEST_DB === 'sqlite' && 'PostgreSQL pool series only' }, async () => {
    const pool = (state: string) => `onezone_db_pool_connections{state="${state}"}`;
    const idle = await scrape();
    // The scrape's own authorization query has given its connection back by the time the pool is read.
    assert.equal(idle(pool('active')), 0);
    assert.ok(idle(pool('idle')) >= 1);
    assert.equal(idle('onezone_db_pool_waiting'), 0);
    // A transaction left open holds a connection while the scrape reads the pool.
    const busy = await z.zone.store.transaction(async (tx) => {
      await tx.users.byId(alice.id);
      return scrape();
    });
    assert.ok(busy(pool('active')) >= 1);
    assert.ok(!(await z.admin.zone.metrics()).includes('onezone_sqlite_'), 'no SQLite series on PostgreSQL');
  });

  it('has the default process metrics, prefixed', async () => {
    const text = await z.admin.zone.metrics();
    assert.match(text, /^onezone_process_cpu_seconds_total /m);
    assert.match(text, /^onezone_nodejs_eventloop_lag_seconds /m);
  });

  it('never shows a token or a password', async () => {
    const invite = await alice.api.spaces.userInviteToken(await alice.api.user.createSpace('metrics-secret'));
    await fails(z.client({ token: invite }).user.get(), 401);
    const text = await z.admin.zone.metrics();
    assert.deepEqual(leakedSecrets(text, [alice.token, alice.password, ADMIN_PASSWORD, invite]), []);
  });
});

describe('GET /metrics: throttling', async () => {
  const z: TestZone = await startZone({ env: { ONEZONE_THROTTLE: 'on', ONEZONE_THROTTLE_ATTEMPTS: '2', ONEZONE_THROTTLE_WINDOW: '60' } });

  it('counts 429 answers', async () => {
    const before = parse(await z.admin.zone.metrics());
    // Failures from another loopback address, so that the admin's scrapes are not throttled.
    const elsewhere = new Agent({ localAddress: '127.0.0.2' });
    const basic = { authorization: `Basic ${Buffer.from('nobody:wrong').toString('base64')}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(`${z.baseUrl}/user`, { headers: basic, dispatcher: elsewhere });
      await res.body.text();
      statuses.push(res.statusCode);
    }
    await elsewhere.close();
    assert.deepEqual(statuses, [401, 401, 429, 429]);
    const after = parse(await z.admin.zone.metrics());
    assert.equal(after('onezone_throttled_total') - before('onezone_throttled_total'), 2);
    assert.equal(after(authFailures('basic')) - before(authFailures('basic')), 2);
    assert.equal(after(requestsOf(USER_ROUTE, 429)) - before(requestsOf(USER_ROUTE, 429)), 2);
  });
});

describe('GET /metrics: garbage collections', async () => {
  const z = await startZone();
  const majors = async () => parse(await z.admin.zone.metrics())('onezone_nodejs_gc_duration_seconds_count{kind="major"}');

  it('counts every collection, also when Node reports several at once', async () => {
    // Collections forced back to back, in one turn of the event loop: Node reports them to the
    // observer together, in one list.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const before = await majors();
    for (let i = 0; i < 5; i++) gc();
    let after = before;
    for (let i = 0; i < 50 && after < before + 5; i++) {
      await sleep(20);
      after = await majors();
    }
    // The scrapes may collect too; what matters is that none of the five went uncounted.
    assert.ok(after >= before + 5, `${after - before} major collections counted for 5 forced`);
  });
});

describe('GET /metrics: closing the app', async () => {
  const z = await startZone();
  const me = await z.admin.user.get();
  // Read through the service: the HTTP server is gone once the app is closed, the store is not.
  const scrape = async () => (await z.zone.services.metrics.read({ kind: 'user', userId: me.userId, login: me.login })).text;
  const gcCount = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('onezone_nodejs_gc_duration_seconds_count{'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  /** Makes short-lived garbage (young-generation collections) and lets timers and observers run. */
  const churn = async () => {
    let keep: object[] = [];
    for (let i = 0; i < 2_000_000; i++) {
      keep.push({ i });
      if (keep.length === 1000) keep = [];
    }
    await sleep(50);
  };
  const lagMax = (text: string) => parse(text)('onezone_nodejs_eventloop_lag_max_seconds');

  it('stops the event-loop delay monitor and the garbage-collection observer of the process metrics', async () => {
    // While the app runs, both monitors record: each scrape resets the delay histogram, and the
    // event loop turning in between fills it again; collections are observed.
    const gcBefore = gcCount(await scrape());
    let live = '';
    for (let i = 0; i < 20 && gcCount(live) <= gcBefore; i++) {
      await churn();
      live = await scrape();
    }
    assert.ok(gcCount(live) > gcBefore, 'collections are counted while the app runs');
    await churn();
    assert.ok(lagMax(await scrape()) > 0, 'the event-loop delay is recorded while the app runs');

    await z.zone.app.close();
    // This scrape still shows what was recorded before the close, and resets the histogram.
    const gcAtClose = gcCount(await scrape());
    for (let i = 0; i < 5; i++) await churn();
    const closed = await scrape();
    assert.equal(lagMax(closed), 0, 'no event-loop delay recorded after close');
    assert.equal(gcCount(closed), gcAtClose, 'no collection observed after close');
  });
});
