import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Element, HTMLTextAreaElement } from 'happy-dom';
import { tokenId } from '../../src/client/index.js';
import type { Ui } from '../helpers/browser.js';
import { startZone } from '../helpers/zone.js';
import { reload, tabsOf } from './tab.js';

const minted = (ui: Ui) => ui.until(() => (ui.document.querySelector('textarea.token') as HTMLTextAreaElement | null)?.value, 'the invite token');
const buttons = (ui: Ui) => [...ui.document.querySelectorAll('button')].map((b) => ui.text(b));
const link = (ui: Ui, text: string) => ui.until(() => [...ui.document.querySelectorAll('a')].find((a) => ui.text(a) === text), `the link "${text}"`);
const row = (ui: Ui, text: string) => ui.until(() => [...ui.document.querySelectorAll('tr')].find((r) => ui.text(r).includes(text)), `a row with "${text}"`);
const radios = (ui: Ui, root: Element) => [...root.querySelectorAll('input[type=radio]')].map((r) => ui.text(r.closest('label')!));

describe('web UI: groups, against a real zone', async () => {
  const z = await startZone();
  const open = tabsOf(z);

  it("a group's page: its users with privileges, members through subgroups, subgroups, parents and spaces; reached from My account", async () => {
    const [alice, bob, carol] = await Promise.all([z.user('alice'), z.user('bob'), z.user('carol')]);
    const platform = await alice.api.user.createGroup('platform', 'team');
    await bob.api.user.joinGroup(await alice.api.groups.createUserInvite(platform));
    const unit = await carol.api.user.createGroup('carols-unit', 'unit');
    await carol.api.groups.joinNested(unit, await alice.api.groups.createNestedInvite(platform));
    const org = await alice.api.user.createGroup('org', 'organization');
    await alice.api.groups.joinNested(platform, await alice.api.groups.createNestedInvite(org));
    const space = await alice.api.groupSpaces.create(platform, 'platform-space');

    const ui = await open();
    await ui.signIn(alice.login, alice.password);
    const toPlatform = await link(ui, 'platform');
    assert.equal(toPlatform.getAttribute('href'), `#/groups/${platform}`);
    await ui.go(toPlatform.getAttribute('href')!);
    await ui.see('Group platform');
    assert.equal(ui.document.title, 'Group platform · Onezone');
    await ui.see(platform);
    const users = ui.region('Users');
    const has = (root: Element, text: string) => assert.ok(ui.text(root).includes(text), `"${text}" in: ${ui.text(root)}`);
    has(users, `alice (you)${alice.login}`);
    assert.ok(ui.text(await row(ui, bob.login)).includes('view data'), "bob's privileges");
    has(users, 'Members through subgroups');
    has(users, `carol (${carol.login})`);
    const sub = await row(ui, 'carols-unit');
    assert.ok(sub.closest('section') === ui.region('Subgroups'));
    has(sub, 'unit');
    has(sub, 'view data');
    assert.equal((await link(ui, 'org')).getAttribute('href'), `#/groups/${org}`);
    assert.equal((await link(ui, 'platform-space')).getAttribute('href'), `#/spaces/${space}`);
    assert.ok(buttons(ui).includes('Leave this group'));

    // carol is a member only through her unit: her account lists platform and org that way; the
    // page says how to leave, and her privileges (the subgroup's default) show no actions.
    const c = await open();
    await c.signIn(carol.login, carol.password);
    await c.see('Through subgroups');
    assert.equal((await link(c, 'org')).getAttribute('href'), `#/groups/${org}`);
    await c.go(`#/groups/${platform}`);
    await c.see('Group platform');
    await c.see('You are a member of this group through a subgroup');
    assert.ok(!buttons(c).includes('Leave this group'));
    assert.ok(!c.text().includes('Create invite') && !c.text().includes('Join a parent group'));
    assert.equal(c.document.querySelectorAll('details').length, 0, 'no privilege editors');
    assert.equal(c.document.querySelectorAll('input[name=name]').length, 0, 'no rename');
  });

  it('mints a user invite with privileges in the UI; another user joins with it in the UI and gets them', async () => {
    const [dana, evan, fay] = await Promise.all([z.user('dana'), z.user('evan'), z.user('fay')]);
    const groupId = await dana.api.user.createGroup('invited', 'team');
    const ui = await open(`#/groups/${groupId}`);
    await reload(ui);
    await ui.signIn(dana.login, dana.password);
    await ui.see('Group invited');
    const invite = ui.region('Invite');
    assert.deepEqual(radios(ui, invite), ['user', 'subgroup']);
    ui.fill('Number of uses', '3', invite);
    ui.control('invite user', invite).click();
    await ui.click('Create invite', invite);
    const token = await minted(ui);
    await ui.see('Invite token for a user');
    const shown = ui.document.querySelector('textarea.token')!;
    assert.equal((shown as unknown as { spellcheck: boolean }).spellcheck, false, 'the token is not spell-checked');
    assert.equal(shown.getAttribute('autocomplete'), 'off');
    const info = await dana.api.tokens.get(tokenId(token));
    assert.equal(info.kind, 'invite');
    assert.equal(info.type, 'group_invite_token');
    assert.equal(info.usageLimit, 3);

    const e = await open('#/join');
    await e.signIn(evan.login, evan.password);
    const join = e.region('Join a group');
    e.fill('Group invite token', token, join);
    await e.click('Join group', join);
    await e.see('You are a member of the group invited.');
    assert.ok((await dana.api.groups.users(groupId)).includes(evan.id));
    assert.deepEqual(await dana.api.groups.userPrivileges(groupId, evan.id), ['group_invite_user', 'group_view_data']);

    // evan may invite users, nothing else: the invite form offers only that, without privileges.
    await e.go(`#/groups/${groupId}`);
    await e.see('Group invited');
    const his = e.region('Invite');
    assert.deepEqual(radios(e, his), ['user']);
    assert.equal(e.document.querySelectorAll('details').length, 0, 'no privileges to choose, no editors');
    assert.equal(e.document.querySelectorAll('input[name=name]').length, 0, 'no rename');
    await e.click('Create invite', his);
    const second = await minted(e);
    await fay.api.user.joinGroup(second);
    assert.ok((await dana.api.groups.users(groupId)).includes(fay.id), "evan's invite let fay in");
    assert.deepEqual(await dana.api.groups.userPrivileges(groupId, fay.id), ['group_view_data']);
  });

  it("mints a subgroup invite in the UI; another user's group joins with it from its own page", async () => {
    const [gil, hana] = await Promise.all([z.user('gil'), z.user('hana')]);
    const parent = await gil.api.user.createGroup('parent-group', 'organization');
    const child = await hana.api.user.createGroup('hanas-team', 'team');
    const g = await open(`#/groups/${parent}`);
    await g.signIn(gil.login, gil.password);
    const invite = g.region('Invite');
    g.control('subgroup', invite).click();
    g.control('Unlimited uses', invite).click();
    await g.settle();
    await g.click('Create invite', invite);
    const token = await minted(g);
    await g.see('Invite token for a subgroup');
    const info = await gil.api.tokens.get(tokenId(token));
    assert.equal(info.type, 'group_invite_group_token');
    assert.equal(info.usageLimit, 'infinity');

    const h = await open(`#/groups/${child}`);
    await h.signIn(hana.login, hana.password);
    await h.see('This group is a subgroup of no group.');
    const form = h.region('Join a parent group');
    assert.equal(h.control('Subgroup invite token', form).getAttribute('spellcheck'), 'false');
    h.fill('Subgroup invite token', token, form);
    await h.click('Join as a subgroup', form);
    await h.see('This group is a subgroup of parent-group.');
    assert.deepEqual(await gil.api.groups.nested(parent), [child]);
    assert.ok((await gil.api.groups.effectiveUsers(parent)).includes(hana.id));
    assert.equal((await link(h, 'parent-group')).getAttribute('href'), `#/groups/${parent}`);

    // gil sees the subgroup and hana through it.
    await g.go('#/');
    await g.go(`#/groups/${parent}`);
    await g.see('hanas-team');
    const users = g.region('Users');
    assert.ok(g.text(users).includes('Members through subgroups') && g.text(users).includes(`hana (${hana.login})`), g.text(users));
  });

  it('a member who may join the group to a parent but not view it: the join is reported, with the parent by id', async () => {
    const [lea, mia] = await Promise.all([z.user('lea'), z.user('mia')]);
    const parent = await lea.api.user.createGroup('lea-parent', 'organization');
    const child = await lea.api.user.createGroup('lea-child', 'team');
    await mia.api.user.joinGroup(await lea.api.groups.createUserInvite(child, { privileges: ['group_join_group'] }));
    const m = await open(`#/groups/${child}`);
    await m.signIn(mia.login, mia.password);
    const form = m.region('Join a parent group');
    m.fill('Subgroup invite token', await lea.api.groups.nestedInviteToken(parent), form);
    await m.click('Join as a subgroup', form);
    await m.see(`This group is a subgroup of ${parent}.`);
    assert.deepEqual(await lea.api.groups.nested(parent), [child]);
  });

  it('renames the group, changes privileges, leaves it, as the privileges allow; without group_view_data the lists are hidden and the zone decides', async () => {
    const [ivan, jane] = await Promise.all([z.user('ivan'), z.user('jane')]);
    const groupId = await ivan.api.user.createGroup('old-name', 'team');
    await jane.api.user.joinGroup(await ivan.api.groups.createUserInvite(groupId));

    const ui = await open(`#/groups/${groupId}`);
    await ui.signIn(ivan.login, ivan.password);
    await ui.see('Group old-name');
    ui.fill('Name', 'new-name');
    ui.fill('Type', 'role');
    await ui.click('Save');
    await ui.see('Group new-name');
    assert.deepEqual(await ivan.api.groups.get(groupId), { groupId, name: 'new-name', type: 'role' });

    const r = await row(ui, jane.login);
    ui.control('invite user', r).click();
    ui.control('view data', r).click();
    await ui.click('Save privileges', r);
    await ui.see('Privileges of jane saved.');
    assert.deepEqual(await ivan.api.groups.userPrivileges(groupId, jane.id), ['group_invite_user']);

    // jane may not view the group's data: the page says so, shows what the zone may allow and
    // the zone's words when it refuses.
    const j = await open(`#/groups/${groupId}`);
    await j.signIn(jane.login, jane.password);
    await j.see('Group new-name');
    await j.see('The members of this group are not visible to you.');
    await j.see('The subgroups of this group are not visible to you.');
    await j.see('The spaces of this group are not visible to you.');
    const invite = j.region('Invite');
    j.control('subgroup', invite).click();
    await j.click('Create invite', invite);
    await j.until(() => j.alerts().includes("This operation requires the 'group_invite_group' privilege in the group."), 'the refusal');
    j.control('user', invite).click();
    await j.click('Create invite', invite);
    const kay = await z.user('kay');
    await kay.api.user.joinGroup(await minted(j));
    assert.ok((await ivan.api.groups.users(groupId)).includes(kay.id), "jane's invite let kay in");

    await j.click('Leave this group');
    await j.until(() => j.window.location.hash === '#/', 'back on My account');
    await j.see('You are in no group yet');
    assert.ok(!(await ivan.api.groups.users(groupId)).includes(jane.id));
  });

  it("on a space's page, a member through a group is offered what the group's privileges in the space allow", async () => {
    const [mia, ned] = await Promise.all([z.user('mia'), z.user('ned')]);
    const spaceId = await mia.api.user.createSpace('through-a-group');
    const groupId = await ned.api.user.createGroup('neds-team', 'team');
    await ned.api.groupSpaces.join(groupId, await mia.api.spaces.createGroupInvite(spaceId));
    const ui = await open(`#/spaces/${spaceId}`);
    await ui.signIn(ned.login, ned.password);
    await ui.see('Space through-a-group');
    assert.ok(!ui.text().includes('Create invite'), 'the default space_view_data: no invite form');

    await mia.api.spaces.setGroupPrivileges(spaceId, groupId, ['space_view_data', 'space_invite_user']);
    await ui.go('#/');
    await ui.go(`#/spaces/${spaceId}`);
    const invite = ui.region('Invite');
    assert.deepEqual(radios(ui, invite), ['user'], 'only the kind the group may mint');
    assert.equal(ui.document.querySelectorAll('details').length, 0, 'no privileges to set');
    await ui.click('Create invite', invite);
    const oz = await z.user('oz');
    await oz.api.user.joinSpace(await minted(ui));
    assert.ok((await mia.api.spaces.users(spaceId)).includes(oz.id));
  });

  it('a group path that names no plausible id is the not-found page, not a request', async () => {
    const kim = await z.user('kim');
    const ui = await open();
    await ui.signIn(kim.login, kim.password);
    await ui.see('Signed in as kim');
    for (const hash of ['#/groups/..', '#/groups/', '#/groups/a%2Fb']) {
      await ui.go('#/');
      await ui.go(hash);
      await ui.until(() => ui.text(ui.document.querySelector('h1')!) === 'Not found', `the not-found page for ${hash}`);
      assert.deepEqual(ui.alerts(), [], hash);
    }
    // A group kim is not in: the zone's words.
    const other = await (await z.user('lou')).api.user.createGroup('not-kims', 'team');
    await ui.go(`#/groups/${other}`);
    await ui.until(() => ui.alerts().includes('You are not a member of this group.'), 'the refusal');
  });
});
