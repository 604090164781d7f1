import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { OnezoneError } from '../../src/client/index.js';
import { DISCHARGE_TTL } from '../../src/domain/provider-login.js';
import { addFirstPartyCaveat, bindForRequest, parse, serialize, serializeBase62, verify } from '../../src/tokens/macaroon.js';
import { caveatKey, rootKey } from '../../src/tokens/tokens.js';
import { registerProvider } from '../helpers/providers.js';
import { startZone } from '../helpers/zone.js';

describe('provider-mediated login: POST /user/authorize and discharge macaroons', async () => {
  let now = Math.floor(Date.now() / 1000);
  const z = await startZone({ clock: () => now });
  const alice = await z.user('alice');
  const p = await registerProvider(z);

  const getUser = async (headers: Record<string, string>) => {
    const res = await request(`${z.baseUrl}/user`, { headers });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  };

  /** The provider's side: find the zone's third-party caveat, get its discharge, bind it. */
  const login = async () => {
    const token = await alice.api.providers.loginToken(p.id);
    const m = parse(token);
    const third = m.caveats.find((c) => c.kind === 'third');
    assert.ok(third && third.kind === 'third');
    assert.equal(third.location, 'onezone');
    const discharge = await p.api.provider.authorizeUser(third.cid);
    return { token, m, cid: third.cid, discharge };
  };

  it('the full flow: token with a third-party caveat, the zone discharges it, the bound discharge authenticates', async () => {
    const { token, m, cid, discharge } = await login();
    const d = parse(discharge);
    assert.equal(d.identifier, cid);
    assert.deepEqual(
      d.caveats.map((c) => c.cid),
      [`time < ${now + DISCHARGE_TTL}`],
    );
    // Independently of the server: the discharge verifies with the caveat key once bound.
    const bound = bindForRequest(m, d);
    const masterKey = Buffer.from((await import('node:fs')).readFileSync(`${z.dataDir}/master.key`, 'utf8').trim(), 'base64url');
    const timeOnly = (c: string) => c.startsWith('time < ');
    assert.ok(verify(d, caveatKey(masterKey, cid), timeOnly), 'the discharge is made with the key derived from the caveat id');
    assert.ok(verify(m, rootKey(masterKey, m.identifier), timeOnly, [bound]), 'the token verifies with its bound discharge');
    assert.ok(!verify(m, rootKey(masterKey, m.identifier), timeOnly, [d]), 'but not with the unbound one');

    const ok = await getUser({ macaroon: token, 'discharge-macaroons': serialize(bound) });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.userId, alice.id);
    // Base62 (as the 2016 clients sent them) works as well, with several discharges listed.
    const again = await getUser({ 'x-auth-token': serializeBase62(m), 'discharge-macaroons': ` ${serializeBase62(bound)}  ${serialize(bound)} ` });
    assert.equal(again.status, 200);
  });

  it('a login token with its discharge cannot mint tokens that would outlive the discharge: 403', async () => {
    const { token, m, discharge } = await login();
    const headers = { macaroon: token, 'discharge-macaroons': serialize(bindForRequest(m, parse(discharge))) };
    const minted = await request(`${z.baseUrl}/user/client_token`, { headers });
    assert.equal(minted.statusCode, 403);
    assert.match(((await minted.body.json()) as { error_description: string }).error_description, /discharge/);
    const again = await request(`${z.baseUrl}/user/provider_login_token`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ providerId: p.id }),
    });
    assert.equal(again.statusCode, 403);
    await again.body.dump();
    assert.equal((await getUser(headers)).status, 200, 'it still authenticates');
  });

  it('without the discharge, with it unbound, bound to another token, or tampered: 401', async () => {
    const first = await login();
    const second = await login();
    const d = parse(first.discharge);
    assert.equal((await getUser({ macaroon: first.token })).status, 401);
    assert.equal((await getUser({ macaroon: first.token, 'discharge-macaroons': first.discharge })).status, 401);
    const boundToSecond = serialize(bindForRequest(second.m, d));
    assert.equal((await getUser({ macaroon: first.token, 'discharge-macaroons': boundToSecond })).status, 401);
    const widened = serialize(bindForRequest(first.m, { ...d, caveats: [] }));
    assert.equal((await getUser({ macaroon: first.token, 'discharge-macaroons': widened })).status, 401);
    const garbage = await getUser({ macaroon: first.token, 'discharge-macaroons': 'garbage' });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.json.error, 'invalid_token');
  });

  it('a discharge attenuated by its holder still works; its time caveat is enforced', async () => {
    const { token, m, discharge } = await login();
    const narrowed = addFirstPartyCaveat(parse(discharge), `time < ${now + 60}`);
    const bound = serialize(bindForRequest(m, narrowed));
    assert.equal((await getUser({ macaroon: token, 'discharge-macaroons': bound })).status, 200);
    now += 61;
    const expired = await getUser({ macaroon: token, 'discharge-macaroons': bound });
    assert.equal(expired.status, 401);
    assert.match(String(expired.json.error_description), /expired/);
  });

  it('unknown identifier: 400 with a JSON error body; the request body is validated', async () => {
    const res = await request(`${z.baseUrl}/user/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'no-such-caveat' }),
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(await res.body.json(), { error: 'invalid_request', error_description: "invalid 'identifier' value: unknown or expired" });
    await assert.rejects(p.api.provider.authorizeUser(''), (e: OnezoneError) => e.status === 400);
  });

  it('the discharge comes as plain text, needs no credentials', async () => {
    const token = await alice.api.providers.loginToken(p.id);
    const third = parse(token).caveats.find((c) => c.kind === 'third')!;
    const res = await request(`${z.baseUrl}/user/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: third.cid }),
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(await res.body.text(), /^[A-Za-z0-9_-]+$/);
  });

  it('a provider login ends with the provider: its token and discharge are refused once it is deleted (401)', async () => {
    const other = await registerProvider(z);
    const token = await alice.api.providers.loginToken(other.id);
    const m = parse(token);
    const third = m.caveats.find((c) => c.kind === 'third')!;
    const bound = serialize(bindForRequest(m, parse(await other.api.provider.authorizeUser(third.cid))));
    assert.equal((await getUser({ macaroon: token, 'discharge-macaroons': bound })).status, 200);
    await other.api.provider.remove();
    const refused = await getUser({ macaroon: token, 'discharge-macaroons': bound });
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.json, { error: 'invalid_token', error_description: 'Provided access token was issued for a login through a provider that no longer exists.' });
    // Another provider's login of the same user is untouched.
    const still = await login();
    assert.equal((await getUser({ macaroon: still.token, 'discharge-macaroons': serialize(bindForRequest(still.m, parse(still.discharge))) })).status, 200);
  });

  it('a login token needs an existing provider; it dies with its user', async () => {
    await assert.rejects(alice.api.providers.loginToken('no-such-provider'), (e: OnezoneError) => e.status === 404);
    const bob = await z.user('bob');
    const token = await bob.api.providers.loginToken(p.id);
    const m = parse(token);
    const third = m.caveats.find((c) => c.kind === 'third')!;
    const bound = serialize(bindForRequest(m, parse(await p.api.provider.authorizeUser(third.cid))));
    assert.equal((await getUser({ macaroon: token, 'discharge-macaroons': bound })).status, 200);
    await bob.api.user.remove();
    assert.equal((await getUser({ macaroon: token, 'discharge-macaroons': bound })).status, 401);
    await assert.rejects(p.api.provider.authorizeUser(third.cid), (e: OnezoneError) => e.status === 400);
  });
});
