#!/usr/bin/env node
import { serve } from './cli/serve.js';

const USAGE = `Usage: onezone <command> [options]

Commands:
  serve [--data-dir DIR] [--port 8443] [--host H] [--db URL] [--http]
        Run the zone (SQLite in DIR by default; --db postgres://… for PostgreSQL).

Environment: ONEZONE_DATA_DIR, ONEZONE_PORT, ONEZONE_HOST, ONEZONE_DB, ONEZONE_HTTP,
ONEZONE_ADMIN_PASSWORD, ONEZONE_MASTER_KEY, ONEZONE_ZONE_NAME, ONEZONE_LOG_LEVEL, ONEZONE_INVITE_TTL.
`;

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'serve':
    await serve(args, process.env);
    break;
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`onezone: unknown command '${command}'\n\n${USAGE}`);
    process.exitCode = 2;
}
