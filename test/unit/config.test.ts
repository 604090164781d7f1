import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ConfigError, LOG_LEVELS, decodeMasterKey, loadConfig } from '../../src/config.js';

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

  it('an empty environment variable is an unset one; an empty flag is refused', () => {
    const env = { ONEZONE_DATA_DIR: '', ONEZONE_HOST: ' ', ONEZONE_ZONE_NAME: '', ONEZONE_DB: '', ONEZONE_PORT: '', ONEZONE_TRUST_PROXY: '' };
    const c = loadConfig([], env);
    assert.equal(c.dataDir, path.resolve('./onezone-data'));
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.zoneName, 'onezone');
    assert.equal(c.db.kind, 'sqlite');
    assert.equal(c.port, 8443);
    assert.equal(c.trustProxy, false);
    for (const flag of ['--data-dir', '--host', '--zone-name', '--db', '--port', '--trust-proxy', '--log-level']) {
      assert.throws(() => loadConfig([flag, ''], {}), { name: 'Error', message: `${flag} must not be empty` });
    }
    // A flag still wins over the variable, empty or not.
    assert.equal(loadConfig(['--data-dir', '/tmp/z'], env).dataDir, '/tmp/z');
  });

  it('refuses bad values with a clear message', () => {
    assert.throws(() => loadConfig(['--port', 'x'], {}), ConfigError);
    assert.throws(() => loadConfig(['--port', '70000'], {}), ConfigError);
    // Named as given: the flag, or the variable.
    assert.throws(() => loadConfig(['--port', 'x'], {}), { message: "--port must be a whole number, got 'x'" });
    assert.throws(() => loadConfig([], { ONEZONE_PORT: 'x' }), { message: "ONEZONE_PORT must be a whole number, got 'x'" });
    assert.throws(() => loadConfig([], { ONEZONE_WORKERS: '0' }), { message: 'ONEZONE_WORKERS must be between 1 and 256' });
    assert.throws(() => loadConfig(['--trust-proxy', 'proxy.example'], {}), /^Error: --trust-proxy must be a number of hops/);
    assert.throws(() => loadConfig([], { ONEZONE_DB: 'mysql://x' }), { message: 'ONEZONE_DB must be a postgres://… URL or sqlite:PATH' });
    assert.throws(() => loadConfig(['--bogus'], {}), ConfigError);
    assert.throws(() => loadConfig(['--db', 'mysql://x'], {}), /postgres/);
    // A password with a reserved character left raw: refused at start, and not repeated.
    for (const db of ['postgres://u:p#ss@h/db', 'postgres://u:pass@[h:5432/db']) {
      assert.throws(() => loadConfig(['--db', db], {}), (err: Error) => err instanceof ConfigError && /percent-encode/.test(err.message) && !/ss@/.test(err.message));
    }
    for (const db of ['postgres://u:p%23ss@h/db', 'postgres://u@/db?host=/run/postgresql', 'postgresql://h/db', 'postgres://u:p ss@h/db']) {
      assert.equal(loadConfig(['--db', db], {}).db.kind, 'postgres', db);
    }
    assert.throws(() => loadConfig([], { ONEZONE_MASTER_KEY: 'short' }), /32 bytes/);
    assert.throws(() => loadConfig([], { ONEZONE_PASSWORD_COST: '5' }), ConfigError);
    // Above 16 a hash needs 128 MiB and more: refused at start rather than at the first password.
    assert.throws(() => loadConfig([], { ONEZONE_PASSWORD_COST: '17' }), /ONEZONE_PASSWORD_COST/);
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

  it('the master key is strict base64url of at least 32 bytes (environment and master.key alike)', () => {
    const key = randomBytes(32);
    assert.deepEqual(decodeMasterKey(key.toString('base64url')), key);
    assert.deepEqual(decodeMasterKey(`${key.toString('base64url')}=`), key, 'padding is allowed');
    assert.deepEqual(decodeMasterKey(randomBytes(64).toString('base64url'))?.length, 64);
    const bad = {
      empty: '',
      short: randomBytes(31).toString('base64url'),
      'a stray character': `${key.toString('base64url')}!`,
      'a space inside': `${key.toString('base64url').slice(0, 20)} ${key.toString('base64url').slice(20)}`,
      'standard base64': Buffer.alloc(32, 0xfb).toString('base64'),
      'a dangling character': `${key.toString('base64url')}AB`.slice(0, 45),
    };
    for (const [what, text] of Object.entries(bad)) assert.equal(decodeMasterKey(text), undefined, what);
    assert.throws(() => loadConfig([], { ONEZONE_MASTER_KEY: bad['a stray character'] }), /ONEZONE_MASTER_KEY must be at least 32 bytes, base64url-encoded/);
  });

  it('log level: one of the level names of pino, else refused naming them', () => {
    assert.deepEqual([...LOG_LEVELS].sort(), [...Object.keys(pino.levels.values), 'silent'].sort());
    assert.equal(loadConfig([], {}).logLevel, 'info');
    for (const level of LOG_LEVELS) assert.equal(loadConfig(['--log-level', level], {}).logLevel, level);
    for (const bad of ['verbose', 'INFO', 'warning']) {
      assert.throws(
        () => loadConfig([], { ONEZONE_LOG_LEVEL: bad }),
        (err) => err instanceof ConfigError && err.message === `ONEZONE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got '${bad}'`,
      );
    }
  });

  it('PostgreSQL timeouts: 5 s to connect, 30 s per query, both settable', () => {
    const c = loadConfig([], {});
    assert.equal(c.dbConnectTimeoutMs, 5000);
    assert.equal(c.dbQueryTimeoutMs, 30_000);
    const set = loadConfig([], { ONEZONE_DB_CONNECT_TIMEOUT_MS: '1500', ONEZONE_DB_QUERY_TIMEOUT_MS: '120000' });
    assert.equal(set.dbConnectTimeoutMs, 1500);
    assert.equal(set.dbQueryTimeoutMs, 120_000);
    assert.throws(() => loadConfig([], { ONEZONE_DB_QUERY_TIMEOUT_MS: '0' }), ConfigError);
  });
});
