import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePrivateDir } from '../files.js';
import { CliError } from './errors.js';

/** A session file that is there but holds no session: `login` replaces it, `logout` removes it. */
export class DamagedSessionError extends CliError {
  override name = 'DamagedSessionError';
}

/** What `onezone login` remembers: where the zone is, the access token, and how to trust its certificate. */
export interface Session {
  zone: string;
  token: string;
  insecure?: boolean;
  /** PEM text of the CA given with `--ca` at login (kept, so the file may move or go). */
  ca?: string;
}

/** `ONEZONE_SESSION`, else `$XDG_CONFIG_HOME/onezone/session.json`, else `~/.config/onezone/session.json`. */
export function sessionPath(env: NodeJS.ProcessEnv): string {
  if (env.ONEZONE_SESSION) return path.resolve(env.ONEZONE_SESSION);
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, 'onezone', 'session.json');
}

export function readSession(env: NodeJS.ProcessEnv): Session | undefined {
  const file = sessionPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the session file ${file}: ${(err as Error).message}`);
  }
  try {
    const s = JSON.parse(text) as Partial<Session>;
    if (typeof s.zone === 'string' && typeof s.token === 'string') return s as Session;
  } catch {
    // Reported below, like a file of the wrong shape.
  }
  throw new DamagedSessionError(`the session file ${file} is damaged; run 'onezone login' again`);
}

/**
 * Writes a fresh file with mode 0600 and renames it into place, so the token is never readable
 * by others, not even for a moment, and an interrupted write leaves the old session intact.
 */
export function saveSession(env: NodeJS.ProcessEnv, session: Session): string {
  const file = sessionPath(env);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    makePrivateDir(path.dirname(file));
    fs.writeFileSync(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (err) {
    // A half-written copy must not stay behind with the token in it.
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Never created.
    }
    throw new CliError(`cannot write the session file ${file}: ${(err as Error).message}`);
  }
  return file;
}

/** True when there was a session to remove. */
export function removeSession(env: NodeJS.ProcessEnv): boolean {
  try {
    fs.unlinkSync(sessionPath(env));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`cannot remove the session file ${sessionPath(env)}: ${(err as Error).message}`);
  }
}
