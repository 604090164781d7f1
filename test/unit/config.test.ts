import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('defaults: ./onezone-data, SQLite inside it, HTTPS on 8443, scrypt 2^15, 7-day invites', () => {
    const c = loadConfig([], {});
    assert.equal(c.dataDir, path.resolve('./onezone-data'));
    assert.deepEqual(c.db, { kind: 'sqlite', file: path.resolve('./onezone-data/onezone.sqlite') });
    assert.equal(c.port, 8443);
    assert.equal(c.http, false);
    assert.equal(c.passwordCost, 15);
    assert.equal(c.inviteTtl, 7 * 24 * 3600);
    assert.equal(c.zoneName, 'onezone');
  });

  it('environment variables mirror the flags, and flags win', () => {
    const env = { ONEZONE_PORT: '9000', ONEZONE_DATA_DIR: '/tmp/a', ONEZONE_HTTP: 'true', ONEZONE_DB: 'postgres://u@h/db' };
    const fromEnv = loadConfig([], env);
    assert.equal(fromEnv.port, 9000);
    assert.equal(fromEnv.http, true);
    assert.deepEqual(fromEnv.db, { kind: 'postgres', url: 'postgres://u@h/db' });
    const flags = loadConfig(['--port', '9001', '--data-dir', '/tmp/b'], env);
    assert.equal(flags.port, 9001);
    assert.equal(flags.dataDir, '/tmp/b');
  });

  it('refuses bad values with a clear message', () => {
    assert.throws(() => loadConfig(['--port', 'x'], {}), ConfigError);
    assert.throws(() => loadConfig(['--port', '70000'], {}), ConfigError);
    assert.throws(() => loadConfig(['--bogus'], {}), ConfigError);
    assert.throws(() => loadConfig(['--db', 'mysql://x'], {}), /postgres/);
    assert.throws(() => loadConfig([], { ONEZONE_MASTER_KEY: 'short' }), /32 bytes/);
    assert.throws(() => loadConfig([], { ONEZONE_PASSWORD_COST: '5' }), ConfigError);
    assert.throws(() => loadConfig([], { ONEZONE_DB_NAMED_STATEMENTS: 'no' }), /ONEZONE_DB_NAMED_STATEMENTS must be on or off/);
  });

  it('PostgreSQL named statements: on unless ONEZONE_DB_NAMED_STATEMENTS=off', () => {
    assert.equal(loadConfig([], {}).dbNamedStatements, true);
    assert.equal(loadConfig([], { ONEZONE_DB_NAMED_STATEMENTS: 'off' }).dbNamedStatements, false);
  });

  it('takes the master key from the environment', () => {
    const key = Buffer.alloc(32, 9).toString('base64url');
    assert.deepEqual(loadConfig([], { ONEZONE_MASTER_KEY: key }).masterKey, Buffer.alloc(32, 9));
  });
});
