import { parseArgs } from 'node:util';
import { InvalidIdError, OnezoneError, RequestTimeoutError } from '../client/index.js';
import { accountCommands } from './account.js';
import { adminCommands } from './admin.js';
import { type Command, GLOBAL_OPTIONS, type Invocation, createContext, usageOf } from './command.js';
import { CliError, UsageError } from './errors.js';
import { groupCommands } from './groups.js';
import { Output } from './output.js';
import { spaceCommands } from './spaces.js';
import { userCommands } from './users.js';

const COMMANDS = new Map<string, Command>([...accountCommands, ...spaceCommands, ...groupCommands, ...userCommands, ...adminCommands].map((c) => [c.name, c]));

/**
 * Runs one client command (`argv` starts with its name) and returns the exit code: 0, 1 when
 * the zone refused or could not be reached, 2 for a command line that makes no sense.
 */
export async function runClient(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const sub = COMMANDS.get(`${argv[0]} ${argv[1]}`);
  const command = sub ?? COMMANDS.get(argv[0]!)!;
  let inv: Invocation;
  try {
    inv = parse(command, argv.slice(sub ? 2 : 1));
  } catch (err) {
    return fail(err, command);
  }
  if (inv.opts.help) {
    process.stdout.write(help(command));
    return 0;
  }
  const out = new Output(inv.opts.json === true);
  let ctx: ReturnType<typeof createContext> | undefined;
  try {
    const { zone, ca, timeout } = inv.opts as Record<string, string | undefined>;
    ctx = createContext(env, { zone, insecure: inv.opts.insecure === true, ca, timeout }, out);
    await command.run(ctx, inv);
    return 0;
  } catch (err) {
    return fail(err, command, ctx?.flags.zone ?? env.ONEZONE_URL ?? ctx?.saved()?.zone);
  } finally {
    await ctx?.close();
  }
}

/**
 * Ids are base64url and about one in 64 starts with '-', which parseArgs would take for an
 * option: a dash-led base64url word longer than any option name is an argument.
 */
const ID_LIKE = /^--?[A-Za-z0-9_-]{20,}$/;

function parse(command: Command, args: readonly string[]): Invocation {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  const held: string[] = [];
  const masked = args.map((a) => (ID_LIKE.test(a) ? `\0${held.push(a) - 1}` : a));
  let parsed;
  try {
    parsed = parseArgs({ args: masked, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs explains at length how to pass a dash-led argument; the first sentence is the point.
    throw new UsageError((err as Error).message.split(/\.\s/)[0]!);
  }
  const unmask = (v: string) => (v.startsWith('\0') ? held[Number(v.slice(1))]! : v);
  const positionals = parsed.positionals.map(unmask);
  const opts = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, typeof v === 'string' ? unmask(v) : v])) as Invocation['opts'];
  if (!opts.help) {
    const [min, max] = command.arity;
    if (positionals.length > max) {
      const hasSubcommands = [...COMMANDS.keys()].some((n) => n.startsWith(`${command.name} `));
      throw new UsageError(
        hasSubcommands && max === 0 ? `unknown command '${command.name} ${positionals[0]}'` : `unexpected argument '${positionals[max]}'`,
      );
    }
    if (positionals.length < min) throw new UsageError(`missing ${command.params.split(' ')[positionals.length]}`);
  }
  return { args: positionals, opts };
}

function help(command: Command): string {
  const subs = [...COMMANDS.values()].filter((c) => c.name.startsWith(`${command.name} `));
  const lines = [usageOf(command), '', command.summary];
  if (command.details) lines.push('', command.details);
  if (subs.length > 0) lines.push('', 'Commands:', ...subs.map((c) => `  onezone ${c.name} ${c.params}\n      ${c.summary}`));
  return `${lines.join('\n')}\n`;
}

/** TLS failures that `--ca FILE` or `--insecure` fix. */
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** One line on stderr; the exit code. Never the request's credentials: only the zone's answer or the error's own text. */
function fail(err: unknown, command: Command, zone?: string): number {
  const say = (line: string) => process.stderr.write(`onezone: ${line}\n`);
  // An id the SDK refuses (`..`, `a/b`) is a mistake in the command line: nothing was sent.
  if (err instanceof UsageError || err instanceof InvalidIdError) {
    say(err.message);
    process.stderr.write(`${usageOf(command)}\n`);
    return 2;
  }
  if (err instanceof OnezoneError) {
    const wait = err.retryAfter === undefined ? '' : `; try again in ${seconds(err.retryAfter)}`;
    say(`${err.description || err.code} (${err.status} ${err.code})${wait}`);
    return 1;
  }
  if (err instanceof CliError) {
    say(err.message);
    return 1;
  }
  const code = (err as NodeJS.ErrnoException).code;
  const hint =
    code && UNTRUSTED.has(code)
      ? ' (trust it with --ca FILE, or skip the check with --insecure)'
      : err instanceof RequestTimeoutError
        ? ' (wait longer with --timeout SECONDS)'
        : '';
  say(`${zone ? `cannot talk to ${zone}: ` : ''}${(err as Error).message}${hint}`);
  return 1;
}

const seconds = (n: number) => `${n} second${n === 1 ? '' : 's'}`;
