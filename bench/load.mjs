// The load generator, run as its own process so it never shares an event loop with a server.
// Input: a JSON job file (argv[2]). Output: one JSON line with the measured figures.
// Requests can rotate a credential header through a list (one value per request, in order); a
// `once` list (every join from a different user) is never reused: the run stops at its end.
import fs from 'node:fs';
import autocannon from 'autocannon';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const rotation = job.rotate
  ? fs.readFileSync(job.rotate.file, 'utf8').split('\n').filter(Boolean).slice(job.rotate.skip ?? 0)
  : undefined;
let next = 0;

function request() {
  if (!rotation) return { method: job.method, path: job.path, headers: job.headers, body: job.body };
  return {
    method: job.method,
    path: job.path,
    body: job.body,
    setupRequest(req) {
      // A `once` list is never reused (the run stops at its end); others go round.
      const i = next++;
      const value = rotation[job.rotate.once ? Math.min(i, rotation.length - 1) : i % rotation.length];
      req.headers = { ...job.headers, [job.rotate.header]: job.rotate.prefix + value };
      return req;
    },
  };
}

function run(duration) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration,
        requests: [request()],
        ...(job.rotate?.once ? { maxOverallRequests: Math.max(job.connections, rotation.length - next) } : {}),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const warm = job.warmup > 0 ? await run(job.warmup) : undefined;
const r = await run(job.duration);
const ok = (res) => (res ? res['2xx'] : 0);
const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
process.stdout.write(
  JSON.stringify({
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    seconds: r.duration,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    okIncludingWarmup: ok(warm) + ok(r),
    requestsIncludingWarmup: (warm?.requests.total ?? 0) + r.requests.total,
    statuses,
    exhausted: job.rotate?.once === true && next >= rotation.length,
    consumed: next,
  }) + '\n',
);
