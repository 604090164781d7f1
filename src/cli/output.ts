import type { UserDetails } from '../client/index.js';

/**
 * How results are shown: `--json` prints one JSON document for scripts; otherwise plain text
 * (aligned columns, no colours, so that it reads the same on a terminal and in a pipe).
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {}

  /** `data` as JSON under `--json`, else the text `human()` renders. */
  print(data: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : human());
  }

  /** A value alone on its line (an id, a token), or `{key: value}` under `--json`. */
  value(key: string, value: string): void {
    this.print({ [key]: value }, () => `${value}\n`);
  }
}

/**
 * Text from the zone as a terminal should show it: control characters (C0, DEL, C1), line and
 * paragraph separators and bidirectional overrides become visible `\u` escapes. Names are
 * anyone's to choose: one holding an escape sequence or a newline could clear the screen, set the
 * title or forge a row of a table (another member's id, say). `--json` escapes them already.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Aligned columns with a header line; the last column is not padded. Cells are made `printable`. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows.map((r) => r.map(printable))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}

/** `Label:  value` lines, aligned; values are made `printable`. */
export function fields(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${printable(v)}\n`).join('');
}

export const memberTable = (members: readonly UserDetails[]): string =>
  table(
    ['USER ID', 'LOGIN', 'NAME'],
    members.map((m) => [m.userId, m.login, m.name]),
  );
