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

// Latencies of the 2xx answers, kept here: autocannon's own histogram counts whole milliseconds,
// too coarse to compare answers of 1-3 ms (scenario 7 compares p99s).
let latencies = [];
function run(duration) {
  latencies = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration,
        requests: [request()],
        ...(job.rotate?.once ? { maxOverallRequests: Math.max(job.connections, rotation.length - next) } : {}),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
}

/** The p-th percentile (0-100) of the measured latencies, in ms to the hundredth. */
function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return Math.round(value * 100) / 100;
}

const warm = job.warmup > 0 ? await run(job.warmup) : undefined;
const r = await run(job.duration);
const sorted = Float64Array.from(latencies).sort();
const ok = (res) => (res ? res['2xx'] : 0);
const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
process.stdout.write(
  JSON.stringify({
    rps: r.requests.average,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
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
