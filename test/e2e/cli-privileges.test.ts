import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { GROUP_PRIVILEGES, ONEZONE_PRIVILEGES, SPACE_PRIVILEGES } from '../../src/client/index.js';
import { cli, sessionFiles } from '../helpers/cli.js';
import { ensureBuilt } from '../helpers/process.js';
import { ADMIN_PASSWORD, type TestUser, startZone } from '../helpers/zone.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-cli-privileges-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const newSession = sessionFiles(tmp);

/** Asserts success and returns stdout. */
async function ok(args: string[], session: string): Promise<string> {
  const r = await cli(args, { session });
  assert.equal(r.code, 0, `onezone ${args.join(' ')} failed: ${r.stderr}`);
  assert.equal(r.stderr, '', `onezone ${args.join(' ')}`);
  return r.stdout;
}

const okJson = async <T = Record<string, unknown>>(args: string[], session: string): Promise<T> => JSON.parse(await ok([...args, '--json'], session)) as T;

/** Asserts that the zone refused: exit 1, nothing on stdout, one line naming the status. */
async function refused(args: string[], session: string, status: RegExp): Promise<void> {
  const r = await cli(args, { session });
  assert.equal(r.code, 1, `onezone ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^onezone: .+ \\(${status.source}\\)\\n$`), `onezone ${args.join(' ')}`);
}

describe('onezone privilege and user commands (the built CLI against a real zone)', async () => {
  ensureBuilt();
  const z = await startZone();

  async function loggedIn(name: string): Promise<TestUser & { session: string }> {
    const user = await z.user(name);
    const session = newSession();
    const r = await cli(['login', '--zone', z.baseUrl, '--user', user.login, '--password-stdin'], { session, stdin: `${user.password}\n` });
    assert.equal(r.code, 0, r.stderr);
    return { ...user, session };
  }

  async function adminSession(): Promise<string> {
    const session = newSession();
    const r = await cli(['login', '--zone', z.baseUrl, '--user', 'admin', '--password-stdin'], { session, stdin: ADMIN_PASSWORD });
    assert.equal(r.code, 0, r.stderr);
    return session;
  }

  /** A space of `owner` that `member` has joined with the default privileges. */
  async function sharedSpace(owner: TestUser, member: TestUser): Promise<string> {
    const sid = await owner.api.user.createSpace('shared');
    await member.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
    return sid;
  }

  /** A group of `owner` that `member` has joined with the default privileges. */
  async function sharedGroup(owner: TestUser, member: TestUser): Promise<string> {
    const gid = await owner.api.user.createGroup('team', 'team');
    await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
    return gid;
  }

  it("spaces set-privileges replaces a user's list; spaces privileges shows it (text and --json); --none empties it", async () => {
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const sid = await sharedSpace(alice, bob);
    assert.equal(await ok(['spaces', 'privileges', sid, bob.id], alice.session), 'space_view_data\n', 'the default of a joined member');

    // Given out of order, with a repeat and spaces around a comma: sent once each, shown in the zone's order.
    const set = await ok(['spaces', 'set-privileges', sid, bob.id, 'space_view_data, space_invite_user,space_view_data'], alice.session);
    assert.equal(set, `Privileges of user ${bob.id} in space ${sid}: space_invite_user, space_view_data.\n`);
    assert.deepEqual(await alice.api.spaces.userPrivileges(sid, bob.id), ['space_invite_user', 'space_view_data']);
    assert.equal(await ok(['spaces', 'privileges', sid, bob.id], alice.session), 'space_invite_user\nspace_view_data\n');
    assert.deepEqual(await okJson(['spaces', 'privileges', sid, bob.id], bob.session), {
      spaceId: sid,
      userId: bob.id,
      effective: false,
      privileges: ['space_invite_user', 'space_view_data'],
    });
    // bob can now do what the privilege allows.
    assert.equal(typeof (await bob.api.spaces.userInviteToken(sid)), 'string');

    // The list is replaced, not added to.
    assert.deepEqual(await okJson(['spaces', 'set-privileges', sid, bob.id, 'space_remove_user'], alice.session), {
      spaceId: sid,
      userId: bob.id,
      privileges: ['space_remove_user'],
    });
    assert.deepEqual(await alice.api.spaces.userPrivileges(sid, bob.id), ['space_remove_user']);

    assert.equal(await ok(['spaces', 'set-privileges', sid, bob.id, '--none'], alice.session), `Privileges of user ${bob.id} in space ${sid}: none.\n`);
    assert.deepEqual(await alice.api.spaces.userPrivileges(sid, bob.id), []);
    assert.equal(await ok(['spaces', 'privileges', sid, bob.id], alice.session), 'No privileges.\n');
    assert.deepEqual((await okJson(['spaces', 'privileges', sid, bob.id], alice.session)).privileges, []);

    // bob, without space_set_privileges, cannot give himself any.
    await refused(['spaces', 'set-privileges', sid, bob.id, SPACE_PRIVILEGES.join(',')], bob.session, /403 forbidden/);
    assert.deepEqual(await alice.api.spaces.userPrivileges(sid, bob.id), []);
  });

  it("spaces set-group-privileges / group-privileges; --effective shows what a member holds through the group", async () => {
    const carol = await loggedIn('carol');
    const dave = await loggedIn('dave');
    const sid = await carol.api.user.createSpace('via group');
    const gid = await sharedGroup(carol, dave);
    await carol.api.groupSpaces.join(gid, await carol.api.spaces.groupInviteToken(sid));

    assert.equal(
      await ok(['spaces', 'set-group-privileges', sid, gid, 'space_view_data,space_invite_group'], carol.session),
      `Privileges of group ${gid} in space ${sid}: space_invite_group, space_view_data.\n`,
    );
    assert.deepEqual(await carol.api.spaces.groupPrivileges(sid, gid), ['space_invite_group', 'space_view_data']);
    assert.deepEqual(await okJson(['spaces', 'group-privileges', sid, gid], carol.session), {
      spaceId: sid,
      groupId: gid,
      privileges: ['space_invite_group', 'space_view_data'],
    });

    // dave is no direct member: his own list does not exist; his effective one is the group's.
    await refused(['spaces', 'privileges', sid, dave.id], carol.session, /404 not_found/);
    assert.deepEqual(await okJson(['spaces', 'privileges', sid, dave.id, '--effective'], carol.session), {
      spaceId: sid,
      userId: dave.id,
      effective: true,
      privileges: ['space_invite_group', 'space_view_data'],
    });
    assert.equal(await ok(['spaces', 'privileges', sid, dave.id, '--effective'], dave.session), 'space_invite_group\nspace_view_data\n');

    // Changing the group's list changes what dave holds.
    await ok(['spaces', 'set-group-privileges', sid, gid, 'space_view_data'], carol.session);
    assert.equal(await ok(['spaces', 'privileges', sid, dave.id, '--effective'], carol.session), 'space_view_data\n');
    await ok(['spaces', 'set-group-privileges', sid, gid, '--none'], carol.session);
    assert.equal(await ok(['spaces', 'group-privileges', sid, gid], carol.session), 'No privileges.\n');
    assert.equal(await ok(['spaces', 'privileges', sid, dave.id, '--effective'], carol.session), 'No privileges.\n');
    // carol's own list and effective one: everything, as the creator.
    assert.deepEqual((await okJson(['spaces', 'privileges', sid, carol.id, '--effective'], carol.session)).privileges, [...SPACE_PRIVILEGES]);
  });

  it('groups set-privileges / privileges for a user; set-nested-privileges / nested-privileges; --effective through the nested group', async () => {
    const erin = await loggedIn('erin');
    const frank = await loggedIn('frank');
    const gina = await loggedIn('gina');
    const gid = await sharedGroup(erin, frank);

    assert.equal(await ok(['groups', 'privileges', gid, frank.id], erin.session), 'group_view_data\n');
    assert.equal(
      await ok(['groups', 'set-privileges', gid, frank.id, 'group_view_data,group_invite_user'], erin.session),
      `Privileges of user ${frank.id} in group ${gid}: group_invite_user, group_view_data.\n`,
    );
    assert.deepEqual(await erin.api.groups.userPrivileges(gid, frank.id), ['group_invite_user', 'group_view_data']);
    assert.deepEqual(await okJson(['groups', 'privileges', gid, frank.id], frank.session), {
      groupId: gid,
      userId: frank.id,
      effective: false,
      privileges: ['group_invite_user', 'group_view_data'],
    });
    assert.equal(typeof (await frank.api.groups.userInviteToken(gid)), 'string', 'frank may invite now');
    await ok(['groups', 'set-privileges', gid, frank.id, '--none'], erin.session);
    assert.deepEqual(await erin.api.groups.userPrivileges(gid, frank.id), []);
    await refused(['groups', 'set-privileges', gid, frank.id, 'group_set_privileges'], frank.session, /403 forbidden/);

    // gina's group joins erin's as a nested group.
    const nid = await gina.api.user.createGroup('subteam', 'team');
    await gina.api.groups.joinNested(nid, await erin.api.groups.nestedInviteToken(gid));
    assert.equal(
      await ok(['groups', 'set-nested-privileges', gid, nid, 'group_view_data,group_join_space'], erin.session),
      `Privileges of group ${nid} in group ${gid}: group_join_space, group_view_data.\n`,
    );
    assert.deepEqual(await erin.api.groups.nestedPrivileges(gid, nid), ['group_join_space', 'group_view_data']);
    assert.deepEqual(await okJson(['groups', 'nested-privileges', gid, nid], erin.session), {
      groupId: gid,
      nestedGroupId: nid,
      privileges: ['group_join_space', 'group_view_data'],
    });

    // gina is no direct member of erin's group: she holds the nested group's privileges there.
    await refused(['groups', 'privileges', gid, gina.id], erin.session, /404 not_found/);
    assert.deepEqual(await okJson(['groups', 'privileges', gid, gina.id, '--effective'], erin.session), {
      groupId: gid,
      userId: gina.id,
      effective: true,
      privileges: ['group_join_space', 'group_view_data'],
    });
    await ok(['groups', 'set-nested-privileges', gid, nid, 'group_view_data'], erin.session);
    assert.equal(await ok(['groups', 'privileges', gid, gina.id, '--effective'], erin.session), 'group_view_data\n');
    await ok(['groups', 'set-nested-privileges', gid, nid, '--none'], erin.session);
    assert.equal(await ok(['groups', 'nested-privileges', gid, nid], erin.session), 'No privileges.\n');
  });

  it('users set-zone-privileges / zone-privileges and groups set-zone-privileges / zone-privileges (administrators); a group passes them to its members', async () => {
    const admin = await adminSession();
    const hugo = await loggedIn('hugo');
    const iris = await loggedIn('iris');

    assert.equal(await ok(['users', 'zone-privileges', hugo.id], admin), 'No privileges.\n');
    await assert.rejects(hugo.api.spaces.list(), /403/);
    assert.equal(
      await ok(['users', 'set-zone-privileges', hugo.id, 'list_spaces,list_providers'], admin),
      `Privileges of user ${hugo.id} in the zone: list_spaces, list_providers.\n`,
    );
    assert.deepEqual(await z.admin.privileges.user(hugo.id), ['list_spaces', 'list_providers']);
    assert.deepEqual(await okJson(['users', 'zone-privileges', hugo.id], admin), { userId: hugo.id, privileges: ['list_spaces', 'list_providers'] });
    assert.ok(Array.isArray(await hugo.api.spaces.list()), 'hugo may list the spaces now');
    await ok(['users', 'set-zone-privileges', hugo.id, '--none'], admin);
    assert.deepEqual(await z.admin.privileges.user(hugo.id), []);
    await assert.rejects(hugo.api.spaces.list(), /403/);

    // view_privileges given to a group reaches its member iris, who may then read privileges.
    const gid = await sharedGroup(hugo, iris);
    await refused(['groups', 'zone-privileges', gid], iris.session, /403 forbidden/);
    assert.equal(
      await ok(['groups', 'set-zone-privileges', gid, 'view_privileges'], admin),
      `Privileges of group ${gid} in the zone: view_privileges.\n`,
    );
    assert.deepEqual(await z.admin.privileges.group(gid), ['view_privileges']);
    assert.deepEqual(await okJson(['groups', 'zone-privileges', gid], iris.session), { groupId: gid, privileges: ['view_privileges'] });
    assert.equal(await ok(['users', 'zone-privileges', hugo.id], iris.session), 'No privileges.\n');
    // …but not set them: that takes set_privileges.
    await refused(['users', 'set-zone-privileges', iris.id, 'set_privileges'], iris.session, /403 forbidden/);
    await ok(['groups', 'set-zone-privileges', gid, '--none'], admin);
    assert.equal(await ok(['groups', 'zone-privileges', gid], admin), 'No privileges.\n');
    await refused(['groups', 'zone-privileges', gid], iris.session, /403 forbidden/);
  });

  it('users show: an administrator reads any account by id; a missing one is 404', async () => {
    const admin = await adminSession();
    const jane = await loggedIn('jane');
    const text = await ok(['users', 'show', jane.id], admin);
    assert.match(text, new RegExp(`^User ID:\\s+${jane.id}$`, 'm'));
    assert.match(text, new RegExp(`^Login:\\s+${jane.login}$`, 'm'));
    assert.match(text, /^Name:\s+jane$/m);
    const json = await okJson<{ userId: string; login: string; name: string; emailList: string[] }>(['users', 'show', jane.id], admin);
    assert.deepEqual([json.userId, json.login, json.name, json.emailList], [jane.id, jane.login, 'jane', []]);
    await refused(['users', 'show', 'x'.repeat(43)], admin, /404 not_found/);
  });

  it('the administrators\' commands refuse any other user: exit 1, 403 forbidden, nothing changed', async () => {
    const kim = await loggedIn('kim');
    const lou = await loggedIn('lou');
    const gid = await kim.api.user.createGroup('own', 'role');
    const cases = [
      ['users', 'show', lou.id],
      ['users', 'zone-privileges', lou.id],
      ['users', 'zone-privileges', kim.id],
      ['users', 'set-zone-privileges', kim.id, ONEZONE_PRIVILEGES.join(',')],
      ['groups', 'zone-privileges', gid],
      ['groups', 'set-zone-privileges', gid, 'set_privileges,view_privileges'],
    ];
    for (const args of cases) await refused(args, kim.session, /403 forbidden/);
    assert.deepEqual(await z.admin.privileges.user(kim.id), []);
    assert.deepEqual(await z.admin.privileges.group(gid), []);
  });

  it('privilege lists are checked before anything is sent: exit 2, the reason and the usage; nothing changes', async () => {
    const mia = await loggedIn('mia');
    const ned = await loggedIn('ned');
    const sid = await sharedSpace(mia, ned);
    const gid = await sharedGroup(mia, ned);
    const cases: [string[], RegExp][] = [
      [
        ['spaces', 'set-privileges', sid, ned.id, 'space_view_data,view'],
        new RegExp(`^onezone: unknown space privilege 'view'; the space privileges are: ${SPACE_PRIVILEGES.join(', ')}\\nUsage: onezone spaces set-privileges SPACE_ID USER_ID PRIVILEGES\\|--none `),
      ],
      [['spaces', 'set-privileges', sid, ned.id, 'group_view_data,bogus'], /^onezone: unknown space privileges 'group_view_data', 'bogus'; the space privileges are: space_invite_user, /],
      [['spaces', 'set-group-privileges', sid, gid, 'SPACE_VIEW_DATA'], /^onezone: unknown space privilege 'SPACE_VIEW_DATA'/],
      [['spaces', 'set-privileges', sid, ned.id, ''], /^onezone: an empty name in the privilege list '' \(to remove them all, pass --none\)\n/],
      [['spaces', 'set-privileges', sid, ned.id, 'space_view_data,'], /^onezone: an empty name in the privilege list 'space_view_data,'/],
      [['spaces', 'set-privileges', sid, ned.id], /^onezone: missing PRIVILEGES: a comma-separated list, or --none to remove them all\nUsage: onezone spaces set-privileges /],
      [['spaces', 'set-privileges', sid, ned.id, 'space_view_data', '--none'], /^onezone: give PRIVILEGES or --none, not both\n/],
      [['spaces', 'set-privileges', sid], /^onezone: missing USER_ID\n/],
      [['spaces', 'set-privileges', sid, ned.id, 'space_view_data', 'space_invite_user'], /^onezone: unexpected argument 'space_invite_user'\n/],
      [['spaces', 'privileges', sid, ned.id, '--none'], /^onezone: Unknown option '--none'/],
      [['groups', 'set-privileges', gid, ned.id, 'space_view_data'], new RegExp(`^onezone: unknown group privilege 'space_view_data'; the group privileges are: ${GROUP_PRIVILEGES.join(', ')}\\n`)],
      [['groups', 'set-nested-privileges', gid, gid, 'group_view_data,,group_join_group'], /^onezone: an empty name in the privilege list/],
      [['groups', 'set-zone-privileges', gid, 'admin'], new RegExp(`^onezone: unknown Onezone privilege 'admin'; the Onezone privileges are: ${ONEZONE_PRIVILEGES.join(', ')}\\n`)],
      [['users', 'set-zone-privileges', ned.id], /^onezone: missing PRIVILEGES/],
      [['users', 'set-zone-privileges', ned.id, 'list_spaces', '--none'], /^onezone: give PRIVILEGES or --none, not both/],
      [['users', 'show'], /^onezone: missing USER_ID\nUsage: onezone users show USER_ID /],
      [['users'], /^onezone: missing COMMAND: 'users show', 'users zone-privileges' or 'users set-zone-privileges'/],
      [['users', 'frobnicate'], /^onezone: unknown command 'users frobnicate'\nUsage: onezone users /],
    ];
    for (const [args, expected] of cases) {
      const r = await cli(args, { session: mia.session });
      assert.equal(r.code, 2, `onezone ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected, `onezone ${args.join(' ')}`);
      assert.equal(r.stderr.split('\n').length, 3, 'one line and the usage');
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(await mia.api.spaces.userPrivileges(sid, ned.id), ['space_view_data']);
    assert.deepEqual(await mia.api.groups.userPrivileges(gid, ned.id), ['group_view_data']);

    // Nothing is sent at all: against a zone that does not exist, the list is refused all the same.
    const nowhere = newSession();
    fs.mkdirSync(path.dirname(nowhere), { recursive: true });
    fs.writeFileSync(nowhere, JSON.stringify({ zone: 'http://127.0.0.1:9141/api/v3/onezone', token: 'made-up-token' }), { mode: 0o600 });
    const r = await cli(['spaces', 'set-privileges', sid, ned.id, 'nope'], { session: nowhere });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^onezone: unknown space privilege 'nope'/);
  });

  it('onezone --help and the commands\' help list the new commands; set-… --help lists the valid names', async () => {
    const session = newSession();
    const top = await ok(['--help'], session);
    for (const line of [
      'spaces privileges SPACE_ID USER_ID [--effective]',
      'spaces set-privileges SPACE_ID USER_ID PRIVILEGES|--none',
      'spaces group-privileges SPACE_ID GROUP_ID',
      'spaces set-group-privileges SPACE_ID GROUP_ID PRIVILEGES|--none',
      'groups privileges GROUP_ID USER_ID [--effective]',
      'groups set-privileges GROUP_ID USER_ID PRIVILEGES|--none',
      'groups nested-privileges GROUP_ID NESTED_GROUP_ID',
      'groups set-nested-privileges GROUP_ID NESTED_GROUP_ID PRIVILEGES|--none',
      'groups zone-privileges GROUP_ID | set-zone-privileges GROUP_ID PRIVILEGES|--none',
      'users show USER_ID',
      'users zone-privileges USER_ID | set-zone-privileges USER_ID PRIVILEGES|--none',
    ]) {
      assert.ok(top.includes(`\n  ${line}`), `onezone --help lists '${line}'`);
    }

    const spaces = await ok(['spaces', '--help'], session);
    for (const name of ['privileges', 'set-privileges', 'group-privileges', 'set-group-privileges']) assert.match(spaces, new RegExp(`^  onezone spaces ${name} SPACE_ID `, 'm'));
    const groups = await ok(['groups', '--help'], session);
    for (const name of ['privileges', 'set-privileges', 'nested-privileges', 'set-nested-privileges', 'zone-privileges', 'set-zone-privileges']) {
      assert.match(groups, new RegExp(`^  onezone groups ${name} GROUP_ID`, 'm'));
    }
    const users = await ok(['users', '--help'], session);
    for (const name of ['show', 'zone-privileges', 'set-zone-privileges']) assert.match(users, new RegExp(`^  onezone users ${name} USER_ID`, 'm'));

    for (const [args, names] of [
      [['spaces', 'set-privileges'], SPACE_PRIVILEGES],
      [['spaces', 'set-group-privileges'], SPACE_PRIVILEGES],
      [['groups', 'set-privileges'], GROUP_PRIVILEGES],
      [['groups', 'set-nested-privileges'], GROUP_PRIVILEGES],
      [['groups', 'set-zone-privileges'], ONEZONE_PRIVILEGES],
      [['users', 'set-zone-privileges'], ONEZONE_PRIVILEGES],
    ] as const) {
      const help = await ok([...args, '--help'], session);
      assert.match(help, new RegExp(`^Usage: onezone ${args.join(' ')} .*PRIVILEGES\\|--none`));
      const listed = help.split(/\s+/).filter((w) => (names as readonly string[]).includes(w));
      assert.deepEqual(listed, [...names], `onezone ${args.join(' ')} --help lists every name`);
    }
  });
});
