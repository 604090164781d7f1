import { parseArgs } from 'node:util';
import { InvalidIdError, OnezoneError, RequestTimeoutError } from '../client/index.js';
import { accountCommands } from './account.js';
import { adminCommands } from './admin.js';
import { type Command, GLOBAL_OPTIONS, type Invocation, createContext, usageOf, withoutUserInfo } from './command.js';
import { CliError, UsageError } from './errors.js';
import { groupCommands } from './groups.js';
import { Output, printable } from './output.js';
import { spaceCommands } from './spaces.js';
import { userCommands } from './users.js';

const COMMANDS = new Map<string, Command>([...accountCommands, ...spaceCommands, ...groupCommands, ...userCommands, ...adminCommands].map((c) => [c.name, c]));

/**
 * Runs one client command (`argv`: its words and arguments, with the options every command takes
 * anywhere among them) and returns the exit code: 0, 1 when the zone refused or could not be
 * reached, 2 for a command line that makes no sense.
 */
export async function runClient(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { command, first, rest } = select(argv);
  if (!command) {
    process.stderr.write(`onezone: ${first === undefined ? 'no command' : `unknown command '${first}'`}; 'onezone --help' lists them\n`);
    return 2;
  }
  let inv: Invocation;
  try {
    inv = parse(command, rest);
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
 * The command that the words of `argv` name (`spaces`, `spaces show`) and the arguments left. The
 * options every command takes may come before its words or between them (`onezone --json spaces`,
 * `onezone spaces --zone URL show ID`); any other option ends the command's words.
 */
function select(argv: readonly string[]): { command: Command | undefined; first: string | undefined; rest: string[] } {
  const words: number[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '-' || !a.startsWith('-')) {
      words.push(i);
      continue;
    }
    const option = globalOption(a);
    if (option === undefined) break;
    if (GLOBAL_OPTIONS[option].type === 'string' && !a.includes('=')) i++;
  }
  const [first, second] = words.map((i) => argv[i]!);
  const sub = second === undefined ? undefined : COMMANDS.get(`${first} ${second}`);
  const command = sub ?? (first === undefined ? undefined : COMMANDS.get(first));
  const taken = new Set(words.slice(0, sub ? 2 : 1));
  return { command, first, rest: argv.filter((_, i) => !taken.has(i)) };
}

/** The name of the global option `arg` is (`--zone`, `--zone=URL`, `-h`), else undefined. */
function globalOption(arg: string): keyof typeof GLOBAL_OPTIONS | undefined {
  const name = arg === '-h' ? 'help' : arg.startsWith('--') ? arg.slice(2).split('=', 1)[0]! : undefined;
  return name !== undefined && Object.hasOwn(GLOBAL_OPTIONS, name) ? (name as keyof typeof GLOBAL_OPTIONS) : undefined;
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

/**
 * What a zone URL with the wrong scheme fails with: an `https://` URL for a plain-HTTP port gets
 * an answer that is no TLS record (OpenSSL's "wrong version number"); an `http://` URL for a TLS
 * port gets its connection closed unanswered.
 */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);
const CLOSED = 'UND_ERR_SOCKET';

/**
 * One line on stderr; the exit code. Never the request's credentials: only the zone's answer or
 * the error's own text, made `printable` (OpenSSL's ends with a line break; a zone's or a
 * proxy's could hold anything).
 */
function fail(err: unknown, command: Command, zone?: string): number {
  const say = (line: string) => process.stderr.write(`onezone: ${printable(line.trim())}\n`);
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
  const scheme = zone && /^(https?):/i.exec(zone)?.[1]?.toLowerCase();
  const hint =
    code && UNTRUSTED.has(code)
      ? ' (trust it with --ca FILE, or skip the check with --insecure)'
      : err instanceof RequestTimeoutError
        ? ' (wait longer with --timeout SECONDS)'
        : code && NOT_TLS.has(code) && scheme === 'https'
          ? ' (is the scheme wrong? the zone may serve plain http://, not https://)'
          : code === CLOSED && scheme === 'http'
            ? ' (is the scheme wrong? the zone may serve https://, not http://)'
            : '';
  say(`${zone ? `cannot talk to ${withoutUserInfo(zone)}: ` : ''}${(err as Error).message.trim()}${hint}`);
  return 1;
}

const seconds = (n: number) => `${n} second${n === 1 ? '' : 's'}`;
