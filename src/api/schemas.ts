import { type TSchema, Type } from 'typebox';
import { ID_PATTERN } from '../domain/deps.js';
import { GROUP_TYPES } from '../domain/groups.js';
import { GROUP_PRIVILEGES, ONEZONE_PRIVILEGES, SPACE_PRIVILEGES } from '../domain/privileges.js';
import { catalog } from '../errors.js';

/**
 * Request and response schemas shared by the routes. Response schemas list their fields,
 * so serialization drops anything else a presenter might carry.
 */

/** The body of every non-2xx answer (http/errors.ts): the catalog's codes, and always a description. */
export const ErrorBody = Type.Object(
  {
    error: Type.Unsafe<string>({ type: 'string', enum: [...new Set(Object.values(catalog).map((e) => e.error))], description: 'The error code (src/errors.ts).' }),
    error_description: Type.String({ description: 'What went wrong, for people; never echoes a token or a password.' }),
  },
  { description: 'Every non-2xx answer.', examples: [{ error: 'invalid_token', error_description: 'Provided token could not be validated.' }] },
);

/**
 * A success answer without a body: `type: 'null'` is how the OpenAPI generator knows, and the
 * handler's `send()` takes no payload. Documentation only: nothing is serialized with it.
 */
export const NoContent = (description: string) => Type.Unsafe<undefined>({ type: 'null', description });

/** A bodiless 201 whose `Location` header is a path (below the API prefix) to what was created or joined. */
export const Created = (description: string, location: string) =>
  Type.Unsafe<undefined>({ type: 'null', description, headers: { Location: Type.String({ description: location }) } });

export const TokenBody = Type.Object({ token: Type.String() });
export const TokenRequest = Type.Object({ token: Type.String() }, { description: 'An invite or support token.' });

/** A path id. One that cannot exist (a NUL, a space, a dot) is a 404 before any lookup (http/errors.ts). */
export const Id = Type.String({ pattern: ID_PATTERN.source, description: 'A 43-character base64url id.' });

export const IdParam = Type.Object({ id: Id });

export const User = Type.Object({
  userId: Type.String(),
  login: Type.String(),
  name: Type.String(),
  connectedAccounts: Type.Array(Type.Object({})),
  alias: Type.String(),
  emailList: Type.Array(Type.String()),
});

export const Space = Type.Object({
  spaceId: Type.String(),
  name: Type.String(),
  canonicalName: Type.String(),
  providersSupports: Type.Record(Type.String(), Type.Integer(), { description: 'Provider id -> support size in bytes.' }),
});

export const Name = Type.String({ minLength: 1, maxLength: 256 });

export const SpacePrivilegeList = Type.Array(Type.Enum(SPACE_PRIVILEGES), {
  maxItems: SPACE_PRIVILEGES.length * 2,
});
export const GroupPrivilegeList = Type.Array(Type.Enum(GROUP_PRIVILEGES), {
  maxItems: GROUP_PRIVILEGES.length * 2,
});
export const OnezonePrivilegeList = Type.Array(Type.Enum(ONEZONE_PRIVILEGES), {
  maxItems: ONEZONE_PRIVILEGES.length * 2,
});

/**
 * Extension bodies refuse keys they do not define: a misspelt option would otherwise be ignored
 * in silence (`usagelimit` minting a single-use invite). RC2 bodies ignore unknown keys, as the
 * 2016 server did (docs/compatibility.md).
 */
export const closed = { additionalProperties: false } as const;

/** Body of the invite-minting POST extension beside each RC2 token GET. */
export const InviteOptionsBody = Type.Object(
  {
    usageLimit: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Literal('infinity')], {
        description: 'How many joins the token allows (default 1).',
      }),
    ),
    ttl: Type.Optional(Type.Integer({ minimum: 60, maximum: 365 * 24 * 3600, description: 'Lifetime in seconds.' })),
    privileges: Type.Optional(SpacePrivilegeList),
  },
  closed,
);

/** The same body for group invites: the privileges are group privileges. */
export const GroupInviteOptionsBody = Type.Object({ ...InviteOptionsBody.properties, privileges: Type.Optional(GroupPrivilegeList) }, closed);

export const GroupType = Type.Enum(GROUP_TYPES);

export const Group = Type.Object({ groupId: Type.String(), name: Type.String(), type: Type.String() });

/** A user as other members see it (RC2 `{userId, login, name}`). */
export const UserDetails = Type.Object({ userId: Type.String(), login: Type.String(), name: Type.String() });

/** `{ "<key>": [ids] }`: every RC2 list response is wrapped like this. */
export const IdList = <K extends string>(key: K) => Type.Object({ [key]: Type.Array(Type.String()) } as unknown as { [P in K]: TSchema });

