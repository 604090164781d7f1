import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { type Credentials, tokenId } from '../../src/client/index.js';
import { fails } from '../helpers/assert.js';
import { registerProvider } from '../helpers/providers.js';
import { startZone } from '../helpers/zone.js';

type TokenHeader = Extract<Credentials, { token: string }>['header'] & string;
const HEADERS: TokenHeader[] = ['macaroon', 'x-auth-token', 'bearer'];

describe('extension DELETE /user/client_token: sign out', async () => {
  const z = await startZone();

  for (const header of HEADERS) {
    it(`revokes the access token sent in the ${header} header; it is refused from then on, in every header`, async () => {
      const alice = await z.user('alice');
      const token = await alice.api.user.clientToken();
      const session = z.client({ token, header });
      assert.equal((await session.user.get()).userId, alice.id);

      const answer = await session.http.raw('DELETE', '/user/client_token');
      assert.equal(answer.status, 204);
      assert.equal(answer.body, undefined, 'no body');

      for (const h of HEADERS) {
        const e = await fails(z.client({ token, header: h }).user.get(), 401, 'invalid_token');
        assert.match(e.description, /revoked/);
      }
      await fails(session.user.signOut(), 401, 'invalid_token');
      // The same effect as revoking it on /user/tokens: the row stays, marked revoked.
      assert.equal((await alice.api.tokens.get(tokenId(token))).revoked, true);
    });
  }

  it("the user's other tokens keep working", async () => {
    const bob = await z.user('bob');
    const browser = await bob.api.user.clientToken();
    const laptop = await bob.api.user.clientToken();
    await z.client({ token: browser }).user.signOut();
    await fails(z.client({ token: browser }).user.get(), 401);
    assert.equal((await z.client({ token: laptop }).user.get()).userId, bob.id);
    assert.equal((await bob.api.user.get()).userId, bob.id);
    const revoked = (await bob.api.tokens.list()).filter((t) => t.revoked).map((t) => t.tokenId);
    assert.deepEqual(revoked, [tokenId(browser)]);
  });

  it('Basic credentials carry no access token: 400 invalid_request in the catalog shape, nothing revoked', async () => {
    const carol = await z.user('carol');
    const basic = z.client({ basic: { login: carol.login, password: carol.password } });
    const answer = await basic.http.raw('DELETE', '/user/client_token');
    assert.equal(answer.status, 400);
    assert.deepEqual(Object.keys(answer.body as object).sort(), ['error', 'error_description']);
    const body = answer.body as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description, /no access token to revoke/);
    assert.ok(!(await carol.api.tokens.list()).some((t) => t.revoked));
    assert.equal((await carol.api.user.get()).userId, carol.id);
  });

  it("with two different tokens (another user's beside it, in another header or a second Authorization): 400 invalid_request, neither revoked", async () => {
    const alice = await z.user('alice');
    const kate = await z.user('kate');
    const session = await alice.api.user.clientToken();
    const other = await kate.api.user.clientToken();
    for (const headers of [
      { macaroon: session, authorization: `Bearer ${other}` },
      { 'x-auth-token': session, macaroon: other },
      { authorization: [`Bearer ${session}`, `Bearer ${other}`] },
    ]) {
      const res = await request(`${z.baseUrl}/user/client_token`, { method: 'DELETE', headers });
      const body = (await res.body.json()) as { error: string; error_description: string };
      assert.equal(res.statusCode, 400);
      assert.equal(body.error, 'invalid_request');
      assert.ok(!JSON.stringify(body).includes(session) && !JSON.stringify(body).includes(other), 'no token in the answer');
    }
    assert.equal((await alice.api.tokens.get(tokenId(session))).revoked, false);
    assert.equal((await kate.api.tokens.get(tokenId(other))).revoked, false);
    // Sent alone, each is revoked as usual.
    assert.equal((await z.client({ token: session }).http.raw('DELETE', '/user/client_token')).status, 204);
    assert.equal((await kate.api.tokens.get(tokenId(other))).revoked, false);
  });

  it('a provider is refused like on every user-only route (403), its token untouched', async () => {
    const provider = await registerProvider(z, 'sign-out-provider');
    const e = await fails(provider.api.user.signOut(), 403, 'forbidden');
    assert.match(e.description, /for users only/);
    assert.equal((await provider.api.provider.get()).providerId, provider.id);
  });

  it('without credentials: 401', async () => {
    await fails(z.client().user.signOut(), 401, 'unauthorized');
  });

  it('records token.revoke by the user for the token id, never the token text', async () => {
    const dave = await z.user('dave');
    const token = await dave.api.user.clientToken();
    await z.client({ token, header: 'bearer' }).user.signOut();
    const { events } = await z.admin.audit.list({ actorId: dave.id });
    const revokes = events.filter((e) => e.action === 'token.revoke');
    assert.deepEqual(
      revokes.map((e) => ({ actor: e.actorId, target: `${e.targetType}:${e.targetId}`, details: e.details })),
      [{ actor: dave.id, target: `user:${dave.id}`, details: { tokenId: tokenId(token), type: 'access' } }],
    );
    const trail = JSON.stringify((await z.admin.audit.list({ limit: 1000 })).events);
    assert.ok(!trail.includes(token), 'the token text is not in the trail');
    assert.ok(!z.logs().includes(token), 'the token text is not in the log');
  });
});
