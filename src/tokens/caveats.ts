/**
 * The first-party caveats we mint and understand, in their RC2 string forms.
 * Anything else in a token makes it invalid: holders may narrow a token only with these.
 */
export const tokenTypeCaveat = (type: string): string => `tokenType = ${type}`;
export const timeCaveat = (notAfter: number): string => `time < ${notAfter}`;

export type ParsedCaveat = { kind: 'tokenType'; type: string } | { kind: 'time'; notAfter: number };

const TOKEN_TYPE = /^tokenType = ([a-z_]{1,64})$/;
const TIME = /^time < (\d{1,15})$/;

export function parseCaveat(predicate: string): ParsedCaveat | undefined {
  let m = TOKEN_TYPE.exec(predicate);
  if (m) return { kind: 'tokenType', type: m[1]! };
  m = TIME.exec(predicate);
  if (m) return { kind: 'time', notAfter: Number(m[1]) };
  return undefined;
}
