import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from '../../src/tokens/macaroon.js';
import { ADMIN_PASSWORD, startZone } from '../helpers/zone.js';
import { assertErrorShape, documentedOperations, registeredRoutes, send } from './support.js';

/**
 * Who may call what (swagger caller column, api-digest §1 and DESIGN.md):
 * - open: anyone, credentials are not looked at;
 * - self: any authenticated user, about their own account (a path naming another's entity is refused);
 * - member: a user holding the privilege in the space or group named by the path;
 * - admin: a user holding a zone-wide privilege (the `admins` group has them all);
 * - provider: a provider only (client certificate or provider token); users get 403.
 */
type Who = 'open' | 'self' | 'member' | 'admin' | 'provider';
const TABLE: Record<string, Who> = {
  // User
  get_user: 'self', modify_user: 'self', remove_user: 'self', get_client_token: 'self', get_user_spaces: 'self',
  create_user_space: 'self', get_user_default_space: 'self', set_user_default_space: 'self', join_space: 'self',
  get_user_space_token: 'self', get_user_space: 'self', delete_user_space: 'self', get_user_groups: 'self',
  create_group_for_user: 'self', join_group: 'self', get_user_group: 'self', leave_group: 'self',
  get_user_effective_groups: 'self', authenticate_user: 'open', create_provider_login_token: 'self',
  // Spaces
  get_spaces: 'admin', create_space: 'self', get_space: 'member', modify_space: 'member', remove_space: 'member',
  get_space_users: 'member', add_user_to_space: 'admin', get_space_user_token: 'member', create_space_user_invite_token: 'member',
  get_space_user: 'member', remove_space_user: 'member', get_space_user_privileges: 'member', set_space_user_privileges: 'member',
  get_space_groups: 'member', add_group_to_space: 'admin', get_space_group_token: 'member', create_space_group_invite_token: 'member',
  get_space_group: 'member', delete_space_group: 'member', get_space_group_privileges: 'member', set_space_group_privileges: 'member',
  get_space_providers: 'member', get_space_provider_token: 'member', get_space_provider: 'member', remove_provider_supporting_space: 'member',
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
  get_other_provider: 'admin', get_providers: 'admin',
  // Extensions
  create_user: 'admin',
  list_user_tokens: 'self', get_user_token: 'self', modify_user_token: 'self', remove_user_token: 'self',
};
/** Routes hidden from the OpenAPI document, with who may call them. */
const HIDDEN: Record<string, Who> = {
  'GET /health': 'open',
  'GET /ready': 'open',
  'GET /api/v3/onezone/openapi.json': 'open',
  'GET /api/v3/onezone/privileges/groups/:id': 'admin',
};

const basic = (login: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` });
const tokenHeaders = (token: string): Record<string, Record<string, string>> => ({
  macaroon: { macaroon: token },
  'x-auth-token': { 'x-auth-token': token },
  bearer: { authorization: `Bearer ${token}` },
});

describe('authorization matrix: every route x every credential kind', async () => {
  let now = Math.floor(Date.now() / 1000);
  const z = await startZone({ clock: () => now });
  const alice = await z.user('alice');
  const mallory = await z.user('mallory');
  const api = (method: string, path: string, body?: unknown) =>
    send(`${z.baseUrl}${path}`, { method, headers: { 'x-auth-token': alice.token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const token = async (path: string) => (JSON.parse((await api('GET', path)).text) as { token: string }).token;

  // Fixtures owned by alice: space S, groups G (child) and P (parent), G a member of S.
  const S = await alice.api.user.createSpace('matrix-space');
  const G = await alice.api.user.createGroup('matrix-child', 'team');
  const P = await alice.api.user.createGroup('matrix-parent', 'team');
  assert.equal((await api('POST', `/groups/${G}/nested/join`, { token: await token(`/groups/${P}/nested/token`) })).status, 201);
  assert.equal((await api('POST', `/groups/${G}/spaces/join`, { token: await token(`/spaces/${S}/groups/token`) })).status, 201);

  // Credentials that must be refused everywhere.
  const ghost = await z.user('ghost');
  assert.equal((await send(`${z.baseUrl}/user`, { method: 'DELETE', headers: { 'x-auth-token': ghost.token } })).status, 200);
  const revoked = (await z.user('revoked')).token;
  await z.zone.store.tokens.setRevoked(parse(revoked).identifier, true);
  now -= 2 * 365 * 24 * 3600;
  const expiredUser = await z.user('expired');
  now += 2 * 365 * 24 * 3600;
  const invite = await token(`/spaces/${S}/users/token`);
  const usedUp = await token(`/spaces/${S}/users/token`);
  await mallory.api.user.joinSpace(usedUp);
  await mallory.api.user.leaveSpace(S);
  const forged = alice.token.slice(0, -6) + (alice.token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
  const refused: Record<string, Record<string, string>> = {
    'wrong password': basic(alice.login, 'not-the-password'),
    'unknown login': basic('no-such-login', 'whatever'),
    'malformed Basic': { authorization: 'Basic !!!' },
    'unsupported scheme': { authorization: `Digest ${alice.token}` },
    ...Object.fromEntries(
      Object.entries({ forged, expired: expiredUser.token, revoked, 'deleted user': ghost.token, 'invite (wrong type)': invite, 'used-up invite': usedUp, garbage: 'x' }).flatMap(
        ([name, t]) => Object.entries(tokenHeaders(t)).map(([h, headers]) => [`${name} in ${h}`, headers]),
      ),
    ),
  };
  const valid = (u: { login: string; password: string; token: string }) => ({ basic: basic(u.login, u.password), ...tokenHeaders(u.token) });

  const ops = await documentedOperations(z);
  const paramsFor = (path: string): Record<string, string> =>
    path.startsWith('/user/tokens/')
      ? { tid: parse(alice.token).identifier }
      : path.startsWith('/groups/') && path.includes('/nested/{nid}')
      ? { id: P, nid: G }
      : path.startsWith('/groups/')
        ? { id: G, pid: P, sid: S, uid: alice.id }
        : path.startsWith('/privileges/users')
          ? { id: alice.id }
          : path.startsWith('/privileges/group')
            ? { id: G }
            : { id: S, sid: S, gid: G, uid: alice.id, pid: 'no-such-provider' };
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
    // Mutating calls go last (DELETE /user would remove the caller).
    const order = (m: string) => (m === 'GET' ? 0 : m === 'DELETE' ? 2 : 1);
    for (const op of [...ops].sort((a, b) => order(a.method) - order(b.method))) {
      const who = TABLE[op.operationId]!;
      const url = `${z.baseUrl}${fill(op.path)}`;
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}';
      const call = async (headers: Record<string, string>) => {
        cells++;
        const a = await send(url, { method: op.method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
        assert.ok(a.status < 500, `${op.operationId}: ${a.status}`);
        assertErrorShape(a, op.operationId);
        return a;
      };
      const none = await call({});
      if (who === 'open') assert.notEqual(none.status, 401, `${op.operationId} is open`);
      else assert.equal(none.status, 401, `${op.operationId} without credentials`);
      for (const [kind, headers] of Object.entries(refused)) {
        const a = await call(headers);
        if (who !== 'open') assert.equal(a.status, 401, `${op.operationId} with ${kind}: ${a.status}`);
      }
      // Providers only: every user credential is 403 (http/auth.ts), before anything else.
      // Others: mallory, who has nothing to do with alice's entities, never gets a 2xx for them.
      if (op.method === 'DELETE' && op.path === '/user') continue;
      for (const [kind, headers] of Object.entries(valid(mallory))) {
        const a = await call(headers);
        const names = /\{/.test(op.path);
        if (who === 'provider') assert.equal(a.status, 403, `${op.operationId} as user (${kind})`);
        else if (who === 'member' || who === 'admin' || (who === 'self' && names)) assert.ok(a.status >= 400, `${op.operationId} as stranger (${kind}): ${a.status}`);
        else assert.ok(a.status !== 401 && a.status !== 403, `${op.operationId} as user (${kind}): ${a.status}`);
      }
      // The owner (and, for zone-wide operations, the admin) gets a 2xx on reads in every credential kind.
      if (op.method === 'GET' && !op.path.includes('{pid}') && (who === 'member' || who === 'self')) {
        for (const [kind, headers] of Object.entries(valid(alice))) {
          const a = await call(headers);
          assert.ok(a.status >= 200 && a.status < 300, `${op.operationId} as owner (${kind}): ${a.status} ${a.text}`);
        }
      }
      if (op.method === 'GET' && who === 'admin' && !op.path.includes('{pid}')) {
        const a = await call(basic('admin', ADMIN_PASSWORD));
        assert.ok(a.status >= 200 && a.status < 300, `${op.operationId} as admin: ${a.status} ${a.text}`);
      }
    }
    for (const [route, who] of Object.entries(HIDDEN)) {
      const [method, path] = route.split(' ') as [string, string];
      const url = `${new URL(z.baseUrl).origin}${path.replace(':id', G)}`;
      const a = await send(url, { method });
      cells++;
      assert.equal(a.status === 401, who !== 'open', `${route} without credentials: ${a.status}`);
    }
    process.stdout.write(`# auth matrix: ${ops.length} operations + ${Object.keys(HIDDEN).length} hidden routes, ${cells} cells checked\n`);
  });
});
