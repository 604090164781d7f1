import type { Command, Context } from './command.js';
import { UsageError } from './errors.js';
import { passwordFromStdin, promptHidden } from './input.js';
import { fields } from './output.js';
import { tokenId } from '../client/index.js';
import { readSession, removeSession, saveSession } from './session.js';

async function deleteToken(ctx: Context, token: string): Promise<boolean> {
  try {
    await ctx.client().tokens.remove(tokenId(token));
    return true;
  } catch {
    return false;
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
    options: { user: { type: 'string', short: 'u' }, 'password-stdin': { type: 'boolean' } },
    arity: [0, 0],
    async run(ctx, { opts }) {
      const zone = ctx.zone();
      if (!zone) throw new UsageError('which zone? pass --zone URL or set ONEZONE_URL');
      const login = opts.user as string | undefined;
      if (!login) throw new UsageError('missing --user LOGIN');
      const secret = await password(ctx, opts['password-stdin'] === true, login, zone);
      const tls = ctx.tls(zone);
      const basic = ctx.connect({ baseUrl: zone, credentials: { basic: { login, password: secret } }, ...tls });
      const token = await basic.user.clientToken();
      const file = saveSession(ctx.env, { zone, token, ...(tls.insecure ? { insecure: true } : {}), ...(tls.ca ? { ca: tls.ca } : {}) });
      ctx.out.print({ zone, login, session: file }, () => `Logged in to ${zone} as ${login}.\n`);
    },
  },
  {
    name: 'logout',
    params: '',
    summary: 'Delete the session token on the zone and forget the saved session',
    arity: [0, 0],
    async run(ctx) {
      const session = readSession(ctx.env);
      // Best effort: a zone that is gone or a token already dead must not keep anyone logged in here.
      const revoked = session ? await deleteToken(ctx, session.token) : false;
      const removed = removeSession(ctx.env);
      ctx.out.print({ loggedOut: removed, tokenDeleted: revoked }, () => (removed ? 'Logged out.\n' : 'Not logged in.\n'));
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
    name: 'token',
    params: '',
    summary: 'Mint a new access token and print it',
    arity: [0, 0],
    async run(ctx) {
      ctx.out.value('token', await ctx.client().user.clientToken());
    },
  },
];
