/** A mistake in the command line: one line on stderr, the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure that is not the zone's answer (no session, unreadable file, …): one line, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}
