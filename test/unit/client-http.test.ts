// The SDK's transport against a stand-in server that answers what a broken zone or a proxy in
// front of one might: nothing at all, HTML, plain text, a 201 without its Location.
import assert from 'node:assert/strict';
import http from 'node:http';
import { inspect } from 'node:util';
import { Agent } from 'undici';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InvalidIdError, OnezoneClient, OnezoneError, RequestTimeoutError, UnexpectedAnswerError } from '../../src/client/index.js';

interface Answer {
  status: number;
  type?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** What the stand-in server answers, by method and path; `hang` never answers. */
const answers = new Map<string, Answer | 'hang'>();
const seen: string[] = [];
const server = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  const answer = answers.get(`${req.method} ${req.url}`) ?? { status: 404, type: 'application/json', body: '{"error":"not_found","error_description":"Nothing here."}' };
  if (answer === 'hang') return;
  res.writeHead(answer.status, { ...(answer.type ? { 'content-type': answer.type } : {}), ...answer.headers });
  res.end(answer.body);
});

let base = '';
const clients: OnezoneClient[] = [];
const client = (opts: { timeoutMs?: number; viaFetch?: boolean } = {}) => {
  const c = new OnezoneClient({ baseUrl: base, credentials: { token: 'a-throwaway-token' }, timeoutMs: opts.timeoutMs, ...(opts.viaFetch ? { fetch } : {}) });
  clients.push(c);
  return c;
};

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/onezone`;
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('ids in paths', () => {
  const bad = ['..', '.', '', '%2E%2E', '%2e', '.%2e', 'a/b', '../user', 'a%2Fb', 'a?b', 'a#b', 'a b', ' x', 'x\n', '\\..', 'é', 'a'.repeat(65)];

  it('anything but a plausible id is refused before a request is sent, by every kind of call', async () => {
    const api = client();
    seen.length = 0;
    const sid = 'A'.repeat(43);
    for (const id of bad) {
      const calls: [string, () => Promise<unknown>][] = [
        ['user.leaveSpace', () => api.user.leaveSpace(id)],
        ['user.space', () => api.user.space(id)],
        ['spaces.remove', () => api.spaces.remove(id)],
        ['spaces.removeUser', () => api.spaces.removeUser(sid, id)],
        ['tokens.remove', () => api.tokens.remove(id)],
        ['groups.removeNested', () => api.groups.removeNested(sid, id)],
        ['privileges.removeUser', () => api.privileges.removeUser(id)],
        ['providers.get', () => api.providers.get(id)],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (err: unknown) => err instanceof InvalidIdError && /^not a valid id: /.test(err.message), `${name}(${JSON.stringify(id)})`);
      }
    }
    assert.deepEqual(seen, [], 'nothing reached the server');
  });

  it('the ids the zone makes pass: 43-character base64url, dashes and underscores anywhere', async () => {
    const api = client();
    for (const id of ['-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd', 'undefined', 'x', 'a'.repeat(64)]) {
      seen.length = 0;
      await assert.rejects(api.spaces.get(id), (err: unknown) => err instanceof OnezoneError && err.status === 404);
      assert.deepEqual(seen, [`GET /api/v3/onezone/spaces/${id}`]);
    }
  });

  it('a token given where its id belongs is refused, and neither the message nor the printed error holds it', async () => {
    // The shape of an access token: base64url, 200 characters and more. It passed as an id and
    // was sent in the URL, which a proxy in front of the zone logs.
    const token = `MDAxNWxvY2F0aW9u${'b25lem9uZQowMD'.repeat(14)}`;
    seen.length = 0;
    await assert.rejects(client().tokens.get(token), (err: unknown) => {
      assert.ok(err instanceof InvalidIdError);
      assert.equal(err.message, `not a valid id: a value of ${token.length} characters (an id has at most 64)`);
      assert.ok(!inspect(err).includes(token.slice(0, 16)), 'printing the error leaves the value out');
      assert.equal(err.id, token, 'the value is still there for the program');
      return true;
    });
    assert.deepEqual(seen, []);
    assert.equal(new InvalidIdError('a/b').message, 'not a valid id: "a/b"');
  });

  it('a raw path with a dot segment is refused too: the URL is never resolved above the API root', async () => {
    const api = client();
    seen.length = 0;
    for (const path of ['/user/spaces/..', '/user/spaces/%2e%2E', '/spaces/./x', '/../../../metrics', '/user\\..']) {
      await assert.rejects(api.http.call('DELETE', path), TypeError, path);
    }
    assert.deepEqual(seen, []);
    await assert.rejects(api.http.call('GET', '/spaces/a..b'), (err: unknown) => err instanceof OnezoneError && err.status === 404);
    assert.deepEqual(seen, ['GET /api/v3/onezone/spaces/a..b']);
  });

  it('zone.metrics still reaches the server root, beside the API', async () => {
    answers.set('GET /metrics', { status: 200, type: 'text/plain; version=0.0.4', body: '# HELP x y\nx 1\n' });
    assert.equal(await client().zone.metrics(), '# HELP x y\nx 1\n');
  });
});

describe('client options', () => {
  it('a baseUrl with a user name or password is refused without repeating it (fetch repeated it; undici dropped it, and the zone said 401)', () => {
    for (const viaFetch of [false, true]) {
      const url = new URL(base);
      url.username = 'alice';
      url.password = 'hunter2-throwaway';
      assert.throws(
        () => new OnezoneClient({ baseUrl: url.href, ...(viaFetch ? { fetch } : {}) }),
        (err: unknown) => err instanceof TypeError && /must not hold a user name or password/.test(err.message) && !err.message.includes('hunter2'),
      );
    }
  });

  it("close() leaves a dispatcher the caller passed open: other clients share it", async () => {
    const agent = new Agent();
    try {
      const make = () => new OnezoneClient({ baseUrl: base, dispatcher: agent, credentials: { token: 'a-throwaway-token' } });
      const [a, b] = [make(), make()];
      answers.set('GET /api/v3/onezone/user', { status: 200, type: 'application/json', body: '{"userId":"u","name":"n","login":"l"}' });
      assert.equal((await a.user.get()).userId, 'u');
      await a.close();
      assert.equal((await b.user.get()).userId, 'u', 'the agent still works');
      assert.equal(agent.closed, false);
    } finally {
      answers.delete('GET /api/v3/onezone/user');
      await agent.close();
    }
  });
});

describe('answers that are not the API', () => {
  for (const viaFetch of [false, true]) {
    const label = viaFetch ? ' (fetch transport)' : '';

    it(`a 2xx whose body is not of the kind promised is an UnexpectedAnswerError, not a value of the wrong type${label}`, async () => {
      const api = client({ viaFetch });
      const page = { status: 200, type: 'text/html', body: '<html><body>Sign in to the portal</body></html>' };
      const unexpected = (err: unknown) => err instanceof UnexpectedAnswerError;
      answers.set('POST /api/v3/onezone/provider', page);
      await assert.rejects(api.provider.register({ clientName: 'p', urls: ['1.2.3.4'], redirectionPoint: 'https://p', csr: 'x' }), unexpected);
      answers.set('POST /api/v3/onezone/provider', { status: 200, type: 'application/json', body: '{"providerId":"p"}' });
      await assert.rejects(api.provider.register({ clientName: 'p', urls: ['1.2.3.4'], redirectionPoint: 'https://p', csr: 'x' }), unexpected);
      answers.set('POST /api/v3/onezone/users', page);
      await assert.rejects(api.users.create({ login: 'l', password: 'long-enough', name: 'n' }), unexpected);
      answers.set('GET /metrics', { status: 200, type: 'application/json', body: '{"up":1}' });
      await assert.rejects(api.zone.metrics(), unexpected);
      answers.set('GET /api/v3/onezone/provider/test/check_my_ip', { status: 200, type: 'application/json', body: '{"ip":"1.2.3.4"}' });
      await assert.rejects(api.provider.checkMyIp(), unexpected);
      answers.set('GET /api/v3/onezone/provider/test/check_my_ip', { status: 200, type: 'application/json', body: '"1.2.3.4"' });
      assert.equal(await api.provider.checkMyIp(), '1.2.3.4');
      for (const key of ['POST /api/v3/onezone/provider', 'POST /api/v3/onezone/users', 'GET /metrics', 'GET /api/v3/onezone/provider/test/check_my_ip']) answers.delete(key);
    });

    it(`an error page that is not {error, error_description}: the status text and the first line of the body${label}`, async () => {
      const api = client({ viaFetch });
      const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>';
      answers.set('GET /api/v3/onezone/user', { status: 502, type: 'text/html', body: html });
      await assert.rejects(api.user.get(), (err: unknown) => {
        assert.ok(err instanceof OnezoneError);
        assert.deepEqual([err.status, err.code, err.description], [502, 'unknown', '502 Bad Gateway']);
        return true;
      });
      answers.set('GET /api/v3/onezone/user', { status: 503, type: 'text/plain', body: `\n  Down for maintenance until ${'noon '.repeat(60)}\nsecond line\n` });
      await assert.rejects(api.user.get(), (err: unknown) => {
        assert.ok(err instanceof OnezoneError);
        assert.equal(err.status, 503);
        assert.match(err.description, /^Service Unavailable: Down for maintenance until noon noon .*…$/);
        assert.ok(err.description.length < 240, 'truncated');
        return true;
      });
      answers.set('GET /api/v3/onezone/user', { status: 500 });
      await assert.rejects(api.user.get(), (err: unknown) => err instanceof OnezoneError && err.description === 'Internal Server Error');
    });

    it(`a 429 or 503 carries its Retry-After in seconds; a date or nonsense is left out${label}`, async () => {
      const api = client({ viaFetch });
      const throttled = (headers: Record<string, string>): Answer => ({
        status: 429,
        type: 'application/json',
        body: '{"error":"too_many_requests","error_description":"Too many requests; retry later."}',
        headers,
      });
      const retryAfter = async () => {
        try {
          await api.user.get();
        } catch (err) {
          assert.ok(err instanceof OnezoneError);
          return err.retryAfter;
        }
        assert.fail('no error');
      };
      answers.set('GET /api/v3/onezone/user', throttled({ 'retry-after': '120' }));
      assert.equal(await retryAfter(), 120);
      for (const value of ['Wed, 21 Oct 2026 07:28:00 GMT', '-1', '1.5']) {
        answers.set('GET /api/v3/onezone/user', throttled({ 'retry-after': value }));
        assert.equal(await retryAfter(), undefined, value);
      }
      answers.set('GET /api/v3/onezone/user', throttled({}));
      assert.equal(await retryAfter(), undefined);
      // A proxy's own 503 page says when to come back as well.
      answers.set('GET /api/v3/onezone/user', { status: 503, type: 'text/html', body: '<html><title>503 Service Temporarily Unavailable</title></html>', headers: { 'retry-after': '120' } });
      assert.equal(await retryAfter(), 120);
    });

    it(`a 200 that is not JSON is an UnexpectedAnswerError, not a typed value${label}`, async () => {
      const api = client({ viaFetch });
      answers.set('GET /api/v3/onezone/user', { status: 200, type: 'text/html', body: '<!doctype html>\n<title>Sign in to the portal</title>' });
      await assert.rejects(api.user.get(), (err: unknown) => {
        assert.ok(err instanceof UnexpectedAnswerError && err instanceof OnezoneError);
        assert.deepEqual([err.status, err.code], [200, 'unexpected_answer']);
        assert.equal(err.description, 'the answer is not JSON (text/html): Sign in to the portal');
        return true;
      });
      answers.set('GET /api/v3/onezone/user/client_token', { status: 200, type: 'application/json', body: '{"note":"no token here"}' });
      await assert.rejects(api.user.clientToken(), (err: unknown) => err instanceof UnexpectedAnswerError && err.description === 'the answer carries no token');
      answers.set('GET /api/v3/onezone/user/client_token', { status: 200, type: 'text/html', body: '<p>hello</p>' });
      await assert.rejects(api.user.clientToken(), (err: unknown) => err instanceof UnexpectedAnswerError && /not JSON/.test(err.description));
    });

    it(`a 201 without its Location header says so${label}`, async () => {
      const api = client({ viaFetch });
      answers.set('POST /api/v3/onezone/user/spaces', { status: 201 });
      await assert.rejects(api.user.createSpace('x'), (err: unknown) => {
        assert.ok(err instanceof UnexpectedAnswerError);
        assert.deepEqual([err.status, err.description], [201, 'the answer lacks its Location header']);
        return true;
      });
      answers.set('POST /api/v3/onezone/user/spaces', { status: 201, headers: { location: '/user/spaces/' } });
      await assert.rejects(api.user.createSpace('x'), (err: unknown) => err instanceof UnexpectedAnswerError && /names no id/.test(err.description));
    });

    it(`a zone that never answers: RequestTimeoutError after timeoutMs${label}`, async () => {
      answers.set('GET /api/v3/onezone/user/groups', 'hang');
      const started = Date.now();
      await assert.rejects(client({ viaFetch, timeoutMs: 300 }).user.groups(), (err: unknown) => {
        assert.ok(err instanceof RequestTimeoutError, String(err));
        assert.equal(err.message, 'no answer within 0.3 s');
        return true;
      });
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 5000, `took ${took} ms`);
    });
  }
});
