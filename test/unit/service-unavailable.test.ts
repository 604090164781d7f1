import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { ApiError } from '../../src/errors.js';
import { registerErrorHandling } from '../../src/http/errors.js';
import { startZone } from '../helpers/zone.js';

/**
 * 503 `service_unavailable`: which failures answer it (a database that cannot be reached or does
 * not answer, a zone shutting down, /ready that gets no answer), and that these expected refusals
 * are logged as a line with their reason, while real faults keep their 500 and their stack.
 */

interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string };
  cause?: string;
  reason?: string;
  route?: string;
}

function appThrowing(errors: Record<string, () => Error>) {
  const stream = new PassThrough();
  let log = '';
  stream.on('data', (c: Buffer) => (log += c.toString()));
  const app = Fastify({ logger: { level: 'info', stream } });
  registerErrorHandling(app);
  for (const [name, make] of Object.entries(errors)) {
    app.get(`/${name}`, async () => {
      throw make();
    });
  }
  const lines = () => log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  return { app, lines };
}

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code, syscall: 'connect' });

describe('503 service_unavailable', () => {
  it('a database that refuses, drops or does not answer: 503 with Retry-After, logged as a warning with the cause, no stack', async () => {
    const unavailable = {
      refused: () => systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      // Node's happy eyeballs: every address of `localhost` refused.
      refusedEverywhere: () => Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' }),
      poolTimeout: () => new Error('timeout exceeded when trying to connect'),
      connectTimeout: () => new Error('Connection terminated due to connection timeout'),
      dropped: () => new Error('Connection terminated unexpectedly'),
      shuttingDown: () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      tooManyConnections: () => Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      connectionFailure: () => Object.assign(new Error('connection failure'), { code: '08006' }),
    };
    const { app, lines } = appThrowing(unavailable);
    for (const name of Object.keys(unavailable)) {
      const res = await app.inject({ url: `/${name}` });
      assert.equal(res.statusCode, 503, name);
      assert.deepEqual(res.json(), { error: 'service_unavailable', error_description: 'The database is not reachable; retry later.' }, name);
      assert.equal(res.headers['retry-after'], '5', name);
    }
    const logged = lines().filter((l) => l.level >= 40);
    assert.equal(logged.length, Object.keys(unavailable).length);
    for (const line of logged) {
      assert.equal(line.level, 40);
      assert.equal(line.msg, 'database not reachable');
      assert.equal(line.err, undefined, 'no stack');
      assert.equal(typeof line.cause, 'string');
    }
    await app.close();
  });

  it('a statement the database did not finish in time: 503 saying so, logged as an error with the route (the operator should look)', async () => {
    const slow = {
      readTimeout: () => new Error('Query read timeout'),
      statementTimeout: () => Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    };
    const { app, lines } = appThrowing(slow);
    for (const name of Object.keys(slow)) {
      const res = await app.inject({ url: `/${name}` });
      assert.equal(res.statusCode, 503, name);
      assert.deepEqual(res.json(), { error: 'service_unavailable', error_description: 'The database did not answer in time; retry later.' }, name);
      assert.equal(res.headers['retry-after'], '5', name);
    }
    const logged = lines().filter((l) => l.level >= 40);
    assert.deepEqual(
      logged.map((l) => [l.level, l.msg, l.route]),
      Object.keys(slow).map((name) => [50, 'database query timed out', `/${name}`]),
    );
    await app.close();
  });

  it('a refusal the zone means (draining at shutdown) is an info line with its reason; a fault stays a 500 logged with its stack', async () => {
    const { app, lines } = appThrowing({
      draining: () => new ApiError('unavailable', 'The server is shutting down.'),
      fault: () => new Error('a bug'),
      // A code of the same kind from something other than a database connection: still a fault.
      other: () => Object.assign(new Error('not a connection'), { code: '23505' }),
    });
    const draining = await app.inject({ url: '/draining' });
    assert.equal(draining.statusCode, 503);
    assert.equal(draining.json().error, 'service_unavailable');
    assert.equal(draining.headers['retry-after'], undefined);
    assert.equal((await app.inject({ url: '/fault' })).statusCode, 500);
    assert.equal((await app.inject({ url: '/other' })).statusCode, 500);

    const [refused, fault, other] = lines().filter((l) => l.msg !== 'incoming request' && l.msg !== 'request completed');
    assert.deepEqual({ level: refused!.level, msg: refused!.msg, reason: refused!.reason, err: refused!.err }, { level: 30, msg: 'request refused', reason: 'The server is shutting down.', err: undefined });
    for (const line of [fault!, other!]) {
      assert.equal(line.level, 50);
      assert.equal(line.msg, 'request failed');
      assert.match(line.err?.stack ?? '', /\n\s+at /);
    }
    await app.close();
  });

  it('/ready answers 503 when the database does not answer within 2 s, logging a warning without a stack', async () => {
    const z = await startZone();
    const origin = new URL(z.baseUrl).origin;
    assert.equal((await fetch(`${origin}/ready`)).status, 200);
    z.zone.store.health.ping = () => new Promise(() => {});
    const start = Date.now();
    const res = await fetch(`${origin}/ready`);
    const ms = Date.now() - start;
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'service_unavailable', error_description: 'The database is not reachable.' });
    assert.ok(ms >= 1900 && ms < 4000, `answered after ${ms} ms`);
    const logged = z
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.level >= 40);
    assert.deepEqual(
      logged.map((l) => ({ level: l.level, msg: l.msg, cause: l.cause, err: l.err })),
      [{ level: 40, msg: 'database not reachable', cause: 'no answer within 2000 ms', err: undefined }],
    );
  });
});
