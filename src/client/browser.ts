/**
 * The SDK's entry for browsers (the web UI bundles it): everything `index.ts` exports except
 * `tokenId`, whose macaroon codec needs Node's crypto. Give the client the browser's `fetch`.
 */
export { OnezoneClient } from './client.js';
export {
  InvalidIdError,
  isId,
  OnezoneError,
  RequestTimeoutError,
  UnexpectedAnswerError,
  type ClientOptions,
  type Credentials,
  type RawResponse,
} from './http.js';
export type * from './types.js';
export { GROUP_PRIVILEGES, SPACE_PRIVILEGES } from './types.js';
export { ONEZONE_PRIVILEGES, type OnezonePrivilege } from './privileges.js';
export type { AuditEvent, AuditPage, AuditQuery } from './audit.js';
export type { TokenInfo } from './tokens.js';
export type { ProviderDetails } from './provider.js';
