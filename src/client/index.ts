/** The SDK (its Node entry; `browser.ts` is the one for browsers). */
export { OnezoneClient } from './client.js';
export {
  InvalidIdError,
  OnezoneError,
  RequestTimeoutError,
  UnexpectedAnswerError,
  type ClientOptions,
  type Credentials,
  type RawResponse,
} from './http.js';
export type * from './types.js';
export { GROUP_PRIVILEGES, SPACE_PRIVILEGES } from './types.js';
export type { OnezonePrivilege } from './privileges.js';
export type { AuditEvent, AuditPage, AuditQuery } from './audit.js';
export type { TokenInfo } from './tokens.js';
export { tokenId } from './token-id.js';
export type { PortStatus, ProviderDetails, ProviderPatch, ProviderRegistration, SupportSize } from './provider.js';
