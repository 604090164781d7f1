import { Type } from 'typebox';
import { Id } from './schemas.js';

/** Request and response schemas of the provider routes (`/provider…`, `/providers`, `/spaces/{id}/providers…`). */

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Latitude = Type.Number({ minimum: -90, maximum: 90 });
const Longitude = Type.Number({ minimum: -180, maximum: 180 });

export const ProviderRegistration = Type.Object({
  clientName: Type.String({ minLength: 1, maxLength: 256 }),
  urls: Type.Array(Url, { maxItems: 32 }),
  redirectionPoint: Url,
  csr: Type.String({ minLength: 1, maxLength: 16 * 1024 }),
  latitude: Type.Optional(Latitude),
  longitude: Type.Optional(Longitude),
});

/** RC2 names the fields `id`/`cert`; the 2016 server and its clients use these (docs/compatibility.md). */
export const ProviderRegistered = Type.Object({ providerId: Type.String(), certificate: Type.String() });

export const ProviderPatch = Type.Object({
  clientName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  urls: Type.Optional(Type.Array(Url, { maxItems: 32 })),
  redirectionPoint: Type.Optional(Url),
  latitude: Type.Optional(Latitude),
  longitude: Type.Optional(Longitude),
});

export const ProviderDetails = Type.Object({
  clientName: Type.String(),
  providerId: Type.String(),
  urls: Type.Array(Type.String()),
  redirectionPoint: Type.String(),
  latitude: Type.Optional(Type.Number()),
  longitude: Type.Optional(Type.Number()),
});

/** Bytes, as a JSON number or (as the 2016 clients sent it) a digit string. */
export const Size = Type.Union([Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: '^[1-9][0-9]{0,15}$' })], {
  errorMessage: 'must be a whole number of bytes, as a number or a digit string',
});

export const SupportRequest = Type.Object({ token: Type.String({ maxLength: 64 * 1024 }), size: Size });

export const ProviderSpaceRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  token: Type.String({ maxLength: 64 * 1024 }),
  size: Size,
});

/** `POST /spaces`: users send `{name}`; providers also the space-creation `token` and the support `size`. */
export const ProviderSpaceBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  token: Type.Optional(Type.String({ maxLength: 64 * 1024 })),
  size: Type.Optional(Size),
});

// A plain string: fast-json-stringify cannot serialize a union inside a tuple.
const PortStatus = Type.String({ description: '`ok` or `error`' });

export const PortCheckRequest = Type.Union([
  Type.Record(Type.String({ maxLength: 256 }), Url),
  Type.Array(Url),
]);

export const PortCheckResult = Type.Union([
  Type.Record(Type.String(), PortStatus),
  Type.Array(Type.Tuple([Type.String(), PortStatus])),
]);

export const PidParam = Type.Object({ pid: Id });
export const SidParam = Type.Object({ sid: Id });
export const SpaceProviderParams = Type.Object({ id: Id, pid: Id });
