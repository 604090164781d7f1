/** The SDK (its Node entry; `browser.ts` is the one for browsers). */
// Everything the browser entry has, and `tokenId` (its macaroon codec needs Node's crypto).
export * from './browser.js';
export { tokenId } from './token-id.js';
export type { PortStatus, ProviderPatch, ProviderRegistration, SupportSize } from './provider.js';
