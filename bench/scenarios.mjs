// The benchmark scenarios: what each request is, and what a correct answer looks like (checked
// once before the load, so a fast wrong answer is never reported as a result).

const API = '/api/v3/onezone';
const bearer = (token) => ({ authorization: `Bearer ${token}` });

/** Targets on SQLite, 50 connections, as ratios to the bare baseline and p99 in ms. */
export const TARGETS = {
  1: { ratio: 0.6, p99: 25 },
  2: { ratio: 0.5, p99: 25 },
  3: { ratio: 0.3, p99: 25 },
  4: { ratio: 0.4, p99: 25 },
  5: { ratio: 0.4, p99: 25 },
};
/** Scenario 7: p99 on the large zone within this factor of the empty zone; server RSS below this. */
export const SCALE_P99_FACTOR = 1.5;
export const SCALE_RSS_LIMIT = 300 * 1024 * 1024;
export const STARTUP_LIMIT_MS = 1000;

/**
 * `ctx`: fixtures from seed.ts plus what the runner made through the API (`basicUsers`,
 * `inviteToken`) and the plan's sizes. Each scenario gives the request and a check of one answer.
 */
export const SCENARIOS = {
  1: {
    title: 'GET /user (access token)',
    request: (ctx) => ({ method: 'GET', path: `${API}/user`, rotate: { file: ctx.readerTokens, header: 'authorization', prefix: 'Bearer ' } }),
    check: (res, body) => (res.status === 200 && typeof body.userId === 'string' ? undefined : `expected 200 with a user, got ${res.status}`),
  },
  2: {
    title: 'GET /user (Basic)',
    request: (ctx) => ({ method: 'GET', path: `${API}/user`, rotate: { file: ctx.basicCredentials, header: 'authorization', prefix: 'Basic ' } }),
    check: (res) => (res.status === 200 ? undefined : `expected 200, got ${res.status}`),
  },
  3: {
    title: 'POST /user/spaces/join (new user each)',
    request: (ctx) => ({
      method: 'POST',
      path: `${API}/user/spaces/join`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ctx.inviteToken }),
      // The first joiner answers the check; the load takes every other one, each once.
      rotate: { file: ctx.joinerTokens, header: 'authorization', prefix: 'Bearer ', skip: 1, once: true },
    }),
    check: (res) =>
      res.status === 201 && res.headers.get('location')?.startsWith('/user/spaces/') ? undefined : `expected 201 with a Location, got ${res.status}`,
  },
  4: {
    title: 'GET /spaces/{id}/users/token (mint)',
    request: (ctx) => ({ method: 'GET', path: `${API}/spaces/${ctx.mintSpaceId}/users/token`, headers: bearer(ctx.ownerToken) }),
    check: (res, body) => (res.status === 200 && typeof body.token === 'string' ? undefined : `expected 200 with a token, got ${res.status}`),
  },
  5: {
    title: 'GET /user/spaces (1,000 spaces)',
    titleOf: (ctx) => `GET /user/spaces (${ctx.plan.memberSpaces.toLocaleString('en')} spaces)`,
    request: (ctx) => ({ method: 'GET', path: `${API}/user/spaces`, headers: bearer(ctx.memberToken) }),
    check: (res, body, ctx) =>
      res.status === 200 && body.spaces?.length === ctx.plan.memberSpaces
        ? undefined
        : `expected 200 with ${ctx.plan.memberSpaces} spaces, got ${res.status} with ${body.spaces?.length}`,
  },
  6: {
    title: 'GET /groups/{id}/effective_users',
    titleOf: (ctx) =>
      `GET /groups/{id}/effective_users (${ctx.plan.groupDepth} deep, ${(ctx.plan.groupUsers + 1).toLocaleString('en')} users)`,
    request: (ctx) => ({ method: 'GET', path: `${API}/groups/${ctx.groupId}/effective_users`, headers: bearer(ctx.ownerToken) }),
    // The groups API may not exist yet: the catch-all 404 says so, and the scenario is skipped.
    skip: (res, body) => (res.status === 404 && body.error_description === 'No such resource.' ? 'the groups API (GET /groups/{id}/effective_users) is not in this build' : undefined),
    check: (res, body, ctx) =>
      res.status === 200 && body.users?.length === ctx.plan.groupUsers + 1
        ? undefined
        : `expected 200 with ${ctx.plan.groupUsers + 1} users, got ${res.status} with ${body.users?.length}`,
  },
};
