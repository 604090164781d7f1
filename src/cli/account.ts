import { OnezoneError } from '../client/index.js';
import type { Command, Context } from './command.js';
import { CliError, UsageError } from './errors.js';
import { passwordFromStdin, promptHidden, readStdin } from './input.js';
import { fields } from './output.js';
import { DamagedSessionError, type Session, removeSession, saveSession } from './session.js';

/**
 * Signs the session's token out at the zone it came from (`DELETE /user/client_token`), whatever
 * `--zone` says. `dead`: the zone refused the token, which already works for nobody; `failed`: why
 * the zone could not revoke it (unreachable, or an error), in words that never include the token.
 */
async function revokeToken(ctx: Context, session: Session): Promise<'revoked' | 'dead' | { failed: string }> {
  try {
    await ctx.connect({ baseUrl: session.zone, credentials: { token: session.token }, ...ctx.tls(session.zone) }).user.signOut();
    return 'revoked';
  } catch (err) {
    if (err instanceof OnezoneError && err.status === 401) return 'dead';
    return { failed: err instanceof OnezoneError ? `${err.description || err.code} (${err.status} ${err.code})` : (err as Error).message };
  }
}

/** The password: piped with `--password-stdin`, else `ONEZONE_PASSWORD`, else asked on the terminal. Never a flag. */
async function password(ctx: Context, fromStdin: boolean, login: string, zone: string): Promise<string> {
  if (fromStdin) return passwordFromStdin();
  if (ctx.env.ONEZONE_PASSWORD !== undefined) return ctx.env.ONEZONE_PASSWORD;
  if (process.stdin.isTTY) return promptHidden(`Password for ${login} at ${zone}: `);
  throw new UsageError('no password: pipe it with --password-stdin or set ONEZONE_PASSWORD');
}

export const accountCommands: Command[] = [
  {
    name: 'login',
    params: '--user LOGIN [--password-stdin]',
    summary: 'Log in and save an access token in the session file',
    details: '-u LOGIN is short for --user LOGIN.',
    options: { user: { type: 'string', short: 'u' }, 'password-stdin': { type: 'boolean' } },
    arity: [0, 0],
    async run(ctx, { opts }) {
      const zone = ctx.zone();
      if (!zone) throw new UsageError('which zone? pass --zone URL or set ONEZONE_URL');
      const login = opts.user as string | undefined;
      if (!login) throw new UsageError('missing --user LOGIN');
      const secret = await password(ctx, opts['password-stdin'] === true, login, zone);
      // From the flags only: a session saved with --insecure must not make every later login skip the check.
      const tls = ctx.tls(zone, false);
      const previous = ctx.saved();
      const basic = ctx.connect({ baseUrl: zone, credentials: { basic: { login, password: secret } }, ...tls });
      const token = await basic.user.clientToken();
      const session = { zone, token, ...(tls.insecure ? { insecure: true } : {}), ...(tls.ca ? { ca: tls.ca } : {}) };
      let file: string;
      try {
        file = saveSession(ctx.env, session);
      } catch (err) {
        // Nobody holds the new token now: it must not stay valid for a year.
        await revokeToken(ctx, session);
        throw err;
      }
      // The replaced token is no one's any more either; a zone that cannot revoke it is no reason to fail.
      if (previous?.zone === zone && previous.token !== token) await revokeToken(ctx, previous);
      ctx.out.print({ zone, login, session: file }, () => `Logged in to ${zone} as ${login}.\n`);
    },
  },
  {
    name: 'logout',
    params: '',
    summary: 'Revoke the session token on the zone and forget the saved session',
    arity: [0, 0],
    async run(ctx) {
      let session: Session | undefined;
      try {
        session = ctx.session();
      } catch (err) {
        // A damaged file holds no token to revoke; it goes all the same.
        if (!(err instanceof DamagedSessionError)) throw err;
      }
      // The session is forgotten whatever the zone answers: a zone out of reach must not keep
      // anyone logged in here. Only a token that may still work is worth a warning.
      const outcome = session ? await revokeToken(ctx, session) : undefined;
      const removed = removeSession(ctx.env);
      if (session && typeof outcome === 'object') {
        process.stderr.write(
          `onezone: the token could not be revoked at ${session.zone}: ${outcome.failed}; it stays valid until it expires, ` +
            `unless revoked on the web UI's My tokens page\n`,
        );
      }
      ctx.out.print({ loggedOut: removed, tokenRevoked: outcome === 'revoked' }, () => (removed ? 'Logged out.\n' : 'Not logged in.\n'));
    },
  },
  {
    name: 'whoami',
    params: '',
    summary: 'Show the logged-in user',
    arity: [0, 0],
    async run(ctx) {
      const client = ctx.client();
      const me = await client.user.get();
      const zone = ctx.zone()!;
      ctx.out.print({ zone, ...me }, () =>
        fields([
          ['Login', me.login],
          ['Name', me.name],
          ['User ID', me.userId],
          ['Zone', zone],
        ]),
      );
    },
  },
  {
    name: 'password',
    params: '[--passwords-stdin]',
    summary: "Change the logged-in user's password (the current one is required)",
    options: { 'passwords-stdin': { type: 'boolean' } },
    arity: [0, 0],
    async run(ctx, { opts }) {
      const client = ctx.client();
      let current: string;
      let next: string;
      if (opts['passwords-stdin'] === true) {
        // Two lines: the current password, then the new one (passwords may hold spaces).
        const lines = (await readStdin()).split(/\r?\n/);
        if (lines.length < 2 || !lines[0] || !lines[1]) throw new UsageError('--passwords-stdin reads two lines: the current password, then the new one');
        [current, next] = [lines[0], lines[1]];
      } else if (ctx.env.ONEZONE_PASSWORD !== undefined && ctx.env.ONEZONE_NEW_PASSWORD !== undefined) {
        [current, next] = [ctx.env.ONEZONE_PASSWORD, ctx.env.ONEZONE_NEW_PASSWORD];
      } else if (process.stdin.isTTY) {
        current = await promptHidden('Current password: ');
        next = await promptHidden('New password: ');
        if ((await promptHidden('New password again: ')) !== next) throw new CliError('the new passwords differ; nothing was changed');
      } else {
        throw new UsageError('no passwords: pipe them with --passwords-stdin or set ONEZONE_PASSWORD and ONEZONE_NEW_PASSWORD');
      }
      await client.user.changePassword(current, next);
      ctx.out.print({ passwordChanged: true }, () => 'Password changed. Access tokens already minted stay valid.\n');
    },
  },
  {
    name: 'token',
    params: '',
    summary: 'Mint a new access token and print it',
    arity: [0, 0],
    async run(ctx) {
      ctx.out.value('token', await ctx.client().user.clientToken());
    },
  },
];
