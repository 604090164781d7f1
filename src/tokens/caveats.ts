/**
 * The first-party caveats we mint and understand, in their RC2 string forms.
 * Anything else in a token makes it invalid: holders may narrow a token only with these.
 */
export const tokenTypeCaveat = (type: string): string => `tokenType = ${type}`;
export const timeCaveat = (notAfter: number): string => `time < ${notAfter}`;

export type ParsedCaveat =
  | { kind: 'tokenType'; type: string }
  | { kind: 'time'; notAfter: number }
  // The 2016 verifier's request caveats, which a holder may add to an access token: the HTTP
  // method, and the first segment of the path under the API root (`user`, `spaces`, …).
  | { kind: 'method'; method: string }
  | { kind: 'rootResource'; roots: string[] };

const TOKEN_TYPE = /^tokenType = ([a-z_]{1,64})$/;
const TIME = /^time < (\d{1,15})$/;
const METHOD = /^method = ([A-Z]{1,16})$/;
const ROOT_RESOURCE = /^rootResource in ([a-z_]{1,64}(?: *, *[a-z_]{1,64}){0,31})$/;

export function parseCaveat(predicate: string): ParsedCaveat | undefined {
  let m = TOKEN_TYPE.exec(predicate);
  if (m) return { kind: 'tokenType', type: m[1]! };
  m = TIME.exec(predicate);
  if (m) return { kind: 'time', notAfter: Number(m[1]) };
  m = METHOD.exec(predicate);
  if (m) return { kind: 'method', method: m[1]! };
  m = ROOT_RESOURCE.exec(predicate);
  if (m) return { kind: 'rootResource', roots: m[1]!.split(',').map((r) => r.trim()) };
  return undefined;
}
