import { type HttpTransport, UnexpectedAnswerError, getJson, jsonOf, postCreated, seg, send, textOf, tokenOf } from './http.js';
import type { Space } from './types.js';

export interface ProviderDetails {
  clientName: string;
  providerId: string;
  urls: string[];
  redirectionPoint: string;
  latitude?: number;
  longitude?: number;
}

export interface ProviderRegistration {
  clientName: string;
  urls: string[];
  redirectionPoint: string;
  /** PEM PKCS#10 request; the zone signs its key. */
  csr: string;
  latitude?: number;
  longitude?: number;
}

export type ProviderPatch = Partial<Omit<ProviderDetails, 'providerId'>>;

/** Bytes: a number, or the digit string the 2016 clients sent. */
export type SupportSize = number | string;

export type PortStatus = 'ok' | 'error';

/** Calls a provider makes about itself (`/provider…`), authenticated by its certificate or a provider token. */
export function providerApi(http: HttpTransport) {
  return {
    /** Open: registers a provider; keep the certificate, it is the provider's credential. */
    register: async (req: ProviderRegistration) => {
      const res = await http.call('POST', '/provider', req);
      const body = jsonOf(res) as { providerId?: unknown; certificate?: unknown };
      // Registered or not, without these the provider has no credential: say so, do not return half.
      if (typeof body.providerId !== 'string' || typeof body.certificate !== 'string') throw new UnexpectedAnswerError(res.status, 'the answer lacks the provider id or its certificate');
      return body as { providerId: string; certificate: string };
    },
    get: async () => getJson<ProviderDetails>(http, '/provider'),
    modify: async (patch: ProviderPatch) => send(http, 'PATCH', '/provider', patch),
    remove: async () => send(http, 'DELETE', '/provider'),
    /** Extension: a provider token, for calls through a TLS-terminating proxy. */
    token: async () => tokenOf(await http.call('GET', '/provider/token')),
    spaces: async () => (await getJson<{ spaces: string[] }>(http, '/provider/spaces')).spaces,
    space: async (sid: string) => getJson<Space>(http, `/provider/spaces/${seg(sid)}`),
    /** Supports the space a support token names; resolves to its id. */
    support: async (token: string, size: SupportSize) => postCreated(http, '/provider/spaces/support', { token, size }),
    /** A new space for the user or group of a space-creation token, supported by this provider. */
    createSpace: async (name: string, token: string, size: SupportSize) => postCreated(http, '/provider/spaces', { name, token, size }),
    unsupport: async (sid: string) => send(http, 'DELETE', `/provider/spaces/${seg(sid)}`),
    /** Open: the caller's address as the zone sees it. */
    checkMyIp: async () => textOf(await http.call('GET', '/provider/test/check_my_ip')),
    /** Open: the zone calls these URLs (on the caller's own address) back. */
    checkMyPorts: async <T extends Record<string, string> | string[]>(urls: T) =>
      jsonOf(await http.call('POST', '/provider/test/check_my_ports', urls)) as T extends string[] ? [string, PortStatus][] : Record<string, PortStatus>,
    /** Open: the discharge macaroon of a provider-login caveat (raw token text). */
    authorizeUser: async (identifier: string) => textOf(await http.call('POST', '/user/authorize', { identifier })),
  };
}

/** Other providers, and the providers of a space (`/providers`, `/provider/{pid}`, `/spaces/{id}/providers…`). */
export function providersApi(http: HttpTransport) {
  return {
    list: async () => (await getJson<{ providers: string[] }>(http, '/providers')).providers,
    get: async (pid: string) => getJson<ProviderDetails>(http, `/provider/${seg(pid)}`),
    ofSpace: async (spaceId: string) => (await getJson<{ providers: string[] }>(http, `/spaces/${seg(spaceId)}/providers`)).providers,
    inSpace: async (spaceId: string, pid: string) => getJson<ProviderDetails>(http, `/spaces/${seg(spaceId)}/providers/${seg(pid)}`),
    /** A single-use token a provider supports the space with. */
    supportToken: async (spaceId: string) => tokenOf(await http.call('GET', `/spaces/${seg(spaceId)}/providers/token`)),
    /** Extension: the same by POST, as later Onezone versions mint it. */
    createSupportToken: async (spaceId: string) => tokenOf(await http.call('POST', `/spaces/${seg(spaceId)}/providers/token`)),
    removeFromSpace: async (spaceId: string, pid: string) => send(http, 'DELETE', `/spaces/${seg(spaceId)}/providers/${seg(pid)}`),
    /** Extension: the user's access token for logging in through a provider (needs the zone's discharge). */
    loginToken: async (providerId: string) => tokenOf(await http.call('POST', '/user/provider_login_token', { providerId })),
  };
}
