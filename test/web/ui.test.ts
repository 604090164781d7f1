import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneClient, OnezoneError, tokenId } from '../../src/client/index.js';
import type { Element, HTMLTextAreaElement } from 'happy-dom';
import { ADMIN_PASSWORD, startZone } from '../helpers/zone.js';
import { reload, tabsOf } from './tab.js';

const TOKEN_KEY = 'onezone.accessToken';

describe('web UI in a browser, against a real zone', async () => {
  const z = await startZone();
  const open = tabsOf(z);

  it('signs in with login and password into sessionStorage only; sign out revokes the token and forgets it', async () => {
    const alice = await z.user('alice');
    const ui = await open();
    assert.equal(ui.document.title, 'Sign in · Onezone');
    await ui.signIn(alice.login, alice.password);
    await ui.see(`Signed in as alice (${alice.login})`);
    await ui.see(alice.id);

    const token = ui.window.sessionStorage.getItem(TOKEN_KEY);
    assert.ok(token, 'the access token is kept in sessionStorage');
    assert.equal(ui.window.localStorage.length, 0, 'nothing in localStorage');
    assert.ok(!ui.window.location.href.includes(token), 'the token is not in the URL');
    assert.ok(!ui.document.body.innerHTML.includes(alice.password), 'the password is not left in the page');
    // It is a real access token of alice's, obtained from GET /user/client_token.
    const [issued] = (await alice.api.tokens.list()).filter((t) => t.tokenId === tokenId(token));
    assert.equal(issued?.kind, 'access');
    assert.equal((await z.client({ token }).user.get()).login, alice.login);

    await ui.click('Sign out');
    await ui.see('Signed out.');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), null);
    assert.equal(ui.window.sessionStorage.length, 0);
    ui.region('With your login and password');
    // The zone refuses the token from then on: copied out of the tab, it is worth nothing.
    await assert.rejects(z.client({ token }).user.get(), (e) => e instanceof OnezoneError && e.status === 401 && /revoked/.test(e.description));
    assert.equal((await alice.api.tokens.get(tokenId(token))).revoked, true);
    assert.equal((await alice.api.user.get()).login, alice.login, "alice's other token still works");
  });

  it('sign out with a token the zone already refuses still signs out, quietly', async () => {
    const frank = await z.user('frank');
    const ui = await open();
    await ui.signIn(frank.login, frank.password);
    await ui.see('Signed in as frank');
    const token = ui.window.sessionStorage.getItem(TOKEN_KEY)!;
    await frank.api.tokens.remove(tokenId(token));
    await ui.click('Sign out');
    await ui.see('Signed out.');
    assert.deepEqual(ui.alerts(), [], 'no error shown');
    assert.ok(!ui.text().includes('Your session ended'));
    assert.equal(ui.window.sessionStorage.length, 0);
    ui.region('With your login and password');
  });

  it('shows the API error description: a wrong password, an invalid invite token', async () => {
    const bob = await z.user('bob');
    const ui = await open();
    await ui.signIn(bob.login, 'not-the-password');
    await ui.until(() => ui.alerts().includes('Provided credentials are not valid.'), 'the refused credentials');
    assert.equal(ui.window.sessionStorage.length, 0);

    // Signing in by pasting an access token.
    const form = ui.region('With an access token');
    ui.fill('Access token', bob.token, form);
    await ui.click('Use this token', form);
    await ui.see(`Signed in as bob (${bob.login})`);

    await ui.go('#/join');
    const join = ui.region('Join a space');
    ui.fill('Space invite token', 'definitely-not-a-token', join);
    await ui.click('Join space', join);
    await ui.until(() => ui.alerts().includes('Provided token could not be validated.'), 'the invalid token error');
    assert.deepEqual((await bob.api.user.spaces()).spaces, [], 'bob joined nothing');
  });

  it('creates a space, mints an invite; a second user joins with it through the UI; privileges change', async () => {
    const [alice, bob] = await Promise.all([z.user('alice'), z.user('bob')]);
    const a = await open();
    await a.signIn(alice.login, alice.password);
    await a.see('My spaces');
    const spaces = a.region('My spaces');
    a.fill('New space name', 'ui-experiment', spaces);
    await a.click('Create space', spaces);
    await a.see('Space ui-experiment created.');
    const { spaces: ids } = await alice.api.user.spaces();
    assert.equal(ids.length, 1);
    const spaceId = ids[0]!;
    const link = await a.until(() => [...a.document.querySelectorAll('a')].find((l) => a.text(l) === 'ui-experiment'), 'the space link');
    assert.equal(link.getAttribute('href'), `#/spaces/${spaceId}`);

    await a.go(link.getAttribute('href')!);
    await a.see('Space ui-experiment');
    const invite = a.region('Invite');
    a.fill('Number of uses', '2', invite);
    await a.click('Create invite', invite);
    const shown = await a.until(() => (a.document.querySelector('textarea.token') as HTMLTextAreaElement | null)?.value, 'the invite token');
    assert.ok(a.text().includes('shown only this once'));
    await a.click('Copy');
    await a.see('Copied to the clipboard.');
    assert.equal(await a.window.navigator.clipboard.readText(), shown);
    const minted = await alice.api.tokens.get(tokenId(shown));
    assert.equal(minted.kind, 'invite');
    assert.equal(minted.usageLimit, 2);

    const b = await open();
    await b.signIn(bob.login, bob.password);
    await b.see('Signed in as bob');
    await b.go('#/join');
    const join = b.region('Join a space');
    b.fill('Space invite token', shown, join);
    await b.click('Join space', join);
    await b.see('You are a member of ui-experiment.');
    assert.ok((await alice.api.spaces.users(spaceId)).includes(bob.id));
    assert.equal((await alice.api.tokens.get(tokenId(shown))).usageCount, 1);

    // bob holds only the default space_view_data: no privilege editor, no invite form.
    await b.go(`#/spaces/${spaceId}`);
    await b.see('Space ui-experiment');
    assert.equal(b.document.querySelectorAll('details').length, 0);
    assert.ok(!b.text().includes('Create invite'));

    // alice sees bob and gives him space_invite_user.
    await a.go('#/');
    await a.go(`#/spaces/${spaceId}`);
    await a.see(bob.login);
    const row = [...a.document.querySelectorAll('tr')].find((r) => a.text(r).includes(bob.login))!;
    assert.ok(a.text(row).includes('view data'));
    a.control('invite user', row).click();
    await a.click('Save privileges', row);
    await a.see('Privileges of bob saved.');
    assert.deepEqual((await alice.api.spaces.userPrivileges(spaceId, bob.id)).sort(), ['space_invite_user', 'space_view_data']);
  });

  it('lists my tokens with use counts; revoke, unrevoke and delete an invite', async () => {
    const carol = await z.user('carol');
    const spaceId = await carol.api.user.createSpace('tokens-space');
    const invite = await carol.api.spaces.createUserInvite(spaceId, { usageLimit: 5 });
    const id = tokenId(invite);
    const ui = await open();
    await ui.signIn(carol.login, carol.password);
    await ui.go('#/tokens');
    await ui.see('0 of 5');
    const row = () => [...ui.document.querySelectorAll('tr')].find((r) => ui.text(r).includes('space invite user token'))!;
    await ui.click('Revoke', row());
    await ui.see(`Token ${id.slice(0, 8)}… revoked.`);
    assert.equal((await carol.api.tokens.get(id)).revoked, true);
    assert.ok(ui.text(row()).includes('revoked'));
    await ui.click('Unrevoke', row());
    await ui.see('unrevoked.');
    assert.equal((await carol.api.tokens.get(id)).revoked, false);
    await ui.click('Delete', row());
    await ui.see('deleted.');
    assert.ok(!(await carol.api.tokens.list()).some((t) => t.tokenId === id));
  });

  it('a revoked session token sends the user back to sign in, saying why', async () => {
    const dave = await z.user('dave');
    const ui = await open();
    await ui.signIn(dave.login, dave.password);
    await ui.see('Signed in as dave');
    const token = ui.window.sessionStorage.getItem(TOKEN_KEY)!;
    await dave.api.tokens.setRevoked(tokenId(token), true);
    await ui.go('#/tokens');
    await ui.see('Your session ended:');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), null);
    ui.region('With your login and password');
  });

  it('admins: the audit trail page lists events with paging, and the users page creates users', async () => {
    const erin = await z.user('erin');
    // Enough events for more than one page (50 a page).
    for (let i = 0; i < 30; i++) await erin.api.user.createSpace(`audit-${i}`);

    const plain = await open();
    await plain.signIn(erin.login, erin.password);
    await plain.see('Signed in as erin');
    assert.ok(!plain.text().includes('Audit trail'), 'no admin links for a plain user');
    await plain.go('#/audit');
    await plain.see('Not found');

    const ui = await open();
    await ui.signIn('admin', ADMIN_PASSWORD);
    await ui.see('Audit trail');
    await ui.go('#/audit');
    await ui.see('Page 1: 50 events.');
    assert.ok(ui.text().includes('user.create'));
    const firstIds = () => [...ui.document.querySelectorAll('tbody tr td:first-child')].map((td) => Number(ui.text(td)));
    const page1 = firstIds();
    await ui.click('Next page');
    await ui.see('Page 2:');
    const page2 = firstIds();
    assert.ok(page2.length > 0 && Math.min(...page2) > Math.max(...page1), 'the next page holds later events');
    assert.ok(ui.text().includes('space.create'));
    await ui.click('Previous page');
    await ui.see('Page 1: 50 events.');
    assert.deepEqual(firstIds(), page1);

    // A double click on Next page: the second lands after the page has drawn itself again, before
    // the next page has come. One page on (it counted two, and Previous page then stayed put).
    const next = [...ui.document.querySelectorAll('button')].find((b) => ui.text(b) === 'Next page')!;
    next.click();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    if (!next.disabled) next.click();
    await ui.settle();
    await ui.see('Page 2:');
    assert.deepEqual(firstIds(), page2);
    await ui.click('Previous page');
    await ui.see('Page 1: 50 events.');
    assert.deepEqual(firstIds(), page1);

    await ui.go('#/users');
    const form = ui.region('Create a user');
    ui.fill('Login', `frank-${process.pid}`, form);
    ui.fill('Name', 'Frank', form);
    ui.fill('Password', 'franks-long-password', form);
    await ui.click('Create user', form);
    await ui.see(`Created user frank-${process.pid}`);
    const frank = new OnezoneClient({ baseUrl: z.baseUrl, credentials: { basic: { login: `frank-${process.pid}`, password: 'franks-long-password' } } });
    try {
      assert.equal((await frank.user.get()).name, 'Frank');
    } finally {
      await frank.close();
    }
  });
  it('token fields and logins are never spell-checked (the DOM property, which a browser reads)', async () => {
    const gina = await z.user('gina');
    const spaceId = await gina.api.user.createSpace('spelling');
    const ui = await open();
    await reload(ui);
    const off = (e: Element | null, what: string) => {
      assert.ok(e, what);
      assert.equal((e as unknown as { spellcheck: boolean }).spellcheck, false, `${what}: spellcheck`);
      assert.equal(e.getAttribute('spellcheck'), 'false', what);
    };
    off(ui.control('Access token', ui.region('With an access token')), 'the access token field');
    off(ui.control('Login', ui.region('With your login and password')), 'the login field');
    assert.equal(ui.control('Access token', ui.region('With an access token')).getAttribute('autocapitalize'), 'off');
    await ui.signIn(gina.login, gina.password);
    await ui.see('Signed in as gina');
    await ui.go('#/join');
    off(ui.control('Space invite token', ui.region('Join a space')), 'the space invite field');
    off(ui.control('Group invite token', ui.region('Join a group')), 'the group invite field');
    await ui.go(`#/spaces/${spaceId}`);
    await ui.click('Create invite', ui.region('Invite'));
    off(await ui.until(() => ui.document.querySelector('textarea.token'), 'the minted invite'), 'the minted invite');
  });

  it('a space path that names no plausible id is the not-found page, not a request', async () => {
    const hank = await z.user('hank');
    const ui = await open();
    await ui.signIn(hank.login, hank.password);
    await ui.see('Signed in as hank');
    for (const hash of ['#/spaces/..', '#/spaces/.', '#/spaces/', '#/spaces/%2e%2e', '#/spaces/a%2Fb', '#/spaces/a%20b', '#/spaces/%']) {
      await ui.go('#/');
      await ui.go(hash);
      await ui.until(() => ui.text(ui.document.querySelector('h1')!) === 'Not found', `the not-found page for ${hash}`);
      assert.deepEqual(ui.alerts(), [], hash);
    }
  });

  it('an invite with unlimited uses needs no number of uses', async () => {
    const ivy = await z.user('ivy');
    const spaceId = await ivy.api.user.createSpace('unlimited');
    const ui = await open(`#/spaces/${spaceId}`);
    await ui.signIn(ivy.login, ivy.password);
    const invite = ui.region('Invite');
    ui.control('Unlimited uses', invite).click();
    await ui.settle();
    const uses = ui.control('Number of uses', invite);
    assert.equal(uses.disabled, true, 'the number of uses is off');
    ui.fill('Number of uses', '', invite);
    await ui.click('Create invite', invite);
    const token = await ui.until(() => (ui.document.querySelector('textarea.token') as HTMLTextAreaElement | null)?.value, 'the invite token');
    assert.equal((await ivy.api.tokens.get(tokenId(token))).usageLimit, 'infinity');
  });

  it('a member only through a group is not offered "Leave this space" (the zone refuses it)', async () => {
    const [jack, kate] = await Promise.all([z.user('jack'), z.user('kate')]);
    const spaceId = await jack.api.user.createSpace('through-groups');
    const groupId = await kate.api.user.createGroup('kates-team', 'team');
    await kate.api.groupSpaces.join(groupId, await jack.api.spaces.createGroupInvite(spaceId));
    const ui = await open(`#/spaces/${spaceId}`);
    await ui.signIn(kate.login, kate.password);
    await ui.see('Space through-groups');
    assert.ok(![...ui.document.querySelectorAll('button')].some((b) => ui.text(b) === 'Leave this space'));
    await ui.see('You are a member of this space through a group');

    // A direct member is.
    const own = await open(`#/spaces/${spaceId}`);
    await own.signIn(jack.login, jack.password);
    await own.see('Space through-groups');
    assert.ok([...own.document.querySelectorAll('button')].some((b) => own.text(b) === 'Leave this space'));
  });

  it('a direct member without space_view_data: the space, "Leave this space" and the invite form are shown, the lists are "not visible to you", the zone decides', async () => {
    const [nina, otto, pia] = await Promise.all([z.user('nina'), z.user('otto'), z.user('pia')]);
    const spaceId = await nina.api.user.createSpace('no-view');
    await otto.api.user.joinSpace(await nina.api.spaces.createUserInvite(spaceId, { privileges: ['space_invite_user'] }));
    const ui = await open(`#/spaces/${spaceId}`);
    await ui.signIn(otto.login, otto.password);
    await ui.see('Space no-view');
    assert.deepEqual(ui.alerts(), []);
    await ui.see(spaceId);
    await ui.see('The users of this space are not visible to you.');
    await ui.see('The groups of this space are not visible to you.');
    await ui.see('The providers of this space are not visible to you.');
    assert.ok(!ui.text().includes('through a group'), 'the UI cannot tell, so it does not say');

    // His own privileges are not shown to him either: every kind of invite is offered, the zone decides.
    const invite = ui.region('Invite');
    ui.control('group', invite).click();
    await ui.click('Create invite', invite);
    await ui.until(() => ui.alerts().includes("This operation requires the 'space_invite_group' privilege in the space."), 'the refusal');
    ui.control('user', invite).click();
    await ui.click('Create invite', invite);
    const token = await ui.until(() => (ui.document.querySelector('textarea.token') as HTMLTextAreaElement | null)?.value, 'the invite token');
    await pia.api.user.joinSpace(token);
    assert.ok((await nina.api.spaces.users(spaceId)).includes(pia.id), "otto's invite let pia in");

    await ui.click('Leave this space');
    await ui.until(() => ui.window.location.hash === '#/', 'back on My account');
    assert.ok(!(await nina.api.spaces.users(spaceId)).includes(otto.id));
  });

  it('one of my groups joins a space with an invite for a group', async () => {
    const [lena, mike] = await Promise.all([z.user('lena'), z.user('mike')]);
    const spaceId = await lena.api.user.createSpace('group-joined');
    await mike.api.user.createGroup('first-team', 'team');
    const groupId = await mike.api.user.createGroup('mikes-team', 'team');
    const invite = await lena.api.spaces.createGroupInvite(spaceId);
    const ui = await open('#/join');
    await ui.signIn(mike.login, mike.password);
    const form = ui.region('Join a space with one of my groups');
    await ui.until(() => form.querySelectorAll('option').length === 2, 'the groups to choose from');
    ui.fill('Group', groupId, form);
    ui.fill('Space invite token for a group', invite, form);
    await ui.click('Join space with the group', form);
    await ui.see('The group mikes-team is a member of group-joined.');
    assert.deepEqual(await lena.api.spaces.groups(spaceId), [groupId]);
  });

  it('a member who may join the group to a space but not view the group: the join is reported as done', async () => {
    const [olga, pete] = await Promise.all([z.user('olga'), z.user('pete')]);
    const groupId = await olga.api.user.createGroup('olgas-team', 'team');
    await pete.api.user.joinGroup(await olga.api.groups.createUserInvite(groupId, { privileges: ['group_join_space'] }));
    const spaceId = await olga.api.user.createSpace('olgas-space');
    const ui = await open('#/join');
    await ui.signIn(pete.login, pete.password);
    const form = ui.region('Join a space with one of my groups');
    await ui.until(() => form.querySelectorAll('option').length === 1, 'the group to choose');
    ui.fill('Space invite token for a group', await olga.api.spaces.createGroupInvite(spaceId), form);
    await ui.click('Join space with the group', form);
    // It said "requires the 'group_view_data' privilege" after the join had been made.
    await ui.see('The group olgas-team is a member of olgas-space.');
    assert.deepEqual(ui.alerts(), []);
    assert.deepEqual(await olga.api.spaces.groups(spaceId), [groupId]);
  });

  it('a group joined on the Join page is at once one to join a space with', async () => {
    const [quinn, rita] = await Promise.all([z.user('quinn'), z.user('rita')]);
    const groupId = await quinn.api.user.createGroup('quinns-team', 'team');
    const ui = await open('#/join');
    await ui.signIn(rita.login, rita.password);
    await ui.see('You are in no group yet.');
    const join = ui.region('Join a group');
    ui.fill('Group invite token', await quinn.api.groups.createUserInvite(groupId), join);
    await ui.click('Join group', join);
    await ui.see('You are a member of the group quinns-team.');
    const form = ui.region('Join a space with one of my groups');
    const options = await ui.until(() => [...form.querySelectorAll('option')], 'the group joined, offered without a reload');
    assert.deepEqual(options.map((o) => o.getAttribute('value')), [groupId]);
    assert.ok(!ui.text(form).includes('You are in no group yet.'));
  });

  it('a message goes into a live region already in the page (screen readers announce changes, not new regions)', async () => {
    const nina = await z.user('nina');
    const ui = await open();
    await ui.signIn(nina.login, nina.password);
    await ui.see('My spaces');
    const before = [...ui.document.querySelectorAll('main [role=status]')];
    assert.ok(before.length > 0 && before.every((e) => ui.text(e) === ''), 'empty live regions wait in the page');
    ui.fill('Name', 'Nina N.');
    await ui.click('Change name');
    const shown = await ui.until(() => [...ui.document.querySelectorAll('[role=status]')].find((e) => ui.text(e) === 'Name changed.'), 'the message');
    assert.ok(before.includes(shown), 'the message is in a region that was there before');
  });
});
