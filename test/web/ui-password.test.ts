import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneError, tokenId } from '../../src/client/index.js';
import type { Ui } from '../helpers/browser.js';
import { type TestZone, type TestUser, startZone } from '../helpers/zone.js';
import { tabsOf } from './tab.js';

const TOKEN_KEY = 'onezone.accessToken';

/** Whether the zone takes this login and password (Basic), as a new sign-in would. */
async function accepts(z: TestZone, login: string, password: string): Promise<boolean> {
  return z
    .client({ basic: { login, password } })
    .user.get()
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof OnezoneError && err.status === 401) return false;
        throw err;
      },
    );
}

/** Fills the three fields of the password form and submits it. */
async function changePassword(ui: Ui, current: string, next: string, again = next): Promise<void> {
  const form = ui.region('Change password');
  ui.fill('Current password', current, form);
  ui.fill('New password', next, form);
  ui.fill('New password again', again, form);
  await ui.click('Change password', form);
}

const fields = (ui: Ui) => ['Current password', 'New password', 'New password again'].map((l) => ui.control(l, ui.region('Change password')).value);

describe('web UI: changing the password, against a real zone', async () => {
  const z = await startZone();
  const open = tabsOf(z);
  const signedIn = async (name: string): Promise<{ user: TestUser; ui: Ui }> => {
    const user = await z.user(name);
    const ui = await open();
    await ui.signIn(user.login, user.password);
    await ui.see(`Signed in as ${name}`);
    return { user, ui };
  };

  it('changes it: the old password is refused from then on, the new one signs in; the fields are cleared, the session goes on', async () => {
    const { user, ui } = await signedIn('ada');
    const token = ui.window.sessionStorage.getItem(TOKEN_KEY);
    const form = ui.region('Change password');
    assert.equal(ui.control('Current password', form).getAttribute('type'), 'password');
    assert.equal(ui.control('Current password', form).getAttribute('autocomplete'), 'current-password');
    assert.equal(ui.control('New password', form).getAttribute('autocomplete'), 'new-password');

    await changePassword(ui, user.password, 'a-brand-new-password');
    await ui.see('Password changed.');
    assert.deepEqual(ui.alerts(), []);
    assert.deepEqual(fields(ui), ['', '', ''], 'the fields are cleared');
    assert.ok(!ui.document.body.innerHTML.includes('a-brand-new-password'), 'the password is not left in the page');

    assert.equal(await accepts(z, user.login, user.password), false, 'the old password is refused');
    assert.equal(await accepts(z, user.login, 'a-brand-new-password'), true, 'the new one is taken');
    // The session goes on: its token still works, and the page still answers.
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), token);
    assert.equal((await z.client({ token: token! }).user.get()).login, user.login);
    const changes = await z.admin.audit.list({ actorId: user.id });
    assert.ok(changes.events.some((e) => e.action === 'user.password'), 'the zone recorded the change');

    // Signing in through the UI: the old password is refused with the zone's words, the new one works.
    const again = await open();
    await again.signIn(user.login, user.password);
    await again.until(() => again.alerts().includes('Provided credentials are not valid.'), 'the refused old password');
    await again.signIn(user.login, 'a-brand-new-password');
    await again.see(`Signed in as ada (${user.login})`);
  });

  it('a wrong current password: the zone says so (a 401 that is not about the session), nothing changes, the user stays signed in', async () => {
    const { user, ui } = await signedIn('bea');
    await changePassword(ui, 'not-my-password', 'another-long-password');
    await ui.until(() => ui.alerts().includes('The current password is wrong.'), 'the wrong current password');
    await ui.see(`Signed in as bea (${user.login})`);
    assert.ok(ui.window.sessionStorage.getItem(TOKEN_KEY), 'still signed in');
    assert.ok(!ui.text().includes('Your session ended'));
    assert.equal(await accepts(z, user.login, user.password), true, 'the password is unchanged');
    assert.equal(await accepts(z, user.login, 'another-long-password'), false);

    // The next attempt, right this time, goes through.
    await changePassword(ui, user.password, 'another-long-password');
    await ui.see('Password changed.');
    assert.equal(await accepts(z, user.login, 'another-long-password'), true);
  });

  it('the new password typed twice differently is refused by the page; a too short one by the zone', async () => {
    const { user, ui } = await signedIn('cleo');
    await changePassword(ui, user.password, 'first-long-password', 'second-long-password');
    await ui.until(() => ui.alerts().includes('The new password and its repetition differ: type the same new password twice.'), 'the mismatch');
    assert.equal(await accepts(z, user.login, user.password), true, 'the password is unchanged');
    assert.equal(await accepts(z, user.login, 'first-long-password'), false);

    await changePassword(ui, user.password, 'short');
    await ui.until(() => ui.alerts().includes("invalid 'newPassword' value: must be at least 8 characters"), 'the zone refusing a short password');
    assert.ok(!ui.text().includes('Password changed.'));
    assert.equal(await accepts(z, user.login, user.password), true, 'the password is unchanged');
    assert.equal(await accepts(z, user.login, 'short'), false);
  });

  it('a session the zone no longer takes ends, saying why: the 401 then is about the token', async () => {
    const { user, ui } = await signedIn('dora');
    await user.api.tokens.setRevoked(tokenId(ui.window.sessionStorage.getItem(TOKEN_KEY)!), true);
    await changePassword(ui, user.password, 'never-gets-set-password');
    await ui.see('Your session ended:');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), null);
    ui.region('With your login and password');
    assert.equal(await accepts(z, user.login, user.password), true, 'the password is unchanged');
  });
});

describe('web UI: a password change throttled by the zone', async () => {
  // Two failed logins from an address (or for a login) in ten minutes: the next attempts get 429.
  const z = await startZone({ env: { ONEZONE_THROTTLE: 'on', ONEZONE_THROTTLE_ATTEMPTS: '2', ONEZONE_THROTTLE_WINDOW: '600' } });
  const open = tabsOf(z);

  it('after too many wrong current passwords the zone answers 429: the page says how long to wait (Retry-After), and keeps the session', async () => {
    const user = await z.user('ella');
    const ui = await open();
    await ui.signIn(user.login, user.password);
    await ui.see('Signed in as ella');
    for (let i = 0; i < 2; i++) {
      await changePassword(ui, `wrong-${i}`, 'throttled-long-password');
      await ui.until(() => ui.alerts().includes('The current password is wrong.'), `wrong password ${i + 1}`);
    }
    await changePassword(ui, user.password, 'throttled-long-password');
    const alert = await ui.until(() => ui.alerts().find((a) => a.startsWith('Too many requests; retry later.')), 'the 429');
    const wait = /^Too many requests; retry later\. Try again in (\d+) seconds\.$/.exec(alert);
    assert.ok(wait, alert);
    assert.ok(Number(wait[1]) > 500 && Number(wait[1]) <= 600, `the window's rest: ${wait[1]} s`);
    assert.ok(ui.window.sessionStorage.getItem(TOKEN_KEY), 'a 429 does not sign out');
    assert.ok(!ui.text().includes('Your session ended'));
    await ui.see('Signed in as ella');
    // Every credentialed request from this address waits now, as the page said.
    const raw = await z.client({ token: user.token }).http.raw('GET', '/user');
    assert.equal(raw.status, 429, 'the zone still throttles this address');
    assert.ok(Number(raw.headers['retry-after']) > 0);
  });
});
