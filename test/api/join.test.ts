import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { OnezoneError } from '../../src/client/index.js';
import { mintToken } from '../../src/tokens/tokens.js';
import { addFirstPartyCaveat, parse, serialize, serializeBase62 } from '../../src/tokens/macaroon.js';
import { type TestUser, type TestZone, startZone } from '../helpers/zone.js';

const GENERIC = { error: 'invalid_token', error_description: 'Provided token could not be validated.' };
/** The swagger's own example body for POST /user/spaces/join. */
const SWAGGER_EXAMPLE_TOKEN =
  'JKAxNWxvY2F0aW9uIG9uZXpvbmUKMDAzYmlkZW50aWZpZXIgOEhmSEFSSGdrbHFCa1pWSTRsNk1CVHZTU3Z0OThwcHA2OTQ4czhRN1NPawowMDFhY2lkIHRpbWUgPCAxNDk2MTQwMTQ0CjAwMmZzaWduYXR1cmUg88OIBmav38YI0Z2-dw-fvrZ3XP-J0HjCN0taT3_WungK';

async function post(z: TestZone, headers: Record<string, string>, body: string | undefined, method = 'POST') {
  const res = await request(`${z.baseUrl}/user/spaces/join`, { method: method as 'POST', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, string>) : undefined };
}

const json = (u: TestUser) => ({ 'x-auth-token': u.token, 'content-type': 'application/json' });

describe('POST /user/spaces/join', async () => {
  const z = await startZone();
  const alice = await z.user('alice');
  const spaceId = await alice.api.user.createSpace('lab');
  const invite = () => alice.api.spaces.userInviteToken(spaceId);

  it('joins with a valid invite: 201, empty body, Location /user/spaces/{id}, space_view_data', async () => {
    const bob = await z.user('bob');
    const res = await post(z, json(bob), JSON.stringify({ token: await invite() }));
    assert.equal(res.status, 201);
    assert.equal(res.text, '');
    assert.equal(res.headers.location, `/user/spaces/${spaceId}`);
    assert.deepEqual((await bob.api.user.spaces()).spaces, [spaceId]);
    assert.ok((await alice.api.spaces.users(spaceId)).includes(bob.id));
    const privileges = await z.zone.store.spaces.userPrivileges(spaceId, bob.id);
    assert.equal(privileges, 1 << 9, 'only space_view_data');
  });

  for (const header of ['macaroon', 'x-auth-token', 'bearer'] as const) {
    it(`accepts the access token in the ${header} header`, async () => {
      const bob = await z.user('bob');
      const api = z.client({ token: bob.token, header });
      assert.equal(await api.user.joinSpace(await invite()), spaceId);
    });
  }

  it('accepts Basic credentials', async () => {
    const bob = await z.user('bob');
    const api = z.client({ basic: { login: bob.login, password: bob.password } });
    assert.equal(await api.user.joinSpace(await invite()), spaceId);
  });

  it('accepts the token in Onedata base62 form and in standard base64', async () => {
    const t1 = await invite();
    const bob = await z.user('bob');
    assert.equal(await bob.api.user.joinSpace(serializeBase62(parse(t1))), spaceId);
    const t2 = await invite();
    const carol = await z.user('carol');
    const std = Buffer.from(t2, 'base64url').toString('base64');
    assert.equal(await carol.api.user.joinSpace(std), spaceId);
  });

  describe('credentials', () => {
    it('no credentials: 401 with a JSON error body', async () => {
      const res = await post(z, { 'content-type': 'application/json' }, JSON.stringify({ token: 'x' }));
      assert.equal(res.status, 401);
      assert.equal(res.json?.error, 'unauthorized');
      assert.ok(res.json?.error_description);
    });

    it('undecodable access token: 401', async () => {
      const res = await post(z, { 'x-auth-token': 'not-a-token', 'content-type': 'application/json' }, '{"token":"x"}');
      assert.equal(res.status, 401);
      assert.equal(res.json?.error, 'invalid_token');
    });

    it('forged access token (valid shape, wrong key): 401', async () => {
      const bob = await z.user('bob');
      const real = parse(bob.token);
      const forged = mintToken(Buffer.alloc(32, 7), real.location, real.identifier, real.caveats.map((c) => c.cid));
      const res = await post(z, { macaroon: forged, 'content-type': 'application/json' }, '{"token":"x"}');
      assert.equal(res.status, 401);
      assert.equal(res.json?.error, 'invalid_token');
    });

    it('access token with an extra unknown caveat: 401', async () => {
      const bob = await z.user('bob');
      // `providerId = …`, which the 2016 verifier could never satisfy, is no caveat of ours either.
      const attenuated = serialize(addFirstPartyCaveat(parse(bob.token), 'providerId = abc'));
      const res = await post(z, { macaroon: attenuated, 'content-type': 'application/json' }, '{"token":"x"}');
      assert.equal(res.status, 401);
      // A known caveat this request does not satisfy.
      const reader = serialize(addFirstPartyCaveat(parse(bob.token), 'method = GET'));
      assert.equal((await post(z, { macaroon: reader, 'content-type': 'application/json' }, '{"token":"x"}')).status, 401);
    });

    it('wrong Basic password: 401; malformed Basic header: 401', async () => {
      const bob = await z.user('bob');
      const wrong = Buffer.from(`${bob.login}:nope`).toString('base64');
      let res = await post(z, { authorization: `Basic ${wrong}`, 'content-type': 'application/json' }, '{"token":"x"}');
      assert.equal(res.status, 401);
      assert.equal(res.json?.error, 'unauthorized');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="onezone"', 'every 401 carries a challenge');
      res = await post(z, { authorization: 'Basic !!!', 'content-type': 'application/json' }, '{"token":"x"}');
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="onezone"');
      res = await post(z, { authorization: 'Digest x', 'content-type': 'application/json' }, '{"token":"x"}');
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="onezone"');
    });

    it('a Bearer header with more than one token, or none: 401 invalid_token, not "authentication required"', async () => {
      const bob = await z.user('bob-bearer');
      for (const authorization of [`Bearer ${bob.token} extra`, 'Bearer', `Bearer ${bob.token}, Bearer ${bob.token}`]) {
        const res = await post(z, { authorization, 'content-type': 'application/json' }, '{"token":"x"}');
        assert.equal(res.status, 401, authorization.slice(0, 10));
        assert.equal(res.json?.error, 'invalid_token');
        assert.match(String(res.headers['www-authenticate']), /^Bearer realm="onezone", error="invalid_token"$/);
      }
    });

    it('access token of a deleted user: 401', async () => {
      const bob = await z.user('bob');
      await bob.api.user.remove();
      const res = await post(z, json(bob), JSON.stringify({ token: await invite() }));
      assert.equal(res.status, 401);
    });
  });

  describe('request body', () => {
    let bob: TestUser;
    it('setup', async () => {
      bob = await z.user('bob');
    });

    it('not JSON: 400', async () => {
      const res = await post(z, json(bob), '{"token": ');
      assert.equal(res.status, 400);
      assert.equal(res.json?.error, 'invalid_request');
    });

    it('empty body with a JSON content type: 400', async () => {
      const res = await post(z, json(bob), '');
      assert.equal(res.status, 400);
      assert.equal(res.json?.error, 'invalid_request');
    });

    for (const [what, body] of [
      ['an array', '[]'],
      ['a string', '"abc"'],
      ['a number', '42'],
      ['null', 'null'],
    ] as const) {
      it(`JSON but ${what}: 400 invalid_request`, async () => {
        const res = await post(z, json(bob), body);
        assert.equal(res.status, 400);
        assert.equal(res.json?.error, 'invalid_request');
      });
    }

    it("token missing: 400 naming 'token'", async () => {
      const res = await post(z, json(bob), '{"tokn":"x"}');
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, { error: 'invalid_request', error_description: "missing required key: 'token'" });
    });

    for (const value of ['123', 'null', 'true', '{"a":1}', '["x"]']) {
      it(`token not a string (${value}): 400 naming 'token', value not echoed`, async () => {
        const res = await post(z, json(bob), `{"token":${value}}`);
        assert.equal(res.status, 400);
        assert.equal(res.json?.error, 'invalid_request');
        assert.match(res.json!.error_description!, /'token'/);
        assert.ok(!res.text.includes(value === 'null' ? 'xx' : value));
      });
    }

    it('application/json; charset=utf-8 is accepted', async () => {
      const res = await post(z, { 'x-auth-token': bob.token, 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ token: await invite() }));
      assert.equal(res.status, 201);
    });

    it('charset UTF-8 in any spelling is accepted; another charset or a Content-Encoding is 415, the token keeps its use', async () => {
      const token = await invite();
      for (const [headers, body] of [
        [{ 'content-type': 'application/json; charset=utf-16' }, Buffer.from(JSON.stringify({ token }), 'utf16le')],
        [{ 'content-type': 'application/json; charset=iso-8859-1' }, JSON.stringify({ token })],
        [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, JSON.stringify({ token })],
      ] as const) {
        const res = await request(`${z.baseUrl}/user/spaces/join`, { method: 'POST', headers: { 'x-auth-token': bob.token, ...headers }, body });
        assert.equal(res.statusCode, 415);
        assert.equal(((await res.body.json()) as { error: string }).error, 'unsupported_media_type');
      }
      const carol = await z.user('carol');
      const res = await post(z, { 'x-auth-token': carol.token, 'content-type': 'application/json; charset="UTF-8"', 'content-encoding': 'identity' }, JSON.stringify({ token }));
      assert.equal(res.status, 201);
    });

    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
      it(`content type ${type}: 415`, async () => {
        const res = await post(z, { 'x-auth-token': bob.token, 'content-type': type }, 'token=abc');
        assert.equal(res.status, 415);
        assert.equal(res.json?.error, 'unsupported_media_type');
      });
    }

    it('a body over 64 KiB: 413', async () => {
      const res = await post(z, json(bob), JSON.stringify({ token: 'a'.repeat(70 * 1024) }));
      assert.equal(res.status, 413);
      assert.equal(res.json?.error, 'payload_too_large');
    });

    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']) {
      it(`${method}: 405 with Allow: POST`, async () => {
        const res = await post(z, json(bob), ['GET', 'DELETE', 'OPTIONS', 'TRACE'].includes(method) ? undefined : '{}', method);
        assert.equal(res.status, 405);
        assert.equal(res.headers.allow, 'POST');
        assert.equal(res.json?.error, 'method_not_allowed');
      });
    }
  });

  describe('tokens that cannot be used', () => {
    it('the swagger example body gives exactly the documented error', async () => {
      const bob = await z.user('bob');
      const res = await post(z, json(bob), JSON.stringify({ token: SWAGGER_EXAMPLE_TOKEN }));
      assert.equal(res.status, 400);
      assert.equal(res.text, JSON.stringify(GENERIC));
    });

    const cases: [string, () => Promise<string>][] = [
      ['garbage', async () => 'garbage!!'],
      ['empty string', async () => ''],
      ['forged signature', async () => {
        const t = parse(await invite());
        return mintToken(Buffer.alloc(32, 1), t.location, t.identifier, t.caveats.map((c) => c.cid));
      }],
      ['flipped signature byte', async () => {
        const bytes = Buffer.from(await invite(), 'base64url');
        bytes[bytes.length - 5]! ^= 1;
        return bytes.toString('base64url');
      }],
      ['unknown id (token of another zone)', async () => mintToken(Buffer.alloc(32, 2), 'onezone', 'x'.repeat(43), ['tokenType = space_invite_user_token'])],
      ['an access token', async () => (await z.user('x')).token],
    ];
    for (const [name, make] of cases) {
      it(`${name}: 400 invalid_token, generic description`, async () => {
        const bob = await z.user('bob');
        const token = await make();
        const res = await post(z, json(bob), JSON.stringify({ token }));
        assert.equal(res.status, 400);
        assert.deepEqual(res.json, GENERIC);
        if (token.length > 3) assert.ok(!res.text.includes(token));
      });
    }

    it('used up: the second join with a single-use token fails and says why', async () => {
      const token = await invite();
      const bob = await z.user('bob');
      const carol = await z.user('carol');
      await bob.api.user.joinSpace(token);
      const res = await post(z, json(carol), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.equal(res.json?.error, 'invalid_token');
      assert.match(res.json!.error_description!, /usage limit/);
      assert.ok(!res.text.includes(token));
    });

    it('expired: 400 invalid_token, says expired', async () => {
      let now = Math.floor(Date.now() / 1000);
      const tz = await startZone({ clock: () => now });
      const owner = await tz.user('owner');
      const sid = await owner.api.user.createSpace('s');
      const token = await owner.api.spaces.userInviteToken(sid);
      now += 8 * 24 * 3600;
      const bob = await tz.user('bob');
      const res = await post(tz, json(bob), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.equal(res.json?.error, 'invalid_token');
      assert.match(res.json!.error_description!, /expired/);
    });

    it('wrong token type (an attenuated invite claiming another type): 400 invalid_token', async () => {
      const token = serialize(addFirstPartyCaveat(parse(await invite()), 'tokenType = group_invite_group_token'));
      const bob = await z.user('bob');
      const res = await post(z, json(bob), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.equal(res.json?.error, 'invalid_token');
    });

    it('token of a deleted space: 400 invalid_token', async () => {
      const sid = await alice.api.user.createSpace('doomed');
      const token = await alice.api.spaces.userInviteToken(sid);
      await z.zone.store.transaction(async (tx) => {
        await tx.tokens.deleteByTarget('space', sid);
        await tx.spaces.delete(sid);
      });
      const bob = await z.user('bob');
      const res = await post(z, json(bob), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, GENERIC);
    });

    it('issuer lost space_invite_user after minting: 400 invalid_token, use not counted', async () => {
      const owner = await z.user('owner');
      const sid = await owner.api.user.createSpace('s');
      const inviter = await z.user('inviter');
      await inviter.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
      await z.zone.store.spaces.setUserPrivileges(sid, inviter.id, (1 << 9) | 1);
      const token = await inviter.api.spaces.userInviteToken(sid);
      await z.zone.store.spaces.setUserPrivileges(sid, inviter.id, 1 << 9);
      const bob = await z.user('bob');
      const res = await post(z, json(bob), JSON.stringify({ token }));
      assert.equal(res.status, 400);
      assert.match(res.json!.error_description!, /issuer/);
      const row = await z.zone.store.tokens.byId(parse(token).identifier);
      assert.equal(row?.usage_count, 0);
    });
  });

  it("an issuer whose right to invite comes from a group: joins work while the group has it", async () => {
    const owner = await z.user('owner');
    const sid = await owner.api.user.createSpace('s');
    const inviter = await z.user('inviter');
    await inviter.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid)); // space_view_data only
    const gid = await inviter.api.user.createGroup('inviters', 'team');
    await z.zone.store.spaces.addGroup(sid, gid, (1 << 9) | 1); // space_view_data, space_invite_user
    const first = await inviter.api.spaces.userInviteToken(sid);
    const second = await inviter.api.spaces.userInviteToken(sid);
    const bob = await z.user('bob');
    assert.equal(await bob.api.user.joinSpace(first), sid);

    await z.zone.store.spaces.setGroupPrivileges(sid, gid, 1 << 9);
    const carol = await z.user('carol');
    const res = await post(z, json(carol), JSON.stringify({ token: second }));
    assert.equal(res.status, 400);
    assert.match(res.json!.error_description!, /issuer/);
    assert.equal(await z.zone.store.spaces.effectivePrivileges(sid, carol.id), undefined);
  });

  it('already a direct member: 201, same Location, the token keeps its use', async () => {
    const bob = await z.user('bob');
    await bob.api.user.joinSpace(await invite());
    const token = await invite();
    const res = await post(z, json(bob), JSON.stringify({ token }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/user/spaces/${spaceId}`);
    const carol = await z.user('carol');
    assert.equal(await carol.api.user.joinSpace(token), spaceId, 'the token still works for someone else');
  });

  it('50 users join concurrently with one single-use token: exactly one 201', async () => {
    const token = await invite();
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => z.user(`racer${i}`)));
    const before = (await alice.api.spaces.users(spaceId)).length;
    const results = await Promise.all(users.map((u) => post(z, json(u), JSON.stringify({ token }))));
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 400 && r.json?.error === 'invalid_token');
    assert.equal(created.length, 1);
    assert.equal(refused.length, 49);
    assert.equal((await alice.api.spaces.users(spaceId)).length, before + 1);
    const row = await z.zone.store.tokens.byId(parse(token).identifier);
    assert.equal(row?.usage_count, 1);
  });

  it('a provider-only or unknown operation leaves no token in any error body', async () => {
    assert.ok(!z.logs().includes(alice.token));
  });

  it('SDK surfaces errors as OnezoneError with the catalog code', async () => {
    const bob = await z.user('bob');
    await assert.rejects(bob.api.user.joinSpace('nope'), (e: unknown) => e instanceof OnezoneError && e.status === 400 && e.code === 'invalid_token');
  });
});
