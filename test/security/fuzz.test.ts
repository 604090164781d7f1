import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ADMIN_PASSWORD, startZone } from '../helpers/zone.js';
import { type Answer, assertErrorShape, leakedSecrets, registeredRoutes, send } from './support.js';

const CASES = 2500;
const SEED = 20260907;

describe('hostile input on every registered route', async () => {
  // Debug level logs every request's headers: the censoring is exercised too.
  const z = await startZone({ logLevel: 'debug' });
  const alice = await z.user('alice');
  const mallory = await z.user('mallory');
  const spaceId = await alice.api.user.createSpace('alice-private');
  const groupId = await alice.api.user.createGroup('alice-group', 'team');
  const invite = await alice.api.spaces.userInviteToken(spaceId);
  const routes = registeredRoutes(z);
  const mine = [spaceId, groupId, alice.id];

  const snapshot = () => {
    const db = z.zone.store;
    return Promise.all([
      db.spaces.exists(spaceId),
      alice.api.spaces.get(spaceId),
      alice.api.spaces.users(spaceId),
      alice.api.groups.get(groupId),
      alice.api.groups.users(groupId),
      alice.api.user.get(),
      alice.api.spaces.userPrivileges(spaceId, alice.id),
    ]);
  };

  it(`${CASES} random and mutated requests: never a 5xx, catalog-shaped errors, nobody else's data read or changed, memory bounded`, async () => {
    const before = await snapshot();
    const rssBefore = process.memoryUsage().rss;
    const answers: string[] = [];
    let sent = 0;

    const idArb = fc.oneof(
      fc.constantFrom(...mine, mallory.id, 'admins', '..', '../..', '%2e%2e%2f%2e%2e', '%00', '%zz', '%C0%AF', 'a'.repeat(300), '', ' ', '😀', '\u202e'),
      fc.string({ maxLength: 60 }).map(encodeURIComponent),
    );
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const bodyArb = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ name: fc.string(), token: fc.string(), privileges: fc.array(fc.string()), userId: fc.constantFrom(...mine), spaceId: fc.constantFrom(...mine), type: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.constantFrom(deep(5000), `{"a":${deep(2000)}}`, 'x'.repeat(70_000), JSON.stringify({ name: 'n'.repeat(60_000) }), '{"name":"a\\u0000b"}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{', 'null', '[]', '"str"', '1e999', JSON.stringify({ token: invite })),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    const credArb = fc.oneof(
      fc.constant<Record<string, string>>({}),
      fc.constantFrom<Record<string, string>>(
        { 'x-auth-token': mallory.token },
        { macaroon: mallory.token },
        { authorization: `Bearer ${mallory.token}` },
        { authorization: `Basic ${Buffer.from(`${mallory.login}:${mallory.password}`).toString('base64')}` },
      ),
      fc.record({ h: fc.constantFrom('authorization', 'macaroon', 'x-auth-token'), v: fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('Basic', 'Basic !!!', 'Basic Og==', 'Bearer', `Bearer ${invite}`, invite, mallory.token.slice(0, -3), 'a'.repeat(8000)), fc.string({ maxLength: 40 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`)) }).map(({ h, v }) => ({ [h]: v })),
    );
    const extraArb = fc.constantFrom<Record<string, string | string[]>>(
      {},
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'multipart/form-data; boundary=x' },
      { 'x-auth-token': ['a', 'b'] },
      { accept: 'text/html' },
      { 'x-filler': 'f'.repeat(12_000) },
      { 'content-encoding': 'gzip', 'content-type': 'application/json' },
    );

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(idArb, { minLength: 4, maxLength: 4 }),
        credArb,
        extraArb,
        fc.option(bodyArb, { nil: undefined }),
        fc.constantFrom('', '?a=1', '?token=x&&', '?%zz', `?${'q'.repeat(3000)}`),
        async (route, ids, creds, extra, body, query) => {
          let i = 0;
          const url = route.path.replace(/:[a-z]+/g, () => ids[i++] ?? 'x') + query;
          const headers = { ...extra, ...creds };
          if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
          const sentBody = route.method === 'GET' || route.method === 'DELETE' ? undefined : body;
          let a: Answer;
          try {
            a = await send(`${new URL(z.baseUrl).origin}${url}`, { method: route.method, headers, body: sentBody });
          } catch (err) {
            // undici refuses to build some requests (invalid header or URL characters): nothing reached the server.
            if (err instanceof TypeError || /invalid|InvalidArgument/i.test(String((err as Error).name) + String((err as Error).message))) return;
            throw err;
          }
          sent++;
          answers.push(a.text);
          assert.ok(a.status < 500, `${route.method} ${url} -> ${a.status} ${a.text.slice(0, 200)}`);
          assertErrorShape(a, `${route.method} ${url}`);
          const actsAsOther = Object.values(creds).some((v) => v.includes(mallory.token) || v.startsWith('Basic ' + Buffer.from(mallory.login).toString('base64').slice(0, 8)));
          // Reading or changing through a path naming alice's entities never succeeds for another user;
          // ids smuggled in bodies are covered by the snapshot comparison at the end.
          if (actsAsOther && a.status < 300) assert.ok(!mine.some((id) => url.includes(id)), `another user reached ${route.method} ${url}: ${a.status}`);
        },
      ),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );

    assert.deepEqual(await snapshot(), before, "alice's data is unchanged");
    const growth = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(growth < 300, `memory grew by ${growth.toFixed(0)} MiB`);
    assert.ok(sent > CASES * 0.8, `${sent} requests reached the server`);

    const hashes = (await z.zone.store.users.byLogin(alice.login))!.password_hash!;
    const masterKey = fs.readFileSync(path.join(z.dataDir, 'master.key'), 'utf8').trim();
    const secrets = [alice.password, alice.token, mallory.password, mallory.token, ADMIN_PASSWORD, invite, masterKey, hashes, hashes.split('$').pop()!];
    assert.deepEqual(leakedSecrets(z.logs(), secrets), [], 'secrets in the log');
    // The invite was sent by the fuzzer as a credential and in bodies: it must not come back.
    assert.deepEqual(leakedSecrets(answers.join('\n'), secrets), [], 'secrets in responses');
    process.stdout.write(`# fuzz: ${sent} requests over ${routes.length} method+path pairs, no 5xx; ${secrets.length} secrets scanned in ${answers.length} responses and ${z.logs().length} bytes of log\n`);
  });
});
