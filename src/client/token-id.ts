import { parse } from '../tokens/macaroon.js';

/**
 * The id of a token (its macaroon identifier), as `/user/tokens/{id}` names it. Apart from the
 * rest of the SDK because the macaroon codec needs Node's crypto (the browser entry leaves it out).
 */
export const tokenId = (token: string): string => parse(token).identifier;
