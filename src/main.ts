#!/usr/bin/env node
const USAGE = `Usage: onezone <command> [options]

Run a zone:
  serve [--data-dir DIR] [--port 8443] [--host H] [--db URL] [--http] [--workers N] …
        Run the zone (SQLite in DIR by default; --db postgres://… for PostgreSQL);
        'onezone serve --help' lists every option with its environment variable.

Use a zone (every command also takes --zone URL, --json, --insecure or --ca FILE, --timeout SECONDS):
  login --zone URL --user LOGIN [--password-stdin]
                                 Log in; the token is saved in the session file
  logout                         Revoke the session's token on the zone and forget the session
  whoami                         Show the logged-in user
  password [--passwords-stdin]   Change your password (the current one, then the new one)
  token                          Mint a new access token and print it
  spaces                         List your spaces (* marks the default)
  spaces create NAME             Create a space; prints its id
  spaces show ID                 Show a space
  spaces join TOKEN|-            Join a space with an invite token ('-': from stdin)
  spaces leave ID                Leave a space
  spaces default [ID]            Show or set the default space
  spaces invite ID [--uses N|unlimited] [--ttl SECONDS]
                                 Mint an invite token and print only the token
  spaces members ID              List the users of a space
  spaces privileges SPACE_ID USER_ID [--effective]
  spaces set-privileges SPACE_ID USER_ID PRIVILEGES|--none
                                 Show or replace a user's privileges in a space
  spaces group-privileges SPACE_ID GROUP_ID
  spaces set-group-privileges SPACE_ID GROUP_ID PRIVILEGES|--none
                                 Show or replace a group's privileges in a space
  groups                         List your groups
  groups create NAME [--type organization|unit|team|role]
                                 Create a group (type role by default); prints its id
  groups show ID | join TOKEN|- | leave ID | invite ID [--uses N] [--ttl S]
  groups members ID [--effective]
                                 List the users of a group
  groups privileges GROUP_ID USER_ID [--effective]
  groups set-privileges GROUP_ID USER_ID PRIVILEGES|--none
                                 Show or replace a user's privileges in a group
  groups nested-privileges GROUP_ID NESTED_GROUP_ID
  groups set-nested-privileges GROUP_ID NESTED_GROUP_ID PRIVILEGES|--none
                                 Show or replace a nested group's privileges in its parent
  groups zone-privileges GROUP_ID | set-zone-privileges GROUP_ID PRIVILEGES|--none
                                 Show or replace a group's Onezone privileges (zone administrators)
  users show USER_ID             Show any user account (zone administrators)
  users zone-privileges USER_ID | set-zone-privileges USER_ID PRIVILEGES|--none
                                 Show or replace a user's Onezone privileges (zone administrators)
  audit [--actor-id ID] [--target-type TYPE] [--target-id ID] [--after ID] [--limit N] [--all]
                                 Show the audit trail (zone administrators)
  metrics                        Print the zone's Prometheus metrics (zone administrators)
  <command> --help               The usage of one command

PRIVILEGES: comma-separated names (a set-… command's --help lists them); --none for no privileges.

Environment: ONEZONE_DATA_DIR, ONEZONE_PORT, ONEZONE_HOST, ONEZONE_DB, ONEZONE_HTTP=true,
ONEZONE_ADMIN_PASSWORD, ONEZONE_MASTER_KEY and more (serve: 'onezone serve --help', docs/deploy.md);
ONEZONE_URL, ONEZONE_PASSWORD, ONEZONE_NEW_PASSWORD, ONEZONE_SESSION, ONEZONE_TIMEOUT (client
commands; the session file is $XDG_CONFIG_HOME/onezone/session.json, by default
~/.config/onezone/session.json).
`;

/** The client commands; they load only the SDK, never the server, so that they start fast. */
const CLIENT_COMMANDS = new Set(['login', 'logout', 'whoami', 'password', 'token', 'spaces', 'groups', 'users', 'audit', 'metrics']);

/**
 * A reader that went away (`onezone metrics | head -1`) wants no more: stop quietly with 0, as
 * most command-line tools do, rather than 141 or a stack trace. Any other failure to write
 * (`> /dev/full`) means the output is lost: one line on stderr, exit 1. The zone (`serve`) keeps
 * its default: a closed stdout must not silently stop a server.
 */
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`onezone: cannot write the output: ${err.message}\n`);
  process.exit(1);
}

const [command, ...args] = process.argv.slice(2);
if (command !== 'serve') process.stdout.on('error', onStdoutError);
switch (command) {
  case 'serve': {
    const { serve } = await import('./cli/serve.js');
    await serve(args, process.env);
    break;
  }
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(USAGE);
    break;
  default:
    // An option every client command takes may come before the command (`onezone --json spaces`).
    if (CLIENT_COMMANDS.has(command) || command.startsWith('--')) {
      const { runClient } = await import('./cli/client.js');
      process.exitCode = await runClient(process.argv.slice(2), process.env);
    } else {
      process.stderr.write(`onezone: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
    }
}
