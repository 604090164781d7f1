import type { InviteOptions } from '../client/index.js';
import type { Invocation } from './command.js';
import { UsageError } from './errors.js';
import { tokenFromStdin } from './input.js';

/** The flags of `spaces invite` and `groups invite`. */
export const INVITE_OPTIONS = { uses: { type: 'string' }, ttl: { type: 'string' } } as const;
export const INVITE_PARAMS = 'ID [--uses N|unlimited] [--ttl SECONDS]';

/** `--uses N|unlimited` and `--ttl SECONDS`; undefined when neither is given (the zone's defaults apply). */
export function inviteOptions(opts: Invocation['opts']): Pick<InviteOptions, 'usageLimit' | 'ttl'> | undefined {
  const uses = opts.uses as string | undefined;
  const ttl = opts.ttl as string | undefined;
  if (uses === undefined && ttl === undefined) return undefined;
  const count = (flag: string, text: string) => {
    if (!/^[1-9]\d{0,9}$/.test(text)) throw new UsageError(`${flag} must be a positive whole number${flag === '--uses' ? " or 'unlimited'" : ''}`);
    return Number(text);
  };
  return {
    ...(uses === undefined ? {} : { usageLimit: uses === 'unlimited' ? 'infinity' : count('--uses', uses) }),
    ...(ttl === undefined ? {} : { ttl: count('--ttl', ttl) }),
  };
}

/** `TOKEN`, or `-` for a token piped on standard input (keeps it out of shell history and `ps`). */
export function tokenArgument(text: string): Promise<string> | string {
  return text === '-' ? tokenFromStdin() : text;
}
