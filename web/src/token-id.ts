/**
 * The id of an access token (its macaroon identifier, as `/user/tokens` names it), read in the
 * browser: the SDK's `tokenId` needs Node's crypto. Only the first two V1 packets are read
 * (`location`, then `identifier`); the signature is the zone's business. Null when the text is not
 * such a token: the id only marks "this session" in a list.
 */
export function accessTokenId(token: string): string | null {
  const text = token.trim();
  // Onedata's base62 escaping of base64url first, like the zone (ctool `token_utils:deserialize`).
  const unescaped = unescapeBase62(text);
  for (const candidate of unescaped !== null && unescaped !== text ? [unescaped, text] : [text]) {
    const bytes = decodeBase64(candidate);
    const id = bytes && identifierOf(bytes);
    if (id) return id;
  }
  return null;
}

const BASE62_UNESCAPES: Record<string, string> = { '0': '0', '1': '_', '2': '-', '3': '/', '4': '+', '5': '=' };

function unescapeBase62(text: string): string | null {
  let escaped = true;
  const out = text.replace(/0(.?)/g, (_all, next: string) => {
    const unescaped = BASE62_UNESCAPES[next];
    if (unescaped === undefined) escaped = false;
    return unescaped ?? '';
  });
  return escaped ? out : null;
}

function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const plain = text.replace(/=+$/, '').replaceAll('-', '+').replaceAll('_', '/');
  if (plain.length % 4 === 1) return null;
  const binary = atob(plain.padEnd(Math.ceil(plain.length / 4) * 4, '='));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** A V1 packet at `offset`: `<4 lowercase hex digits of its length><key> <value>\n`. */
function packetAt(bytes: Uint8Array, offset: number): { key: string; value: Uint8Array; next: number } | null {
  const head = latin1(bytes.subarray(offset, offset + 4));
  if (!/^[0-9a-f]{4}$/.test(head)) return null;
  const next = offset + parseInt(head, 16);
  if (next < offset + 6 || next > bytes.length || bytes[next - 1] !== 0x0a) return null;
  const body = bytes.subarray(offset + 4, next - 1);
  const space = body.indexOf(0x20);
  return space === -1 ? null : { key: latin1(body.subarray(0, space)), value: body.subarray(space + 1), next };
}

function identifierOf(bytes: Uint8Array): string | null {
  const location = packetAt(bytes, 0);
  const identifier = location?.key === 'location' ? packetAt(bytes, location.next) : null;
  if (identifier?.key !== 'identifier') return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(identifier.value);
  } catch {
    return null;
  }
}
