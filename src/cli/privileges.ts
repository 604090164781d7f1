import { GROUP_PRIVILEGES, ONEZONE_PRIVILEGES, SPACE_PRIVILEGES } from '../client/index.js';
import type { Invocation } from './command.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';

/** The privilege names of each kind, as the SDK (and the zone) know them, in the zone's order. */
const NAMES = { space: SPACE_PRIVILEGES, group: GROUP_PRIVILEGES, Onezone: ONEZONE_PRIVILEGES } as const;

type Kind = keyof typeof NAMES;
type NameOf<K extends Kind> = (typeof NAMES)[K][number];

/**
 * `set-…privileges` commands take the new list as one comma-separated argument, or `--none`: an
 * empty list must be asked for, not be what a forgotten argument or a stray comma leaves.
 */
export const SET_PARAMS = 'PRIVILEGES|--none';
export const SET_OPTIONS = { none: { type: 'boolean' } } as const;

/** The `--help` text of a `set-…privileges` command: the names it takes, a few to a line. */
export function setDetails(kind: Kind): string {
  const lines = [`The ${kind} privileges:`];
  for (const name of NAMES[kind]) {
    if (lines.at(-1)!.length + name.length > 96) lines.push(' ');
    lines[lines.length - 1] += ` ${name}`;
  }
  return `${lines.join('\n')}\nPRIVILEGES lists some of them, separated by commas; --none sets an empty list.`;
}

/**
 * The list a `set-…privileges` command sends: argument `at`, or none with `--none`. Every name is
 * checked before anything is sent; the result is in the zone's order, without repeats.
 */
export function privilegeList<K extends Kind>(kind: K, { args, opts }: Invocation, at: number): NameOf<K>[] {
  const valid: readonly string[] = NAMES[kind];
  const text = args[at];
  if (opts.none === true) {
    if (text !== undefined) throw new UsageError(`give PRIVILEGES or --none, not both`);
    return [];
  }
  if (text === undefined) throw new UsageError('missing PRIVILEGES: a comma-separated list, or --none to remove them all');
  const names = text.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new UsageError(`an empty name in the privilege list '${text}' (to remove them all, pass --none)`);
  const unknown = names.filter((n) => !valid.includes(n));
  if (unknown.length > 0) {
    const plural = unknown.length > 1 ? 's' : '';
    throw new UsageError(`unknown ${kind} privilege${plural} ${unknown.map((n) => `'${n}'`).join(', ')}; the ${kind} privileges are: ${valid.join(', ')}`);
  }
  return valid.filter((n) => names.includes(n)) as NameOf<K>[];
}

/** One name a line ("No privileges." when there are none); under `--json`, `ids` with `privileges`. */
export function showPrivileges(out: Output, ids: Record<string, string | boolean>, privileges: readonly string[]): void {
  out.print({ ...ids, privileges }, () => (privileges.length === 0 ? 'No privileges.\n' : privileges.map((p) => `${p}\n`).join('')));
}

/** What a `set-…privileges` command reports: `whose` is e.g. `user U in space S`. */
export function privilegesSet(out: Output, ids: Record<string, string>, privileges: readonly string[], whose: string): void {
  out.print({ ...ids, privileges }, () => `Privileges of ${whose}: ${privileges.length === 0 ? 'none' : privileges.join(', ')}.\n`);
}
