import { type HttpTransport, getJson, seg, send } from './http.js';

export interface TokenInfo {
  tokenId: string;
  kind: 'access' | 'invite';
  type: string;
  target: { type: string; id: string } | null;
  usageLimit: number | 'infinity';
  usageCount: number;
  expiresAt: number | null;
  createdAt: number;
  revoked: boolean;
}

/** Extension: the caller's own access tokens and issued invites. */
export function tokensApi(http: HttpTransport) {
  return {
    list: async () => (await getJson<{ tokens: TokenInfo[] }>(http, '/user/tokens')).tokens,
    get: async (tokenId: string) => getJson<TokenInfo>(http, `/user/tokens/${seg(tokenId)}`),
    setRevoked: async (tokenId: string, revoked: boolean) => send(http, 'PATCH', `/user/tokens/${seg(tokenId)}`, { revoked }),
    remove: async (tokenId: string) => send(http, 'DELETE', `/user/tokens/${seg(tokenId)}`),
  };
}
