import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Dispatcher } from 'undici';
import { createZoneCa } from '../../src/crypto/certs.js';
import { parse } from '../../src/tokens/macaroon.js';
import { type TestProvider, recordCertificate, registerProvider, signCertificate, tlsAgent, zoneCa } from '../helpers/providers.js';
import { ADMIN_PASSWORD, startZone } from '../helpers/zone.js';
import { type Answer, assertErrorShape, documentedOperations, registeredRoutes, send } from './support.js';

/**
 * Who may call what (swagger caller column, api-digest §1 and DESIGN.md):
 * - open: anyone, credentials are not looked at;
 * - self: any authenticated user, about their own account (a path naming another's entity is refused);
 * - member: a user holding the privilege in the space or group named by the path;
 * - admin: a user holding a zone-wide privilege (the `admins` group has them all);
 * - provider: a provider only (client certificate or provider token); users get 403.
 *
 * What a provider gets, with its certificate over mutual TLS or its provider token in any token
 * header (second field of an entry; without one: `own` for provider routes, `open` for open
 * routes, `user` for the rest):
 * - user: 403, a route for users only (http/auth.ts refuses providers before anything else);
 * - own: the provider's own entities: reads 2xx, writes authorized (neither 401 nor 403); a space
 *   it does not support is not its own (404);
 * - supporting: a provider supporting the space named by the path: reads 2xx; any other provider 403;
 * - any: every provider: reads 2xx, writes authorized;
 * - open: credentials are not looked at.
 */
type Who = 'open' | 'self' | 'member' | 'admin' | 'provider';
type ForProvider = 'user' | 'own' | 'supporting' | 'any' | 'open';
const TABLE: Record<string, Who | [Who, ForProvider]> = {
  // User
  get_user: 'self', modify_user: 'self', remove_user: 'self', get_client_token: 'self', change_user_password: 'self', get_user_spaces: 'self',
  create_user_space: 'self', get_user_default_space: 'self', set_user_default_space: 'self', join_space: 'self',
  get_user_space_token: 'self', get_user_space: 'self', delete_user_space: 'self', get_user_groups: 'self',
  create_group_for_user: 'self', join_group: 'self', get_user_group: 'self', leave_group: 'self',
  get_user_effective_groups: 'self', authenticate_user: 'open', create_provider_login_token: 'self',
  // Spaces
  get_spaces: 'admin', create_space: ['self', 'any'], get_space: ['member', 'supporting'], modify_space: 'member', remove_space: 'member',
  get_space_users: ['member', 'supporting'], add_user_to_space: 'admin', get_space_user_token: 'member', create_space_user_invite_token: 'member',
  get_space_user: 'member', remove_space_user: 'member', get_space_user_privileges: 'member', set_space_user_privileges: 'member',
  get_space_groups: 'member', add_group_to_space: 'admin', get_space_group_token: 'member', create_space_group_invite_token: 'member',
  get_space_group: 'member', delete_space_group: 'member', get_space_group_privileges: 'member', set_space_group_privileges: 'member',
  get_space_providers: ['member', 'supporting'], get_space_provider_token: ['member', 'supporting'], create_space_provider_token: ['member', 'supporting'], get_space_provider: ['member', 'supporting'],
  remove_provider_supporting_space: 'member',
  // Groups
  create_group: 'self', get_group: 'member', modify_group: 'member', remove_group: 'member', get_group_effective_users: 'member',
  get_groups_effective_user: 'member', get_groups_user_privileges: 'member', get_group_users: 'member',
  create_user_group_invite_token: 'member', create_group_user_invite_token: 'member', get_group_user: 'member',
  remove_group_user: 'member', get_group_user_privileges: 'member', set_user_group_privileges: 'member',
  get_parent_groups: 'member', get_parent_group: 'member', get_nested_groups: 'member', get_nested_group_token: 'member',
  create_subgroup_invite_token: 'member', join_nested_group: 'member', get_nested_group: 'member', delete_nested_group: 'member',
  get_nested_group_privileges: 'member', set_group_nested_privileges: 'member', get_group_spaces: 'member',
  create_space_for_group: 'member', group_join_space: 'member', create_group_spaces_token: 'member', get_group_space: 'member',
  remove_group_from_space: 'member',
  // Privileges
  get_user_onezone_privileges: 'admin', set_user_onezone_privileges: 'admin', remove_user_onezone_privileges: 'admin',
  get_group_onezone_privileges: 'admin', set_group_onezone_privileges: 'admin', remove_group_onezone_privileges: 'admin',
  // Provider
  register_provider: 'open', check_my_ip: 'open', check_my_ports: 'open', get_provider: 'provider', modify_provider: 'provider',
  delete_provider: 'provider', create_provider_token: 'provider', get_supported_spaces: 'provider', create_provider_space: 'provider',
  provider_space_support: 'provider', get_supported_space: 'provider', remove_space_support: 'provider',
  get_other_provider: ['admin', 'any'], get_providers: ['admin', 'any'],
  // Extensions
  create_user: 'admin', get_zone_user: 'admin',
  list_user_tokens: 'self', get_user_token: 'self', modify_user_token: 'self', remove_user_token: 'self', revoke_client_token: 'self',
  list_audit_events: 'admin',
};
/** Routes hidden from the OpenAPI document, with who may call them. */
const HIDDEN: Record<string, Who> = {
  'GET /health': 'open',
  'GET /ready': 'open',
  'GET /metrics': 'admin',
  'GET /api/v3/onezone/openapi.json': 'open',
  'GET /api/v3/onezone/privileges/groups/:id': 'admin',
  // The web UI's static files (src/http/web.ts, test/web/serving.test.ts); the router's listing
  // names the `/ui/*` wildcard `/ui*`.
  'GET /': 'open',
  'GET /ui': 'open',
  'GET /ui*': 'open',
};

const who = (op: string): Who => {
  const entry = TABLE[op]!;
  return Array.isArray(entry) ? entry[0] : entry;
};
const forProvider = (op: string): ForProvider => {
  const entry = TABLE[op]!;
  return Array.isArray(entry) ? entry[1] : entry === 'provider' ? 'own' : entry === 'open' ? 'open' : 'user';
};

const basic = (login: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` });
const tokenHeaders = (token: string): Record<string, Record<string, string>> => ({
  macaroon: { macaroon: token },
  'x-auth-token': { 'x-auth-token': token },
  bearer: { authorization: `Bearer ${token}` },
});

/** A credential as sent: headers, and the connection (with or without a client certificate). */
interface Credential {
  headers: Record<string, string>;
  dispatcher: Dispatcher;
}
const DAY_MS = 24 * 3600 * 1000;

describe('authorization matrix: every route x every credential kind', async () => {
  let now = Math.floor(Date.now() / 1000);
  // HTTPS with mutual TLS, as `onezone serve` runs, so that providers can present certificates.
  const z = await startZone({ clock: () => now, https: true });
  const tls = tlsAgent(z);
  const over = (headers: Record<string, string>, dispatcher: Dispatcher = tls): Credential => ({ headers, dispatcher });
  const alice = await z.user('alice');
  const mallory = await z.user('mallory');
  const api = (method: string, path: string, body?: unknown) =>
    send(`${z.baseUrl}${path}`, {
      method,
      headers: { 'x-auth-token': alice.token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: tls,
    });
  const token = async (path: string) => (JSON.parse((await api('GET', path)).text) as { token: string }).token;

  // Fixtures owned by alice: space S, groups G (child) and P (parent), G a member of S.
  const S = await alice.api.user.createSpace('matrix-space');
  const G = await alice.api.user.createGroup('matrix-child', 'team');
  const P = await alice.api.user.createGroup('matrix-parent', 'team');
  assert.equal((await api('POST', `/groups/${G}/nested/join`, { token: await token(`/groups/${P}/nested/token`) })).status, 201);
  assert.equal((await api('POST', `/groups/${G}/spaces/join`, { token: await token(`/spaces/${S}/groups/token`) })).status, 201);

  // Providers: `supporter` supports S, `outsider` supports nothing.
  const supportS = async (p: TestProvider) => assert.equal(await p.api.provider.support(await alice.api.providers.supportToken(S), 1024), S);
  const supporter = await registerProvider(z, 'matrix-supporter');
  await supportS(supporter);
  const outsider = await registerProvider(z, 'matrix-outsider');
  const certOf = (p: TestProvider, certificate = p.certificate) => tlsAgent(z, { cert: certificate, key: p.keyPem });
  const providerKinds = ['certificate', ...Object.keys(tokenHeaders(''))];
  const asProvider = (p: TestProvider, kind: string): Credential => (kind === 'certificate' ? over({}, certOf(p)) : over(tokenHeaders(p.token)[kind]!));
  const supporterCredentials = Object.fromEntries(providerKinds.map((kind) => [kind, asProvider(supporter, kind)]));
  const outsiderCredentials = Object.fromEntries(providerKinds.map((kind) => [kind, asProvider(outsider, kind)]));

  // Credentials that must be refused everywhere.
  const ghost = await z.user('ghost');
  assert.equal((await send(`${z.baseUrl}/user`, { method: 'DELETE', headers: { 'x-auth-token': ghost.token }, dispatcher: tls })).status, 200);
  const revoked = (await z.user('revoked')).token;
  await z.zone.store.tokens.setRevoked(parse(revoked).identifier, true);
  now -= 2 * 365 * 24 * 3600;
  const expiredUser = await z.user('expired');
  const expiredProviderToken = await z.zone.services.providers.mintToken({ kind: 'provider', providerId: supporter.id });
  now += 2 * 365 * 24 * 3600;
  const invite = await token(`/spaces/${S}/users/token`);
  const usedUp = await token(`/spaces/${S}/users/token`);
  await mallory.api.user.joinSpace(usedUp);
  await mallory.api.user.leaveSpace(S);
  const forged = alice.token.slice(0, -6) + (alice.token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');

  // A CA with the zone CA's very name: its certificate for the supporter (same id and key) differs only in who signed it.
  const foreignCa = await createZoneCa('onezone');
  assert.equal(new X509Certificate(foreignCa.certPem).subject, new X509Certificate(zoneCa(z).certPem).subject);
  const foreignCert = await signCertificate(z, supporter, { ca: foreignCa });
  // The zone CA's certificate of an existing provider, recorded as issued to it, that has expired.
  const lapsed = await registerProvider(z, 'matrix-lapsed');
  const expiredCert = await signCertificate(z, lapsed, { days: 1, now: new Date(Date.now() - 3 * DAY_MS) });
  await recordCertificate(z, lapsed.id, expiredCert);
  const gone = await registerProvider(z, 'matrix-deleted');
  const goneCert = certOf(gone);
  assert.equal((await send(`${z.baseUrl}/provider`, { method: 'DELETE', dispatcher: goneCert })).status, 202);
  const revokedProviderToken = await z.zone.services.providers.mintToken({ kind: 'provider', providerId: supporter.id });
  await z.zone.store.tokens.setRevoked(parse(revokedProviderToken).identifier, true);

  const inEachHeader = (tokens: Record<string, string>): Record<string, Credential> =>
    Object.fromEntries(
      Object.entries(tokens).flatMap(([name, t]) => Object.entries(tokenHeaders(t)).map(([h, headers]) => [`${name} in ${h}`, over(headers)])),
    );
  const refused: Record<string, Credential> = {
    'wrong password': over(basic(alice.login, 'not-the-password')),
    'unknown login': over(basic('no-such-login', 'whatever')),
    'malformed Basic': over({ authorization: 'Basic !!!' }),
    'unsupported scheme': over({ authorization: `Digest ${alice.token}` }),
    ...inEachHeader({ forged, expired: expiredUser.token, revoked, 'deleted user': ghost.token, 'invite (wrong type)': invite, 'used-up invite': usedUp, garbage: 'x' }),
  };
  const refusedProvider: Record<string, Credential> = {
    'certificate of a foreign CA': over({}, certOf(supporter, foreignCert)),
    'expired certificate': over({}, certOf(lapsed, expiredCert)),
    'certificate of a deleted provider': over({}, goneCert),
    ...inEachHeader({ 'revoked provider token': revokedProviderToken, 'expired provider token': expiredProviderToken, "deleted provider's token": gone.token }),
    // A token that fails is a 401 even beside a valid certificate (tokens are tried first).
    'revoked provider token beside a valid certificate': over({ 'x-auth-token': revokedProviderToken }, certOf(supporter)),
  };
  const valid = (u: { login: string; password: string; token: string }) =>
    Object.fromEntries(Object.entries({ basic: basic(u.login, u.password), ...tokenHeaders(u.token) }).map(([k, headers]) => [k, over(headers)]));
  /** Like `valid`, but each token header carries a new token of its own: sign-out revokes the token it comes with. */
  const validOnce = async (u: { login: string; password: string; token: string; api: typeof alice.api }) => {
    const fresh = async ([kind, credential]: [string, Credential]): Promise<[string, Credential]> =>
      kind === 'basic' ? [kind, credential] : [kind, over(tokenHeaders(await u.api.user.clientToken())[kind]!)];
    return Object.fromEntries(await Promise.all(Object.entries(valid(u)).map(fresh)));
  };

  const ops = await documentedOperations(z, tls);
  const paramsFor = (path: string): Record<string, string> =>
    path.startsWith('/user/tokens/')
      ? { tid: parse(alice.token).identifier }
      : path.startsWith('/groups/') && path.includes('/nested/{nid}')
      ? { id: P, nid: G }
      : path.startsWith('/groups/')
        ? { id: G, pid: P, sid: S, uid: alice.id }
        : path.startsWith('/privileges/users') || path.startsWith('/users/')
          ? { id: alice.id }
          : path.startsWith('/privileges/group')
            ? { id: G }
            : { id: S, sid: S, gid: G, uid: alice.id, pid: supporter.id };
  const fill = (path: string) => {
    const p = paramsFor(path);
    return path.replace(/\{([a-z]+)\}/g, (_, name: string) => p[name] ?? 'x');
  };

  it('the table lists every registered route, and every route answers as the table says', async () => {
    const missing = ops.filter((o) => !TABLE[o.operationId]).map((o) => `${o.method} ${o.path} (${o.operationId})`);
    assert.deepEqual(missing, [], 'routes the authorization table does not list');
    const documented = new Set(ops.map((o) => `/api/v3/onezone${o.path.replace(/\{([a-z]+)\}/g, ':$1')}`));
    const hiddenPaths = new Set(Object.keys(HIDDEN).map((k) => k.split(' ')[1]));
    const unknown = [...new Set(registeredRoutes(z).map((r) => r.path))].filter((p) => !documented.has(p) && !hiddenPaths.has(p));
    assert.deepEqual(unknown, [], 'registered paths neither documented nor listed in HIDDEN');

    let cells = 0;
    let providerCells = 0;
    const is2xx = (a: Answer) => a.status >= 200 && a.status < 300;
    // Mutating calls go last (DELETE /user would remove the caller).
    const order = (m: string) => (m === 'GET' ? 0 : m === 'DELETE' ? 2 : 1);
    for (const op of [...ops].sort((a, b) => order(a.method) - order(b.method))) {
      const id = op.operationId;
      const caller = who(id);
      const url = `${z.baseUrl}${fill(op.path)}`;
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}';
      const names = /\{/.test(op.path);
      const call = async ({ headers, dispatcher }: Credential) => {
        cells++;
        const a = await send(url, { method: op.method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body, dispatcher });
        assert.ok(a.status < 500, `${id}: ${a.status}`);
        assertErrorShape(a, id);
        return a;
      };
      const none = await call(over({}));
      if (caller === 'open') assert.notEqual(none.status, 401, `${id} is open`);
      else assert.equal(none.status, 401, `${id} without credentials`);
      for (const [kind, credential] of Object.entries(refused)) {
        const a = await call(credential);
        if (caller !== 'open') {
          assert.equal(a.status, 401, `${id} with ${kind}: ${a.status}`);
          assert.notEqual(a.text, none.text, `${id} with ${kind}: answered as if no credential came`);
        }
      }

      // Providers: refused credentials are a 401 wherever credentials are looked at.
      const rule = forProvider(id);
      const before = cells;
      for (const [kind, credential] of Object.entries(refusedProvider)) {
        const a = await call(credential);
        if (rule === 'open') assert.notEqual(a.status, 401, `${id} is open (${kind})`);
        else {
          assert.equal(a.status, 401, `${id} with ${kind}: ${a.status} ${a.text}`);
          // Refused, not missing: the certificate did reach the zone.
          assert.notEqual(a.text, none.text, `${id} with ${kind}: answered as if no credential came`);
        }
      }
      // Valid providers. A provider's own DELETEs end what they act on (its support, itself): each
      // kind gets a provider of its own that supports S.
      const disposable = rule === 'own' && op.method === 'DELETE';
      for (const kind of providerKinds) {
        let credential = supporterCredentials[kind]!;
        if (disposable) {
          const fresh = await registerProvider(z, 'matrix-disposable');
          await supportS(fresh);
          credential = asProvider(fresh, kind);
        }
        const a = await call(credential);
        const context = `${id} as the supporting provider (${kind}): ${a.status} ${a.text}`;
        if (rule === 'open') assert.notEqual(a.status, 401, context);
        else if (rule === 'user') assert.equal(a.status, 403, context);
        else if (op.method === 'GET' || disposable) assert.ok(is2xx(a), context);
        else assert.ok(a.status !== 401 && a.status !== 403, context);
      }
      // The outsider is no less a provider (own and `any` routes) but has nothing to do with S.
      if (!(disposable && !names)) {
        for (const [kind, credential] of Object.entries(outsiderCredentials)) {
          const a = await call(credential);
          const context = `${id} as a provider not supporting the space (${kind}): ${a.status} ${a.text}`;
          if (rule === 'open') assert.notEqual(a.status, 401, context);
          else if (rule === 'user' || rule === 'supporting') assert.equal(a.status, 403, context);
          else if (rule === 'own' && names) assert.equal(a.status, 404, context);
          else if (op.method === 'GET') assert.ok(is2xx(a), context);
          else assert.ok(a.status !== 401 && a.status !== 403, context);
        }
      }
      providerCells += cells - before;

      // Providers only: every user credential is 403 (http/auth.ts), before anything else.
      // Others: mallory, who has nothing to do with alice's entities, never gets a 2xx for them.
      if (op.method === 'DELETE' && op.path === '/user') continue;
      const stranger = id === 'revoke_client_token' ? await validOnce(mallory) : valid(mallory);
      for (const [kind, credential] of Object.entries(stranger)) {
        const a = await call(credential);
        if (caller === 'provider') assert.equal(a.status, 403, `${id} as user (${kind})`);
        else if (caller === 'member' || caller === 'admin' || (caller === 'self' && names)) assert.ok(a.status >= 400, `${id} as stranger (${kind}): ${a.status}`);
        else assert.ok(a.status !== 401 && a.status !== 403, `${id} as user (${kind}): ${a.status}`);
      }
      // The owner (and, for zone-wide operations, the admin) gets a 2xx on reads in every credential kind.
      if (op.method === 'GET' && (caller === 'member' || caller === 'self')) {
        for (const [kind, credential] of Object.entries(valid(alice))) {
          const a = await call(credential);
          assert.ok(is2xx(a), `${id} as owner (${kind}): ${a.status} ${a.text}`);
        }
      }
      if (op.method === 'GET' && caller === 'admin') {
        const a = await call(over(basic('admin', ADMIN_PASSWORD)));
        assert.ok(is2xx(a), `${id} as admin: ${a.status} ${a.text}`);
      }
    }
    for (const [route, caller] of Object.entries(HIDDEN)) {
      const [method, path] = route.split(' ') as [string, string];
      const url = `${new URL(z.baseUrl).origin}${path.replace(':id', G).replace(/\*$/, '/index.html')}`;
      const a = await send(url, { method, dispatcher: tls });
      cells++;
      assert.equal(a.status === 401, caller !== 'open', `${route} without credentials: ${a.status}`);
    }
    process.stdout.write(
      `# auth matrix: ${ops.length} operations + ${Object.keys(HIDDEN).length} hidden routes, ${cells} cells checked (${providerCells} with provider credentials)\n`,
    );
  });
});
