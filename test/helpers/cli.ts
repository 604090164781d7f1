import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './process.js';

/** The built CLI's entry. */
export const CLI_MAIN = path.join(ROOT, 'dist', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Session files of their own under `dir`, as if each user ran the CLI in their own home. */
export function sessionFiles(dir: string): () => string {
  let sessions = 0;
  return () => path.join(dir, `session-${++sessions}`, 'session.json');
}

/**
 * Runs the built CLI as a child process. Asynchronous on purpose: the zone may live in this
 * process (test/helpers/zone.ts) and must keep answering while the child waits. `stdout`: a file
 * descriptor to write to instead of a pipe, or `closed` for a pipe nobody reads (`| head`).
 */
export function cli(args: string[], opts: { session: string; stdin?: string; env?: Record<string, string>; stdout?: number | 'closed' }): Promise<CliResult> {
  const { ONEZONE_URL: _url, ONEZONE_PASSWORD: _password, ONEZONE_TIMEOUT: _timeout, ...inherited } = process.env;
  const env = { ...inherited, ONEZONE_SESSION: opts.session, ...opts.env };
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env, stdio: ['pipe', typeof opts.stdout === 'number' ? opts.stdout : 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  if (opts.stdout === 'closed') child.stdout!.destroy();
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(opts.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
