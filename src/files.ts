import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a new file so that a crash leaves either no file or the whole of it: a private temp file,
 * synced, then linked into place (which, unlike a rename, fails when the file exists) and the
 * directory synced. False when the file already existed.
 */
export function createFileOnce(file: string, data: string, mode: number): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    syncDir(path.dirname(file));
    return true;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `mkdir -p` for the zone's private directories (created 0700). Node's recursive mkdir never
 * returns where a directory exists but refuses new entries with ENOENT (`/proc`, `/sys`): a data
 * dir there hung the start. This one makes one level at a time, and fails as mkdir does.
 */
export function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level, { mode: 0o700 });
    } catch (err) {
      // Made meanwhile by another process (the workers of one zone start together).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(level).isDirectory()) throw err;
    }
  }
}
