import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The `onezone` command as installed: the bundle scripts/build.mjs makes. */
const MAIN = path.join(ROOT, 'dist', 'onezone.mjs');

let built = false;

/** Builds dist/ when it is missing or stale (scripts/build.mjs decides), once per test process: tests run the real CLI and load the built UI. */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

export interface ZoneProcess {
  proc: ChildProcess;
  /** The URL the process printed, e.g. `https://localhost:8443/api/v3/onezone`. */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `onezone serve ARGS` as a real process and waits until it prints where it listens. */
export async function spawnZone(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<ZoneProcess> {
  ensureBuilt();
  const proc = spawn(process.execPath, [MAIN, 'serve', ...args], {
    env: { ...process.env, ONEZONE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zone did not start in time:\n${out}\n${err}`)), timeoutMs);
    const check = () => {
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`zone exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    proc,
    url,
    stdout: () => out,
    stderr: () => err,
    stop: (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
