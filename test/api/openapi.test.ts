import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { ADMINS_GROUP } from '../../src/domain/authorize.js';
import { onezonePrivileges } from '../../src/domain/privileges.js';
import { catalog } from '../../src/errors.js';
import { OPERATION_DOCS } from '../../src/http/operation-docs.js';
import { parse } from '../../src/tokens/macaroon.js';
import { type Answer, type OpenApiDocument, disagreements, generateOpenApi, recordAnswers } from '../helpers/openapi.js';
import { USER_OPERATIONS, makeFixture } from '../helpers/operations.js';
import { opensslCsr, registerProvider, registration } from '../helpers/providers.js';
import { startZone } from '../helpers/zone.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const swagger = JSON.parse(fs.readFileSync(path.resolve(root, '..', 'shared', 'spec', 'onezone-swagger-3.0.0-RC2.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { headers?: Record<string, unknown> }> }>>;
};
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** `/spaces/{id}/users/{uid}` and `/spaces/{x}/users/{y}` are the same route. */
const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');

/** Every (path, method, operation) of the document. */
const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).filter(([m]) => METHODS.includes(m)).map(([m, op]) => ({ p, m, op })));
const successCodes = (responses: object) => Object.keys(responses).filter((code) => code.startsWith('2'));
/** The operation's `summary` (test/helpers/openapi.ts does not type it). */
const summaryOf = (op: object): unknown => (op as { summary?: unknown }).summary;

describe('OpenAPI document', async () => {
  const z = await startZone();
  const res = await request(`${z.baseUrl}/openapi.json`);
  const doc = (await res.body.json()) as OpenApiDocument;

  it('is served without credentials as OpenAPI 3.1', () => {
    assert.equal(res.statusCode, 200);
    assert.equal(doc.openapi, '3.1.0');
  });

  it('has every (method, path) of the RC2 swagger, with its operationId', () => {
    const served = new Map<string, string | undefined>();
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) if (METHODS.includes(m)) served.set(`${m.toUpperCase()} ${shape(p)}`, op.operationId);
    }
    const missing: string[] = [];
    for (const [p, ops] of Object.entries(swagger.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (!METHODS.includes(m)) continue;
        const key = `${m.toUpperCase()} ${shape(p)}`;
        if (served.get(key) !== op.operationId) missing.push(`${key} (${op.operationId})`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('documents one success code per operation: the RC2 swagger\'s, where it has the operation', () => {
    const wrong: string[] = [];
    for (const { p, m, op } of operationsOf(doc)) {
      const codes = successCodes(op.responses);
      if (codes.length !== 1) wrong.push(`${m.toUpperCase()} ${p} (${op.operationId}): ${codes.join(', ') || 'none'}`);
    }
    for (const [p, ops] of Object.entries(swagger.paths)) {
      for (const [m, rc2] of Object.entries(ops)) {
        if (!METHODS.includes(m)) continue;
        const op = operationsOf(doc).find((o) => o.m === m && shape(o.p) === shape(p))?.op;
        const [ours, theirs] = [successCodes(op?.responses ?? {}), successCodes(rc2.responses)];
        if (ours.join() !== theirs.join()) wrong.push(`${rc2.operationId}: documented ${ours.join(', ')}, RC2 ${theirs.join(', ')}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('declares every bodiless success on its route (never the generator\'s "Default Response"), with Location where RC2 has it', () => {
    const wrong: string[] = [];
    for (const { m, op } of operationsOf(doc)) {
      const [code] = successCodes(op.responses);
      const response = op.responses[code!]!;
      if (!response.content && response.description === 'Default Response') wrong.push(`${op.operationId}: no success response declared`);
      const rc2 = Object.values(swagger.paths).find((ops) => ops[m]?.operationId === op.operationId)?.[m];
      const rc2Location = Object.values(rc2?.responses ?? {}).some((r) => r.headers?.Location);
      if (rc2Location && !response.headers?.Location) wrong.push(`${op.operationId}: RC2 documents Location`);
    }
    assert.deepEqual(wrong, []);
  });

  it('gives every operation a short summary, and every response a description other than the generator\'s "Default Response"', () => {
    const wrong: string[] = [];
    for (const { p, m, op } of operationsOf(doc)) {
      const where = `${m.toUpperCase()} ${p} (${op.operationId})`;
      const raw = summaryOf(op);
      const summary = typeof raw === 'string' ? raw.trim() : '';
      if (!summary) wrong.push(`${where}: no summary`);
      else if (summary.endsWith('.') || summary.length > 60) wrong.push(`${where}: summary "${summary}" is not short (at most 60 characters, no trailing dot)`);
      for (const [code, r] of Object.entries(op.responses)) {
        if (r.$ref) continue;
        if (!r.description?.trim() || r.description === 'Default Response') wrong.push(`${where} ${code}: description "${r.description ?? ''}"`);
      }
    }
    for (const [name, r] of Object.entries(doc.components.responses)) {
      if (!r.description?.trim() || r.description === 'Default Response') wrong.push(`components.responses.${name}: description "${r.description ?? ''}"`);
    }
    assert.deepEqual(wrong, []);
  });

  it('src/http/operation-docs.ts has an entry for exactly the operations served, and no text its route overrides', () => {
    const ops = operationsOf(doc);
    const served = new Set(ops.map(({ op }) => op.operationId));
    assert.deepEqual(ops.filter(({ op }) => !op.operationId).map(({ p, m }) => `${m.toUpperCase()} ${p}`), [], 'operations without an operationId');
    assert.equal(served.size, ops.length, 'operationIds are unique');
    const table = Object.keys(OPERATION_DOCS);
    assert.deepEqual([...served].filter((id) => !table.includes(id!)), [], 'operations without an entry');
    assert.deepEqual(table.filter((id) => !served.has(id)), [], 'stale entries: no route has that operationId');
    // A route's own summary or success description wins: the table's text would be dead.
    const shadowed: string[] = [];
    for (const { op } of ops) {
      const entry = OPERATION_DOCS[op.operationId!]!;
      const success = op.responses[successCodes(op.responses)[0]!]!;
      if (entry.summary !== undefined && summaryOf(op) !== entry.summary) shadowed.push(`${op.operationId}: summary "${String(summaryOf(op))}" is the route's`);
      if (entry.success !== undefined && success.description !== entry.success) shadowed.push(`${op.operationId}: success "${success.description}" is the route's`);
    }
    assert.deepEqual(shadowed, []);
  });

  it('documents errors: the Error schema with the catalog\'s codes, and on each operation the statuses its shape implies', () => {
    const error = doc.components.schemas.Error!;
    assert.deepEqual(new Set(error.properties.error!.enum), new Set(Object.values(catalog).map((e) => e.error)));
    assert.deepEqual(error.required, ['error', 'error_description']);
    const missing: string[] = [];
    for (const { op } of operationsOf(doc)) {
      const open = op.security?.length === 0;
      const params = op.parameters?.some((x) => x.in === 'path') ?? false;
      const expected = [
        ...(op.requestBody || op.parameters?.length ? ['400'] : []),
        ...(open ? [] : ['401', '403', '429']),
        ...(params ? ['404'] : []),
        ...(op.requestBody ? ['413', '415'] : []),
        'default',
      ];
      for (const code of expected) if (!op.responses[code]) missing.push(`${op.operationId} ${code}`);
      for (const [code, r] of Object.entries(op.responses)) {
        if (r.$ref && !doc.components.responses[r.$ref.replace('#/components/responses/', '')]) missing.push(`${op.operationId} ${code}: ${r.$ref}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('names the credentials each operation takes: none for open ones, the provider certificate where providers may call', () => {
    const schemes = (op: { security?: Record<string, string[]>[] }) => (op.security ?? doc.security).flatMap((r) => Object.keys(r)).sort();
    const byId = new Map(operationsOf(doc).map(({ op }) => [op.operationId, op]));
    for (const id of ['authenticate_user', 'register_provider', 'check_my_ip', 'check_my_ports']) assert.deepEqual(schemes(byId.get(id)!), [], id);
    for (const id of ['get_provider', 'delete_provider', 'provider_space_support', 'get_supported_space']) {
      assert.deepEqual(schemes(byId.get(id)!), ['bearer', 'macaroon', 'providerCertificate', 'xAuthToken'], id);
    }
    for (const id of ['get_space', 'get_providers', 'create_space']) assert.ok(schemes(byId.get(id)!).includes('providerCertificate'), id);
    assert.deepEqual(schemes(byId.get('get_user')!), ['basic', 'bearer', 'macaroon', 'xAuthToken']);
    const used = new Set(operationsOf(doc).flatMap(({ op }) => schemes(op)));
    assert.deepEqual([...used].sort(), Object.keys(doc.components.securitySchemes).sort());
  });

  it('docs/openapi.json is the current document (run `npm run openapi` after changing a route)', async () => {
    const committed = fs.readFileSync(path.join(root, 'docs', 'openapi.json'), 'utf8');
    assert.equal(committed, await generateOpenApi());
  });
});

/**
 * The document against the zone itself: every user operation (as a caller allowed to do it, with
 * no credentials, as a non-member), the provider and open operations, and a few errors. Each answer's
 * status must be documented for its operation, with a body exactly when the document has one (of
 * the documented media type) and a Location header exactly when documented.
 */
describe('OpenAPI document against the answers of a real zone', async () => {
  const z = await startZone();
  const doc = (await (await request(`${z.baseUrl}/openapi.json`)).body.json()) as OpenApiDocument;
  const answers: Answer[] = [];
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => z.user(n)));
  // Alice may do everything: an administrator with every Onezone privilege, and the owner of each fixture.
  await z.zone.store.groups.addUser(ADMINS_GROUP, alice!.id, 0);
  await z.zone.store.onezone.set('user', alice!.id, onezonePrivileges.all);
  const asAlice = recordAnswers(z.client({ token: alice!.token }), 'allowed', answers);
  const anonymous = recordAnswers(z.client(), 'anonymous', answers);
  const asDave = recordAnswers(z.client({ token: dave!.token }), 'non-member', answers);
  const check = (from: number) => {
    const recorded = answers.slice(from);
    assert.ok(recorded.length > 0, 'answers are recorded');
    assert.deepEqual(recorded.flatMap((a) => disagreements(doc, a)), []);
  };
  const settle = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);

  it('every user operation: allowed, without credentials, and as a non-member', async () => {
    const from = answers.length;
    for (const op of USER_OPERATIONS) {
      const f = await makeFixture(z, alice!.id, bob!.id, carol!.id);
      await settle(op.call(anonymous, f));
      if (op.needs !== 'self') await settle(op.call(asDave, f));
      const caller = op.throwaway ? recordAnswers(z.client({ token: (await z.user('throwaway')).token }), 'allowed', answers) : asAlice;
      await op.call(caller, f);
    }
    assert.ok(answers.slice(from).filter((a) => a.status < 300).length >= USER_OPERATIONS.length);
    check(from);
  });

  it('provider and open operations, and callers of the wrong kind', async () => {
    const from = answers.length;
    await anonymous.provider.register(registration((await opensslCsr()).csrPem));
    const p = await registerProvider(z);
    const provider = recordAnswers(z.client({ token: p.token }), 'provider', answers);
    await provider.provider.get();
    await provider.provider.modify({ clientName: 'renamed' });
    await provider.provider.token();
    await provider.provider.spaces();
    const space = await asAlice.user.createSpace('supported');
    await provider.provider.support(await asAlice.providers.supportToken(space), 1024);
    await provider.provider.space(space);
    await provider.provider.createSpace('for alice', await asAlice.user.spaceCreateToken(), 1024);
    await provider.spaces.get(space);
    await asAlice.providers.list();
    await asAlice.providers.get(p.id);
    await asAlice.providers.ofSpace(space);
    await asAlice.providers.inSpace(space, p.id);
    await provider.provider.unsupport(space);
    await settle(provider.user.get());
    await settle(asAlice.provider.get());
    await anonymous.http.raw('GET', '/provider/test/check_my_ip');
    await anonymous.http.raw('POST', '/provider/test/check_my_ports', {});
    // Provider-mediated login: the discharge is text/plain.
    const third = parse(await asAlice.providers.loginToken(p.id)).caveats.find((c) => c.kind === 'third')!;
    await anonymous.http.raw('POST', '/user/authorize', { identifier: third.cid });
    await anonymous.http.raw('POST', '/user/authorize', { identifier: 'unknown' });
    await provider.provider.remove();
    assert.ok(answers.slice(from).some((a) => a.path === '/user/authorize' && a.status === 200));
    check(from);
  });

  it('errors: an invalid body, an unknown id, a refused token, a body that is not JSON, a wrong method', async () => {
    const from = answers.length;
    await asAlice.http.raw('POST', '/user/spaces', { name: 5 });
    await asAlice.http.raw('POST', '/user/spaces/join', { token: 'not-a-token' });
    await asAlice.http.raw('GET', `/spaces/${'x'.repeat(43)}`);
    await asAlice.http.raw('DELETE', `/groups/${'x'.repeat(43)}/users/${bob!.id}`);
    await recordAnswers(z.client({ token: `${alice!.token.slice(0, -4)}AAAA` }), 'forged', answers).http.raw('GET', '/user');
    await asAlice.http.raw('PUT', '/user/spaces/join');
    const raw = await request(`${z.baseUrl}/user/spaces`, { method: 'POST', headers: { 'x-auth-token': alice!.token, 'content-type': 'text/plain' }, body: 'x' });
    const text = await raw.body.text();
    answers.push({ who: 'text body', method: 'POST', path: '/user/spaces', status: raw.statusCode, headers: raw.headers, body: JSON.parse(text) });
    assert.deepEqual(
      answers.slice(from).map((a) => a.status),
      [400, 400, 404, 404, 401, 405, 415],
    );
    check(from);
  });
});
