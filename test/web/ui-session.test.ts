import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserWindow } from 'happy-dom';
import { InvalidIdError, OnezoneError, RequestTimeoutError, tokenId } from '../../src/client/index.js';
import { mint, serialize, serializeBase62 } from '../../src/tokens/macaroon.js';
import { describeError, UnreachableError } from '../../web/src/session.js';
import { accessTokenId } from '../../web/src/token-id.js';
import { startZone } from '../helpers/zone.js';
import { reload, tabsOf } from './tab.js';

const TOKEN_KEY = 'onezone.accessToken';

/** The page's fetch, failing while `down.now` says so (each call is asked, so tests switch it). */
function breakable(down: { now: (url: string, init?: RequestInit) => false | 'unreachable' | 503 }) {
  return (w: BrowserWindow) => {
    const real = w.fetch.bind(w);
    w.fetch = (async (input: string, init?: RequestInit) => {
      const failure = down.now(String(input), init);
      if (failure === 'unreachable') throw new w.TypeError('Failed to fetch');
      if (failure === 503) {
        const body = JSON.stringify({ error: 'service_unavailable', error_description: 'The database is unreachable.' });
        return new w.Response(body, { status: 503, headers: { 'content-type': 'application/json' } });
      }
      return real(input, init as never);
    }) as never;
  };
}

describe('the web UI session: reloads, failures, its own token', async () => {
  const z = await startZone();
  const open = tabsOf(z);
  const signedIn = async (name: string) => {
    const user = await z.user(name);
    const ui = await open();
    await ui.signIn(user.login, user.password);
    await ui.see(`Signed in as ${name}`);
    return { user, ui, token: ui.window.sessionStorage.getItem(TOKEN_KEY)! };
  };

  it('a reload while the zone is out of reach keeps the session: the error, and Retry', async () => {
    const { ui, token } = await signedIn('olga');
    let unreachable = true;
    await reload(ui, breakable({ now: () => unreachable && 'unreachable' }));
    await ui.see('Your session could not be opened');
    assert.deepEqual(ui.alerts(), ['The zone could not be reached.']);
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), token, 'the token is kept');
    assert.ok(!ui.text().includes('Signed out'));

    await ui.click('Retry');
    await ui.see('Your session could not be opened');
    unreachable = false;
    await ui.click('Retry');
    await ui.see('Signed in as olga');
    assert.deepEqual(ui.alerts(), []);
  });

  it('a reload while the zone answers 503 keeps the token; signing out then says the token stays valid', async () => {
    const { ui, token } = await signedIn('pete');
    await reload(ui, breakable({ now: () => 503 }));
    await ui.see('Your session could not be opened');
    assert.deepEqual(ui.alerts(), ['The database is unreachable.']);
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), token);

    await ui.click('Sign out');
    await ui.see('Signed out in this tab, but the zone did not revoke the access token (The database is unreachable.): it stays valid until it expires.');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), null);
    ui.region('With your login and password');
    assert.equal((await z.client({ token }).user.get()).name, 'pete', 'as the page said, the token still works');
  });

  it('a reload with a token the zone refuses (401) signs out, saying why', async () => {
    const { user, ui, token } = await signedIn('quinn');
    await user.api.tokens.setRevoked(tokenId(token), true);
    await reload(ui);
    await ui.see('Signed out:');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), null);
    ui.region('With your login and password');
  });

  it('a token minted from the password is kept when checking it fails, not left live and lost', async () => {
    const rita = await z.user('rita');
    const ui = await open();
    let down = true;
    await reload(ui, breakable({ now: (url, init) => down && (init?.method ?? 'GET') === 'GET' && url.endsWith('/user') && 'unreachable' }));
    await ui.signIn(rita.login, rita.password);
    await ui.see('Your session could not be opened');
    const token = ui.window.sessionStorage.getItem(TOKEN_KEY);
    assert.ok(token, 'the new token is kept');
    down = false;
    await ui.click('Retry');
    await ui.see('Signed in as rita');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), token);
  });

  it('every API call asks the browser not to store the answer (cache: no-store)', async () => {
    const sam = await z.user('sam');
    const ui = await open();
    const caches: string[] = [];
    await reload(ui, (w) => {
      const real = w.fetch.bind(w);
      w.fetch = ((input: string, init?: RequestInit) => {
        caches.push(String(init?.cache));
        return real(input, init as never);
      }) as never;
    });
    await ui.signIn(sam.login, sam.password);
    await ui.see('Signed in as sam');
    await ui.go('#/tokens');
    await ui.see('Delete');
    assert.ok(caches.length >= 4, `${caches.length} calls`);
    assert.deepEqual(new Set(caches), new Set(['no-store']));
  });

  it('My tokens marks the token of this session; revoking it says it signs out, and does', async () => {
    const { user, ui, token } = await signedIn('tina');
    await ui.go('#/tokens');
    const row = await ui.until(() => [...ui.document.querySelectorAll('tr')].find((r) => ui.text(r).includes('this session')), 'this session');
    assert.ok(ui.text(row).includes(tokenId(token).slice(0, 8)));
    // The other access token (the test's own) is a plain row.
    const other = [...ui.document.querySelectorAll('tr')].find((r) => ui.text(r).includes(tokenId(user.token).slice(0, 8)))!;
    assert.ok(!ui.text(other).includes('this session') && !ui.text(other).includes('sign out'));
    await ui.click('Revoke and sign out', row);
    await ui.see('Signed out: you revoked the token of this session.');
    assert.equal(ui.window.sessionStorage.getItem(TOKEN_KEY), null);
    ui.region('With your login and password');
    assert.equal((await user.api.tokens.get(tokenId(token))).revoked, true);
  });

  it("reads a token's id in the browser as the SDK does (base64url and base62), null for anything else", () => {
    const m = mint(Buffer.alloc(32, 7), 'zone.example', 'id-Of_a-token');
    assert.equal(accessTokenId(serialize(m)), 'id-Of_a-token');
    assert.equal(accessTokenId(serializeBase62(m)), 'id-Of_a-token');
    assert.equal(accessTokenId(` ${serializeBase62(m)}\n`), tokenId(` ${serializeBase62(m)}\n`));
    for (const junk of ['', 'not a token', 'abc', '0000', '%%%', serialize(m).slice(0, 10)]) assert.equal(accessTokenId(junk), null, junk);
  });

  it('errors are told apart: the zone unreachable, slow, refusing; an id the SDK would not send', () => {
    assert.equal(describeError(new UnreachableError(new TypeError('Failed to fetch'))), 'The zone could not be reached.');
    assert.equal(describeError(new RequestTimeoutError(30_000)), 'The zone did not answer in time.');
    assert.equal(describeError(new OnezoneError(404, 'not_found', 'No such space.')), 'No such space.');
    assert.equal(describeError(new InvalidIdError('..')), 'This is not a valid ID: "..".');
    // The SDK's own usage errors are TypeErrors too: they are not "unreachable".
    assert.equal(describeError(new TypeError('the path has a dot segment: /a/..')), 'Something went wrong in this page: the path has a dot segment: /a/..');
  });
});
