import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { OnezoneClient, tokenId } from '../../src/client/index.js';
import { cli, sessionFiles } from '../helpers/cli.js';
import { ensureBuilt, spawnZone } from '../helpers/process.js';
import { ADMIN_PASSWORD, type TestUser, startZone } from '../helpers/zone.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const newSession = sessionFiles(tmp);

/**
 * A stand-in for a zone, or for what may sit in front of one: answers by `METHOD path` (without
 * the API root), `hang` never answers. Closed when the test file ends.
 */
async function fakeZone(answers: Record<string, { status: number; type?: string; body?: string; headers?: Record<string, string> } | 'hang'>): Promise<string> {
  const server = http.createServer((req, res) => {
    const answer = answers[`${req.method} ${req.url!.replace(/^\/api\/v3\/onezone/, '')}`] ?? { status: 404, type: 'application/json', body: '{"error":"not_found"}' };
    if (answer === 'hang') return;
    res.writeHead(answer.status, { ...(answer.type && { 'content-type': answer.type }), ...answer.headers }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/onezone`;
}

/** A session file for `zone` holding a made-up token, as if `login` had saved it. */
function sessionFor(zone: string): string {
  const session = newSession();
  fs.mkdirSync(path.dirname(session), { recursive: true });
  fs.writeFileSync(session, JSON.stringify({ zone, token: 'made-up-token' }), { mode: 0o600 });
  return session;
}

const savedToken = (session: string): string => (JSON.parse(fs.readFileSync(session, 'utf8')) as { token: string }).token;

/** Asserts success and returns stdout. */
async function ok(args: string[], opts: Parameters<typeof cli>[1]): Promise<string> {
  const r = await cli(args, opts);
  assert.equal(r.code, 0, `onezone ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('onezone client commands (the built CLI against a real zone)', async () => {
  ensureBuilt();
  const z = await startZone();

  /** A new user of the zone, logged in through the CLI in a session file of their own. */
  async function loggedIn(name: string): Promise<TestUser & { session: string }> {
    const user = await z.user(name);
    const session = newSession();
    await ok(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session, stdin: `${user.password}\n` });
    return { ...user, session };
  }

  it('login --password-stdin saves a 0600 session file; whoami shows the user; logout removes it', async () => {
    const alice = await z.user('alice');
    const session = newSession();
    const login = await cli(['login', '--zone', z.baseUrl, '--user', alice.login, '--password-stdin'], { session, stdin: `${alice.password}\n` });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(fs.statSync(session).mode & 0o777, 0o600);
    const saved = JSON.parse(fs.readFileSync(session, 'utf8')) as { zone: string; token: string };
    assert.equal(saved.zone, z.baseUrl);
    assert.doesNotMatch(fs.readFileSync(session, 'utf8'), new RegExp(alice.password));
    for (const out of [login.stdout, login.stderr]) {
      assert.ok(!out.includes(saved.token), 'the token is not printed');
      assert.ok(!out.includes(alice.password), 'the password is not printed');
    }
    // The saved token is a working access token of alice.
    const api = z.client({ token: saved.token });
    assert.equal((await api.user.get()).userId, alice.id);

    const me = JSON.parse(await ok(['whoami', '--json'], { session })) as { userId: string; login: string; zone: string };
    assert.deepEqual([me.userId, me.login, me.zone], [alice.id, alice.login, z.baseUrl]);
    assert.match(await ok(['whoami'], { session }), new RegExp(`^Login:\\s+${alice.login}$`, 'm'));

    const logout = await cli(['logout'], { session });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(logout.stdout.trim(), 'Logged out.');
    assert.equal(logout.stderr, '', 'no warning: the zone revoked the token');
    assert.equal(fs.existsSync(session), false);
    await assert.rejects(api.user.get(), /401 invalid_token: Provided access token has been revoked/, 'logout revoked the saved token on the zone');
    assert.equal((await alice.api.tokens.get(tokenId(saved.token))).revoked, true);
    assert.equal((await alice.api.user.get()).userId, alice.id, "alice's other tokens still work");
    const after = await cli(['whoami'], { session });
    assert.equal(after.code, 1);
    assert.match(after.stderr, /^onezone: not logged in/);
  });

  it('password: the current one, then the new one, from stdin or the environment; a wrong current one changes nothing', async () => {
    const user = await loggedIn('passwd');
    const signsIn = async (password: string) =>
      (await cli(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session: newSession(), stdin: `${password}\n` })).code === 0;
    const wrong = await cli(['password', '--passwords-stdin'], { session: user.session, stdin: 'not-it\nthe new one 1\n' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /The current password is wrong/);
    assert.equal(await signsIn(user.password), true);

    const changed = await cli(['password', '--passwords-stdin', '--json'], { session: user.session, stdin: `${user.password}\nthe new one 1\n` });
    assert.equal(changed.code, 0, changed.stderr);
    assert.deepEqual(JSON.parse(changed.stdout), { passwordChanged: true });
    for (const out of [changed.stdout, changed.stderr, wrong.stdout, wrong.stderr]) assert.ok(!out.includes('the new one') && !out.includes(user.password));
    assert.equal(await signsIn(user.password), false);
    assert.equal(await signsIn('the new one 1'), true);

    const env = await cli(['password'], { session: user.session, env: { ONEZONE_PASSWORD: 'the new one 1', ONEZONE_NEW_PASSWORD: 'the new one 2' } });
    assert.equal(env.code, 0, env.stderr);
    assert.equal(await signsIn('the new one 2'), true);
    const none = await cli(['password'], { session: user.session, stdin: '' });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--passwords-stdin/);
  });

  it('logout --json revokes the token of the zone it was saved for, even when --zone names another', async () => {
    const user = await loggedIn('jsonlogout');
    const saved = (JSON.parse(fs.readFileSync(user.session, 'utf8')) as { token: string }).token;
    const out = JSON.parse(await ok(['logout', '--json', '--zone', 'http://127.0.0.1:1'], { session: user.session }));
    assert.deepEqual(out, { loggedOut: true, tokenRevoked: true });
    await assert.rejects(z.client({ token: saved }).user.get(), /401/);
    assert.deepEqual(JSON.parse(await ok(['logout', '--json'], { session: user.session })), { loggedOut: false, tokenRevoked: false });
  });

  it('logout with the zone out of reach still forgets the session, and says the token was not revoked', async () => {
    const user = await loggedIn('offline');
    const saved = JSON.parse(fs.readFileSync(user.session, 'utf8')) as { zone: string; token: string };
    // The same session, saved for a zone that no longer answers (nothing listens on port 1).
    fs.writeFileSync(user.session, JSON.stringify({ ...saved, zone: 'http://127.0.0.1:1/api/v3/onezone' }), { mode: 0o600 });
    const r = await cli(['logout'], { session: user.session });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Logged out.');
    assert.match(r.stderr, /^onezone: the token could not be revoked at http:\/\/127\.0\.0\.1:1\/api\/v3\/onezone: .*ECONNREFUSED.*; it stays valid until it expires/);
    assert.ok(!r.stderr.includes(saved.token), 'the token is not printed');
    assert.equal(fs.existsSync(user.session), false);
    // Not revoked, as the warning says.
    assert.equal((await z.client({ token: saved.token }).user.get()).userId, user.id);
  });

  it('logout with a token the zone already refuses: logged out, no warning', async () => {
    const user = await loggedIn('refused');
    const saved = (JSON.parse(fs.readFileSync(user.session, 'utf8')) as { token: string }).token;
    await user.api.tokens.remove(tokenId(saved));
    const r = await cli(['logout', '--json'], { session: user.session });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), { loggedOut: true, tokenRevoked: false });
    assert.equal(fs.existsSync(user.session), false);
  });

  it('login takes the password from ONEZONE_PASSWORD too, and the zone from ONEZONE_URL', async () => {
    const user = await z.user('envuser');
    const session = newSession();
    await ok(['login', '--user', user.login], { session, env: { ONEZONE_URL: z.baseUrl, ONEZONE_PASSWORD: user.password } });
    assert.equal(JSON.parse(await ok(['whoami', '--json'], { session })).login, user.login);
  });

  it('a wrong password: exit 1, one line naming the error, never the password, and no session saved', async () => {
    const user = await z.user('wrongpw');
    const session = newSession();
    const wrong = 'not-the-password-4711';
    const r = await cli(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session, stdin: `${wrong}\n` });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^onezone: .+ \(401 unauthorized\)\n$/);
    assert.ok(!r.stderr.includes(wrong));
    assert.equal(fs.existsSync(session), false);
  });

  it("names are shown with their control characters escaped: another member's name cannot clear the screen or forge a row", async () => {
    const alice = await loggedIn('alice');
    const mallory = await loggedIn('mallory');
    const sid = (await ok(['spaces', 'create', 'Plain'], { session: alice.session })).trim();
    await ok(['spaces', 'join', (await ok(['spaces', 'invite', sid], { session: alice.session })).trim()], { session: mallory.session });
    const forged = `${'A'.repeat(43)}  root   Root`;
    await mallory.api.user.modify({ name: `m\u001b[2J\u001b[H\n${forged}\u202e` });
    const gid = (await ok(['groups', 'create', 'evil\u001b]0;pwned\u0007'], { session: mallory.session })).trim();

    const members = await ok(['spaces', 'members', sid], { session: alice.session });
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(members), JSON.stringify(members));
    assert.equal(members.trim().split('\n').length, 3, 'a header and two members');
    assert.match(members, new RegExp(`^${mallory.id}  ${mallory.login}\\s+m\\\\u001b\\[2J\\\\u001b\\[H\\\\u000aA{43}  root   Root\\\\u202e$`, 'm'));
    const shown = await ok(['groups', 'show', gid], { session: mallory.session });
    assert.match(shown, /^Name: +evil\\u001b\]0;pwned\\u0007$/m);
    // Scripts read the names as they are.
    const json = JSON.parse(await ok(['spaces', 'members', sid, '--json'], { session: alice.session })) as { userId: string; name: string }[];
    assert.equal(json.find((m) => m.userId === mallory.id)?.name, `m\u001b[2J\u001b[H\n${forged}\u202e`);
  });

  it('spaces: alice creates and invites (--uses 2), bob joins with the token on stdin, both are members', async () => {
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const sid = (await ok(['spaces', 'create', 'Shared data'], { session: alice.session })).trim();
    assert.match(sid, /^[A-Za-z0-9_-]{43}$/);

    const invite = await ok(['spaces', 'invite', sid, '--uses', '2'], { session: alice.session });
    assert.match(invite, /^[A-Za-z0-9_-]+\n$/, 'only the token, on one line');
    assert.equal((await ok(['spaces', 'join', '-'], { session: bob.session, stdin: invite })).trim(), sid);

    const bobs = JSON.parse(await ok(['spaces', '--json'], { session: bob.session })) as { spaceId: string; name: string; default: boolean }[];
    assert.deepEqual(bobs, [{ spaceId: sid, name: 'Shared data', canonicalName: 'Shared data', providersSupports: {}, default: false }]);
    await ok(['spaces', 'default', sid], { session: bob.session });
    const table = await ok(['spaces'], { session: bob.session });
    assert.match(table, /^SPACE ID\s+NAME\s+DEFAULT\n/);
    assert.match(table, new RegExp(`^${sid}  Shared data  \\*$`, 'm'));

    const members = await ok(['spaces', 'members', sid], { session: alice.session });
    assert.match(members, /^USER ID\s+LOGIN\s+NAME\n/);
    for (const u of [alice, bob]) assert.match(members, new RegExp(`^${u.id}  ${u.login}\\s+\\S`, 'm'));
    const json = JSON.parse(await ok(['spaces', 'members', sid, '--json'], { session: alice.session })) as { userId: string }[];
    assert.deepEqual(json.map((m) => m.userId).sort(), [alice.id, bob.id].sort());

    // The invite allows a second use, and the space can be left.
    const carol = await loggedIn('carol');
    assert.equal((await ok(['spaces', 'join', invite.trim()], { session: carol.session })).trim(), sid);
    await ok(['spaces', 'leave', sid], { session: carol.session });
    assert.deepEqual(JSON.parse(await ok(['spaces', '--json'], { session: carol.session })), []);
  });

  it('spaces show and default', async () => {
    const dana = await loggedIn('dana');
    const first = (await ok(['spaces', 'create', 'first'], { session: dana.session })).trim();
    const second = (await ok(['spaces', 'create', 'second'], { session: dana.session })).trim();
    assert.match(await ok(['spaces', 'show', second], { session: dana.session }), /^Name:\s+second$/m);
    assert.equal(JSON.parse(await ok(['spaces', 'show', second, '--json'], { session: dana.session })).spaceId, second);
    assert.equal((await ok(['spaces', 'default'], { session: dana.session })).trim(), 'No default space.');
    assert.deepEqual(JSON.parse(await ok(['spaces', 'default', '--json'], { session: dana.session })), { spaceId: null });
    await ok(['spaces', 'default', first], { session: dana.session });
    assert.equal((await ok(['spaces', 'default'], { session: dana.session })).trim(), first);
    await ok(['spaces', 'default', second], { session: dana.session });
    assert.deepEqual(JSON.parse(await ok(['spaces', 'default', '--json'], { session: dana.session })), { spaceId: second });
  });

  it('the options every command takes may come between its words: spaces --json show ID', async () => {
    const olga = await loggedIn('olga');
    const sid = (await ok(['spaces', 'create', 'between'], { session: olga.session })).trim();
    // --json before the subcommand applies to it.
    const gid = (JSON.parse(await ok(['groups', '--json', 'create', 'g-between'], { session: olga.session })) as { groupId: string }).groupId;
    for (const args of [
      ['spaces', '--json', 'show', sid],
      ['spaces', '--zone', z.baseUrl, '--json', 'show', sid],
      ['spaces', `--zone=${z.baseUrl}`, '--timeout', '20', 'show', '--json', sid],
      // Before the command too.
      ['--json', 'spaces', 'show', sid],
      ['--zone', z.baseUrl, 'spaces', 'show', sid, '--json'],
    ]) {
      assert.equal(JSON.parse(await ok(args, { session: olga.session })).name, 'between', args.join(' '));
    }
    const members = JSON.parse(await ok(['groups', '--json', 'members', gid, '--effective'], { session: olga.session })) as { userId: string }[];
    assert.deepEqual(members.map((m) => m.userId), [olga.id]);
    assert.match(await ok(['spaces', '-h', 'show'], { session: olga.session }), /^Usage: onezone spaces show ID /);
    // A word that is no subcommand is still named as what it is.
    const r = await cli(['spaces', '--json', 'frobnicate'], { session: olga.session });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^onezone: unknown command 'spaces frobnicate'\nUsage: onezone spaces /);
    const none = await cli(['--json'], { session: olga.session });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^onezone: no command; 'onezone --help' lists them\n$/);
    const unknown = await cli(['--json', 'frobnicate'], { session: olga.session });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^onezone: unknown command 'frobnicate'; 'onezone --help' lists them\n$/);
  });

  it('groups: create with a type, invite, join from stdin, members (direct and effective), leave', async () => {
    const erin = await loggedIn('erin');
    const frank = await loggedIn('frank');
    const gid = (await ok(['groups', 'create', 'Lab', '--type', 'team'], { session: erin.session })).trim();
    assert.deepEqual(JSON.parse(await ok(['groups', 'show', gid, '--json'], { session: erin.session })), { groupId: gid, name: 'Lab', type: 'team' });

    const token = await ok(['groups', 'invite', gid, '--uses', '1', '--ttl', '600'], { session: erin.session });
    assert.match(token, /^[A-Za-z0-9_-]+\n$/);
    assert.equal((await ok(['groups', 'join', '-'], { session: frank.session, stdin: token })).trim(), gid);

    const franks = JSON.parse(await ok(['groups', '--json'], { session: frank.session })) as { groupId: string }[];
    assert.deepEqual(franks, [{ groupId: gid, name: 'Lab', type: 'team' }]);
    assert.match(await ok(['groups'], { session: frank.session }), new RegExp(`^${gid}  Lab\\s+team$`, 'm'));
    for (const extra of [[], ['--effective']]) {
      const members = JSON.parse(await ok(['groups', 'members', gid, '--json', ...extra], { session: erin.session })) as { login: string }[];
      assert.deepEqual(members.map((m) => m.login).sort(), [erin.login, frank.login].sort());
    }
    // The single-use invite is spent.
    const george = await loggedIn('george');
    const spent = await cli(['groups', 'join', token.trim()], { session: george.session });
    assert.equal(spent.code, 1);
    assert.match(spent.stderr, /^onezone: .+ \(400 invalid_token\)\n$/);

    await ok(['groups', 'leave', gid], { session: frank.session });
    assert.deepEqual(JSON.parse(await ok(['groups', '--json'], { session: frank.session })), []);
  });

  it('token mints a new working access token and prints only it', async () => {
    const hank = await loggedIn('hank');
    const out = await ok(['token'], { session: hank.session });
    assert.match(out, /^[A-Za-z0-9_-]+\n$/);
    assert.equal((await z.client({ token: out.trim() }).user.get()).userId, hank.id);
    assert.equal(typeof JSON.parse(await ok(['token', '--json'], { session: hank.session })).token, 'string');
  });

  it('API errors: exit 1 and one line "onezone: <description> (<status> <code>)"', async () => {
    const ivy = await loggedIn('ivy');
    const r = await cli(['spaces', 'show', 'no-such-space'], { session: ivy.session });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^onezone: .+ \((403 forbidden|404 not_found)\)\n$/);
    const bad = await cli(['spaces', 'join', 'not-a-token'], { session: ivy.session });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'onezone: Provided token could not be validated. (400 invalid_token)\n');
  });

  /** The zone's `admin`, logged in through the CLI. */
  async function adminSession(): Promise<string> {
    const session = newSession();
    await ok(['login', '--zone', z.baseUrl, '--user', 'admin', '--password-stdin'], { session, stdin: ADMIN_PASSWORD });
    return session;
  }

  it('audit: an administrator reads the trail, filtered, as a table or --json, page by page or --all', async () => {
    const admin = await adminSession();
    const kate = await loggedIn('kate');
    const spaces: string[] = [];
    for (const name of ['audit-a', 'audit-b', 'audit-c']) spaces.push((await ok(['spaces', 'create', name], { session: kate.session })).trim());

    const table = await ok(['audit', '--target-type', 'space', '--target-id', spaces[0]!], { session: admin });
    assert.match(table, /^ID\s+TIME \(UTC\)\s+ACTOR\s+ACTION\s+TARGET\s+SUBJECT\s+DETAILS\n/);
    assert.match(table, new RegExp(`^\\d+\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+user:${kate.id}\\s+space\\.create\\s+space:${spaces[0]}\\s+-`, 'm'));
    assert.doesNotMatch(table, new RegExp(`space:(${spaces[1]}|${spaces[2]})`), 'only the space asked for');

    type Page = { events: { id: number; actorId: string | null; action: string; targetType: string; targetId: string }[]; next?: number };
    const json = (args: string[]) => ok([...args, '--json'], { session: admin }).then((out) => JSON.parse(out) as Page);
    const all = (await json(['audit', '--actor-id', kate.id, '--all'])).events;
    assert.ok(all.every((e) => e.actorId === kate.id));
    assert.deepEqual(
      all.filter((e) => e.action === 'space.create').map((e) => e.targetId),
      spaces,
      'her three spaces, oldest first',
    );
    assert.deepEqual((await json(['audit', '--actor-id', kate.id])).events, all, 'one default page holds them all');

    // Pages of two: `next` is the `after` of the following page; --all walks them to the end.
    const first = await json(['audit', '--actor-id', kate.id, '--limit', '2']);
    assert.deepEqual(first.events, all.slice(0, 2));
    assert.equal(first.next, all[1]!.id);
    const second = await json(['audit', '--actor-id', kate.id, '--limit', '2', '--after', String(first.next)]);
    assert.deepEqual(second.events, all.slice(2, 4));
    assert.deepEqual((await json(['audit', '--actor-id', kate.id, '--limit', '2', '--all'])).events, all);
    assert.match(await ok(['audit', '--actor-id', kate.id, '--limit', '2'], { session: admin }), new RegExp(`\\nMore events follow: add --after ${first.next}, or use --all\\.\\n$`));

    // What the zone would refuse is refused here, as a usage error (exit 2), before anything is sent.
    const refusals: [string[], RegExp][] = [
      [['--limit', '5000'], /^onezone: --limit must be a whole number from 1 to 1000\n/],
      [['--target-type', 'planet'], /^onezone: --target-type must be one of space, group, user, provider, zone\n/],
      [['--target-id', 'a/b'], /^onezone: --target-id is not a valid id\n/],
      [['--actor-id', 'x'.repeat(65)], /^onezone: --actor-id is not a valid id\n/],
    ];
    for (const [args, message] of refusals) {
      const r = await cli(['audit', ...args], { session: admin });
      assert.equal(r.code, 2, `audit ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /\nUsage: onezone audit /);
    }
    assert.equal((await json(['audit', '--limit', '1000', '--target-type', 'space'])).events.length > 0, true, 'the bounds themselves pass');
  });

  it('metrics: an administrator gets the Prometheus text as the zone serves it (--json wraps it)', async () => {
    const admin = await adminSession();
    const text = await ok(['metrics'], { session: admin });
    assert.match(text, /^# HELP onezone_http_requests_total /m);
    assert.match(text, /^onezone_joins_total\{outcome="joined"\} \d+$/m);
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), 'nothing added to the text');
    const wrapped = JSON.parse(await ok(['metrics', '--json'], { session: admin })) as { metrics: string };
    assert.match(wrapped.metrics, /^# HELP onezone_http_requests_total /m);
  });

  it('audit and metrics refuse a user who is not a zone administrator: exit 1, 403 forbidden', async () => {
    const leo = await loggedIn('leo');
    for (const args of [['audit'], ['audit', '--all', '--json'], ['metrics']]) {
      const r = await cli(args, { session: leo.session });
      assert.equal(r.code, 1, `onezone ${args.join(' ')}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^onezone: .+ \(403 forbidden\)\n$/);
    }
  });

  it('usage errors: exit 2 with the usage of the command', async () => {
    const session = newSession();
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^onezone: unknown command 'frobnicate'/],
      [['spaces', 'frobnicate'], /^onezone: unknown command 'spaces frobnicate'\nUsage: onezone spaces /],
      [['spaces', '--bogus'], /^onezone: Unknown option '--bogus'\nUsage: onezone spaces /],
      [['spaces', 'show'], /^onezone: missing ID\nUsage: onezone spaces show ID/],
      [['spaces', 'invite', 'x', '--uses', 'many'], /^onezone: --uses must be a positive whole number or 'unlimited'\nUsage: onezone spaces invite/],
      [['groups', 'create', 'g', '--type', 'tribe'], /^onezone: --type must be one of/],
      [['login', '--zone', z.baseUrl], /^onezone: missing --user LOGIN\nUsage: onezone login/],
      [['login', '--zone', z.baseUrl, '--user', 'x', '--password', 'secret'], /^onezone: Unknown option '--password'/],
      [['login', '--zone', 'ftp://example.com', '--user', 'x'], /^onezone: the zone URL must be http\(s\)/],
      [['audit', '--limit', '0'], /^onezone: --limit must be a whole number from 1 to 1000\nUsage: onezone audit /],
      [['audit', '--after', 'last'], /^onezone: --after must be a whole number\nUsage: onezone audit /],
      [['audit', '--action', 'space.create'], /^onezone: Unknown option '--action'/],
      [['metrics', 'now'], /^onezone: unexpected argument 'now'\nUsage: onezone metrics /],
    ];
    for (const [args, expected] of cases) {
      const r = await cli(args, { session });
      assert.equal(r.code, 2, `onezone ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, '');
    }
    const help = await cli(['spaces', 'invite', '--help'], { session });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: onezone spaces invite ID \[--uses N\|unlimited\] \[--ttl SECONDS\]/);
  });

  it('an id that starts with a dash is an argument, not an option', async () => {
    const jack = await loggedIn('jack');
    const r = await cli(['spaces', 'show', '-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], { session: jack.session });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /\((403 forbidden|404 not_found)\)\n$/);
  });

  it('an id that could name another path (.., ., empty, a/b, %2E%2E) is a usage error, and nothing is sent', async () => {
    const kim = await loggedIn('kim');
    const sid = (await ok(['spaces', 'create', 'kept'], { session: kim.session })).trim();
    const cases: [string[], string][] = [
      [['spaces', 'leave', '..'], 'spaces leave'],
      [['spaces', 'leave', '.'], 'spaces leave'],
      [['spaces', 'leave', ''], 'spaces leave'],
      [['spaces', 'show', '%2E%2E'], 'spaces show'],
      [['spaces', 'members', 'some/where'], 'spaces members'],
      [['groups', 'leave', '../../user'], 'groups leave'],
      [['spaces', 'invite', '..'], 'spaces invite'],
    ];
    for (const [args, name] of cases) {
      const r = await cli(args, { session: kim.session });
      assert.equal(r.code, 2, `onezone ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^onezone: not a valid id: ".*"\\nUsage: onezone ${name} `));
      assert.equal(r.stderr.split('\n').length, 3, 'one line and the usage, no stack');
    }
    // spaces default sends the id in its body: checked alike.
    const empty = await cli(['spaces', 'default', ''], { session: kim.session });
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /^onezone: not a valid id: ""\nUsage: onezone spaces default /);
    // A token where its id belongs: refused, with neither the token nor a part of it in the
    // message, and not sent (it would be in the request's URL, which proxies log).
    const token = (await ok(['token'], { session: kim.session })).trim();
    const invite = (await ok(['spaces', 'invite', sid], { session: kim.session })).trim();
    for (const value of [token, invite]) {
      const r = await cli(['spaces', 'show', value], { session: kim.session });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^onezone: not a valid id: a value of ${value.length} characters \\(an id has at most 64\\)\nUsage: onezone spaces show `));
      assert.ok(!r.stderr.includes(value.slice(0, 20)), 'no part of the token');
    }
    // The account and the space are still there.
    assert.equal((await kim.api.user.get()).userId, kim.id);
    assert.deepEqual((await kim.api.user.spaces()).spaces, [sid]);
  });

  it('a damaged session file: commands say so; login replaces it; logout removes it', async () => {
    const user = await z.user('damaged');
    const session = newSession();
    fs.mkdirSync(path.dirname(session), { recursive: true });
    fs.writeFileSync(session, '{"zone": "http://127.0.0.1:1", "tok', { mode: 0o600 });
    const whoami = await cli(['whoami'], { session });
    assert.equal(whoami.code, 1);
    assert.equal(whoami.stderr, `onezone: the session file ${session} is damaged; run 'onezone login' again\n`);

    await ok(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session, stdin: user.password });
    assert.equal(JSON.parse(await ok(['whoami', '--json'], { session })).login, user.login);

    fs.writeFileSync(session, 'not json at all');
    const logout = await cli(['logout', '--json'], { session });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(JSON.parse(logout.stdout), { loggedOut: true, tokenRevoked: false });
    assert.equal(fs.existsSync(session), false);
  });

  it('login again with the same session file revokes the token it replaces', async () => {
    const user = await loggedIn('again');
    const first = savedToken(user.session);
    await ok(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session: user.session, stdin: user.password });
    const second = savedToken(user.session);
    assert.notEqual(second, first);
    assert.equal((await user.api.tokens.get(tokenId(first))).revoked, true);
    assert.equal((await z.client({ token: second }).user.get()).userId, user.id);
  });

  it('a session file that cannot be written: exit 1 naming the file, and the token minted for it is revoked', async () => {
    const user = await z.user('unwritable');
    // No session to read, and none can be written: the directory is a link to nowhere.
    const dangling = path.join(tmp, 'dangling');
    fs.symlinkSync(path.join(tmp, 'nowhere', 'deeper'), dangling);
    const session = path.join(dangling, 'session.json');
    const r = await cli(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session, stdin: user.password });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`onezone: cannot write the session file ${session}: `), r.stderr);
    assert.equal(r.stderr.split('\n').length, 2);
    const minted = (await user.api.tokens.list()).filter((t) => t.kind === 'access' && t.tokenId !== tokenId(user.token));
    assert.equal(minted.length, 1, 'login minted one token');
    assert.equal(minted[0]!.revoked, true, 'and revoked it');
  });

  it('an https:// URL for this plain-HTTP zone: one line, with a hint that the scheme may be wrong', async () => {
    const user = await z.user('quinn');
    const r = await cli(['login', '--zone', z.baseUrl.replace(/^http:/, 'https:'), '--user', user.login, '--password-stdin'], { session: newSession(), stdin: user.password });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^onezone: cannot talk to https:\/\/127\.0\.0\.1:\d+\/api\/v3\/onezone: .*wrong version number.* \(is the scheme wrong\? the zone may serve plain http:\/\/, not https:\/\/\)\n$/);
  });

  it('a zone URL with a user name or password in it is refused, without repeating it', async () => {
    const url = new URL(z.baseUrl);
    url.username = 'alice';
    url.password = 'hunter2-throwaway';
    const r = await cli(['login', '--zone', url.href, '--user', 'alice', '--password-stdin'], { session: newSession(), stdin: 'x' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^onezone: the zone URL must not hold a user name or password/);
    assert.ok(!r.stderr.includes('hunter2'));
    // Nor when the URL is refused for another reason first: not parsable, or not http(s).
    for (const [zone, refusal] of [
      ['https://alice:hunter2-throwaway@zone.example:99999', /^onezone: not a URL: 'https:\/\/zone\.example:99999'/],
      ['ftp://alice:hunter2-throwaway@zone.example', /^onezone: the zone URL must be http\(s\): 'ftp:\/\/zone\.example'/],
    ] as const) {
      const refused = await cli(['login', '--zone', zone, '--user', 'alice', '--password-stdin'], { session: newSession(), stdin: 'x' });
      assert.equal(refused.code, 2, zone);
      assert.match(refused.stderr, refusal);
      assert.ok(!refused.stderr.includes('hunter2'));
    }
    // By every command, those that do not send to it too (logout revokes at the session's zone):
    // a later failure printed it, as `cannot talk to <URL>`.
    const kept = await loggedIn('ulla');
    for (const args of [['logout', '--zone', url.href], ['whoami', '--zone', url.href]]) {
      const refused = await cli(args, { session: kept.session });
      assert.equal(refused.code, 2, args.join(' '));
      assert.match(refused.stderr, /^onezone: the zone URL must not hold a user name or password/);
      assert.ok(!refused.stderr.includes('hunter2'));
    }
    assert.ok(fs.existsSync(kept.session), 'the session is kept: nothing was done');
  });

  it('metrics into a pipe nobody reads (| head): exit 0, nothing on stderr', async () => {
    const admin = await adminSession();
    const r = await cli(['metrics'], { session: admin, stdout: 'closed' });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  it('output that cannot be written (> /dev/full): exit 1 and one line', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, async () => {
    const user = await loggedIn('full');
    const full = fs.openSync('/dev/full', 'w');
    try {
      for (const args of [['whoami'], ['spaces', '--help']]) {
        const r = await cli(args, { session: user.session, stdout: full });
        assert.equal(r.code, 1, `onezone ${args.join(' ')}`);
        assert.match(r.stderr, /^onezone: cannot write the output: ENOSPC.*\n$/);
      }
    } finally {
      fs.closeSync(full);
    }
  });
});

describe('onezone client commands against a zone that answers badly, or not at all', () => {
  ensureBuilt();

  it('a zone that never answers: exit 1 after --timeout (or ONEZONE_TIMEOUT) seconds, with a hint', async () => {
    const zone = await fakeZone({ 'GET /user': 'hang', 'GET /user/client_token': 'hang' });
    const session = sessionFor(zone);
    for (const [args, env] of [
      [['whoami', '--timeout', '1'], {}],
      [['whoami'], { ONEZONE_TIMEOUT: '1' }],
      [['login', '--zone', zone, '--user', 'u', '--password-stdin', '--timeout', '1'], {}],
    ] as [string[], Record<string, string>][]) {
      const started = Date.now();
      const r = await cli(args, { session, stdin: 'throwaway-password', env });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `onezone: cannot talk to ${zone}: no answer within 1 s (wait longer with --timeout SECONDS)\n`);
      assert.ok(Date.now() - started < 10_000);
    }
    for (const [args, env, message] of [
      [['whoami', '--timeout', '0'], {}, '--timeout'],
      [['whoami', '--timeout', 'soon'], {}, '--timeout'],
      [['whoami'], { ONEZONE_TIMEOUT: '1.5' }, 'ONEZONE_TIMEOUT'],
    ] as [string[], Record<string, string>, string][]) {
      const r = await cli(args, { session, env });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^onezone: ${message} must be a positive whole number of seconds\\nUsage: onezone whoami `));
    }
  });

  it('answers that are not the API: the status text or what is wrong, in one line', async () => {
    const portal = '<!DOCTYPE html>\n<html><head><title>Please sign in</title></head>\n<body><form>…</form></body></html>';
    const zone = await fakeZone({
      'GET /user': { status: 200, type: 'text/html', body: portal },
      'GET /user/groups': { status: 502, type: 'text/html', body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>' },
      'GET /user/spaces': { status: 503, type: 'text/plain', body: 'Down for maintenance\n' },
      'POST /user/spaces': { status: 201 },
      'GET /user/client_token': { status: 200, type: 'text/html', body: portal },
      'GET /user/spaces/default': {
        status: 429,
        type: 'application/json',
        body: '{"error":"too_many_requests","error_description":"Too many requests; retry later."}',
        headers: { 'retry-after': '42' },
      },
      [`GET /user/groups/${'G'.repeat(43)}`]: {
        status: 400,
        type: 'application/json',
        body: JSON.stringify({ error: 'invalid_request', error_description: 'bad\u001b[2J\nonezone: forged\u202e' }),
      },
    });
    const session = sessionFor(zone);
    const cases: [string[], string][] = [
      [['whoami'], 'the answer is not JSON (text/html): Please sign in (200 unexpected_answer)'],
      [['groups'], '502 Bad Gateway (502 unknown)'],
      [['spaces'], 'Service Unavailable: Down for maintenance (503 unknown)'],
      [['spaces', 'create', 'x'], 'the answer lacks its Location header (201 unexpected_answer)'],
      [['spaces', 'default'], 'Too many requests; retry later. (429 too_many_requests); try again in 42 seconds'],
      // The zone's words cannot move the cursor or forge a line either.
      [['groups', 'show', 'G'.repeat(43)], 'bad\\u001b[2J\\u000aonezone: forged\\u202e (400 invalid_request)'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, { session });
      assert.equal(r.code, 1, `onezone ${args.join(' ')}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `onezone: ${message}\n`, `onezone ${args.join(' ')}`);
    }

    // A login page answering 200 is no login: nothing is saved.
    const fresh = newSession();
    const login = await cli(['login', '--zone', zone, '--user', 'u', '--password-stdin'], { session: fresh, stdin: 'throwaway-password' });
    assert.equal(login.code, 1);
    assert.equal(login.stderr, 'onezone: the answer is not JSON (text/html): Please sign in (200 unexpected_answer)\n');
    assert.equal(fs.existsSync(fresh), false);
  });
});

describe('onezone serve --help', () => {
  ensureBuilt();

  it('prints the usage of serve with its options and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await cli(['serve', flag], { session: newSession() });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^Usage: onezone serve \[--data-dir DIR\] /);
      for (const option of ['--port', '--db', '--http', '--workers', '--trust-proxy']) assert.match(r.stdout, new RegExp(`^  ${option} `, 'm'));
    }
  });
});

describe('onezone client commands over HTTPS (a real zone process with its self-signed certificate)', () => {
  const dataDir = path.join(tmp, 'https-zone');
  const password = 'cli-e2e-admin-password';

  it('refuses the untrusted certificate with a hint; --ca FILE and --insecure work and are remembered', async () => {
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { ONEZONE_ADMIN_PASSWORD: password });
    try {
      const session = newSession();
      const login = (extra: string[]) => cli(['login', '--zone', zone.url, '--user', 'admin', '--password-stdin', ...extra], { session, stdin: password });
      const refused = await login([]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^onezone: cannot talk to https:.+ \(trust it with --ca FILE, or skip the check with --insecure\)\n$/);

      // http:// for this HTTPS zone: its port closes the connection; one line, with a hint.
      const plain = await cli(['login', '--zone', zone.url.replace(/^https:/, 'http:'), '--user', 'admin', '--password-stdin'], { session, stdin: password });
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /^onezone: cannot talk to http:.+: other side closed \(is the scheme wrong\? the zone may serve https:\/\/, not http:\/\/\)\n$/);

      const ca = path.join(dataDir, 'tls', 'server.crt');
      assert.equal((await login(['--ca', ca])).code, 0);
      assert.equal(JSON.parse(await ok(['whoami', '--json'], { session })).login, 'admin');

      assert.equal((await login(['--insecure'])).code, 0);
      assert.equal(JSON.parse(fs.readFileSync(session, 'utf8')).insecure, true);
      const token = (await ok(['token'], { session })).trim();
      const api = new OnezoneClient({ baseUrl: zone.url, insecure: true, credentials: { token } });
      assert.equal((await api.user.get()).login, 'admin');
      await api.close();
      // Logging in again takes its own flags: without --insecure the certificate is checked (it
      // kept the saved --insecure, and so did every login after).
      const checked = await login([]);
      assert.equal(checked.code, 1);
      assert.match(checked.stderr, /\(trust it with --ca FILE, or skip the check with --insecure\)\n$/);
      assert.equal((await login(['--ca', ca])).code, 0);
      const saved = JSON.parse(fs.readFileSync(session, 'utf8')) as { insecure?: boolean; ca?: string };
      assert.equal(saved.insecure, undefined);
      assert.match(saved.ca ?? '', /^-----BEGIN CERTIFICATE-----/);
    } finally {
      assert.equal(await zone.stop(), 0);
    }
  });
});
