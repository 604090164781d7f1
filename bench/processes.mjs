// Child processes of a benchmark run: servers (bare baseline and onezone), the seed script and the
// load generator; each bounded in time, and the server's peak memory read from the kernel.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';

const { fetch, AbortSignal } = globalThis;

export const root = path.resolve(import.meta.dirname, '..');

/** Runs a command to completion (output to `log`); rejects on a non-zero exit or after `timeoutMs`. */
export function runToEnd(args, { env, log, timeoutMs, capture = false }) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(log, 'a');
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', capture ? 'pipe' : out, capture ? out : 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (c) => (stdout += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fs.closeSync(out);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(args.find((a) => a.endsWith('js') || a.endsWith('.ts')) ?? args[0])} exited with ${signal ?? code} (log: ${log})`));
    });
  });
}

export async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Starts a server process and waits until it answers HTTP on `port` (any status counts).
 * Returns the process, and how long it took from spawn to the first answer.
 */
export async function startServer(args, { env, log, port, probePath = '/' }) {
  const out = fs.openSync(log, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = started + 30_000;
  for (;;) {
    if (exited) throw new Error(`server exited during start-up (log: ${log})`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer within 30 s (log: ${log})`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${probePath}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  return { child, startupMs: performance.now() - started };
}

/** SIGTERM, then SIGKILL after 15 s; resolves when the process is gone. */
export function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Peak resident memory of a process over a stretch of time. On Linux the kernel keeps the peak
 * (VmHWM) and lets its owner reset it (clear_refs 5); failing that, VmRSS is sampled every 100 ms.
 */
export function peakRss(pid) {
  const status = `/proc/${pid}/status`;
  const read = (field) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(status, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  };
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return { stop: () => read('VmHWM') };
  } catch {
    let peak = 0;
    const sample = () => {
      try {
        peak = Math.max(peak, read('VmRSS') ?? 0);
      } catch {
        // No /proc (not Linux): no figure rather than a wrong one.
      }
    };
    const timer = setInterval(sample, 100);
    return {
      stop: () => {
        clearInterval(timer);
        sample();
        return peak || undefined;
      },
    };
  }
}

/**
 * CPU time (user + system, in microseconds) a process has used so far, from /proc/PID/stat;
 * undefined where there is no /proc. The kernel counts in clock ticks (1/100 s here), so a figure
 * per request is only meaningful over many thousands of requests.
 */
export function cpuMicros(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;
