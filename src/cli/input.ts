import { CliError } from './errors.js';

/** All of standard input, as text. */
export async function readStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** A password piped in: everything up to the final line break (passwords may hold spaces). */
export async function passwordFromStdin(): Promise<string> {
  return (await readStdin()).replace(/\r?\n$/, '');
}

/** A token piped in (`spaces join -`): the first non-blank line, without surrounding spaces. */
export async function tokenFromStdin(): Promise<string> {
  const token = (await readStdin()).split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0);
  if (!token) throw new CliError('no token on standard input');
  return token;
}

/** Asks on the terminal with echo off: raw mode, so nothing typed is shown. Ctrl-C aborts. */
export function promptHidden(prompt: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new CliError('interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
