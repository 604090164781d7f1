// The CLI's session file, removed by logout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CliError } from '../../src/cli/errors.js';
import { removeSession } from '../../src/cli/session.js';

describe('CLI session file', () => {
  it('removing it: true when it was there, false when not, and a file that cannot be removed says so (it was reported as "cannot talk to <zone>")', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-session-'));
    try {
      const file = path.join(dir, 'session.json');
      fs.writeFileSync(file, '{}');
      assert.equal(removeSession({ ONEZONE_SESSION: file }), true);
      assert.equal(fs.existsSync(file), false);
      assert.equal(removeSession({ ONEZONE_SESSION: file }), false);
      // A path unlink refuses whoever runs this (root too): a directory.
      const stuck = path.join(dir, 'stuck');
      fs.mkdirSync(stuck);
      assert.throws(
        () => removeSession({ ONEZONE_SESSION: stuck }),
        (err: unknown) => err instanceof CliError && err.message.startsWith(`cannot remove the session file ${stuck}: `),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
