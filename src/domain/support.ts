import { ApiError, invalidField, missingField } from '../errors.js';
import type { ProviderRow } from '../store/providers.js';
import type { SpaceRow } from '../store/spaces.js';
import type { Store } from '../store/index.js';
import type { TokenRow } from '../store/tokens.js';
import type { Actor } from './actor.js';
import { type AuditRef, auditor } from './audit.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { type InviteService, InviteType } from './invites.js';
import { groupPrivileges, spacePrivileges } from './privileges.js';
import type { ProviderActor } from './providers.js';

/** A support size as sent: a JSON number, or the digit string the 2016 clients sent. */
export type SizeInput = number | string;

/** Bytes; a positive integer that a JSON number still represents exactly. */
export function parseSize(value: SizeInput): number {
  const n = typeof value === 'number' ? value : /^[1-9][0-9]*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw invalidField('size', `must be a whole number of bytes from 1 to ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

/**
 * Space support: support tokens, a provider supporting a space with one, removing support from
 * either side, and spaces that a provider creates (and supports) from a space-creation token.
 */
export function supportService({ store, clock, ids }: Deps, authorize: Authorizer, invites: InviteService) {
  const audit = auditor({ clock });
  const supportedSpace = async (actor: ProviderActor, spaceId: string): Promise<SpaceRow> => {
    const space = await store.spaces.byId(spaceId);
    if (!space || !(await store.providers.supports(spaceId, actor.providerId))) {
      throw new ApiError('notFound', 'This provider does not support that space.');
    }
    return space;
  };

  return {
    /** `providersSupports` of a space, for every presentation of it. */
    supportsOf(spaceId: string): Promise<Record<string, number>> {
      return store.providers.supportsOf(spaceId);
    },

    /** `GET /spaces/{id}/providers/token`: users with `space_add_provider`, or a provider supporting the space. */
    async supportToken(actor: Actor, spaceId: string): Promise<string> {
      await authorize.space(actor, spaceId, 'space_add_provider');
      const issuer = actor.kind === 'provider' ? { type: 'provider' as const, id: actor.providerId } : { type: 'user' as const, id: userId(actor) };
      return invites.mint(store, { type: InviteType.spaceSupport, issuer, target: { type: 'space', id: spaceId } });
    },

    /**
     * `POST /provider/spaces/support`, with the join pattern: one transaction proves the token,
     * checks the space and the issuer's right, adds the support and counts the use. A provider
     * that supports the space already gets the same answer; size and token stay as they were.
     * A space deleted meanwhile refuses the token, as it does a join.
     */
    async support(actor: ProviderActor, token: string, size: SizeInput): Promise<string> {
      const bytes = parseSize(size);
      return invites.used(store.transaction(async (tx) => {
        const invite = await invites.open(tx, token, InviteType.spaceSupport);
        const spaceId = invite.target_id!;
        if (invite.target_type !== 'space' || !(await tx.spaces.exists(spaceId))) throw new ApiError('invalidToken');
        await assertIssuerMayAddProvider(tx, invite, spaceId);
        if (await tx.providers.addSupport(spaceId, actor.providerId, bytes, clock())) {
          await audit(tx, actor, 'space.support', { target: ['space', spaceId], subject: ['provider', actor.providerId], details: { tokenId: invite.id, size: bytes } });
          await invites.countUse(tx, invite);
        }
        return spaceId;
      }));
    },

    /**
     * `POST /provider/spaces`, and `POST /spaces` by a provider: a new space for the user or group
     * named by a space-creation token, supported by the calling provider. The token's subject
     * gets every space privilege, as the 2016 server gave it.
     */
    async createSpace(actor: ProviderActor, req: { name: string; token?: string; size?: SizeInput }): Promise<string> {
      if (req.token === undefined) throw missingField('token');
      if (req.size === undefined) throw missingField('size');
      const bytes = parseSize(req.size);
      const token = req.token;
      const spaceId = ids();
      await invites.used(store.transaction(async (tx) => {
        const invite = await invites.open(tx, token, InviteType.spaceCreate);
        const owner = invite.target_id!;
        await assertCreatorMayCreate(tx, invite);
        await tx.spaces.insert({ id: spaceId, name: req.name, created_at: clock() });
        if (invite.target_type === 'group') await tx.spaces.addGroup(spaceId, owner, spacePrivileges.all);
        else await tx.spaces.addUser(spaceId, owner, spacePrivileges.all);
        await tx.providers.addSupport(spaceId, actor.providerId, bytes, clock());
        const ownerRef: AuditRef = [invite.target_type === 'group' ? 'group' : 'user', owner];
        await audit(tx, actor, 'space.create', { target: ['space', spaceId], subject: ownerRef, details: { name: req.name, tokenId: invite.id } });
        await audit(tx, actor, 'space.support', { target: ['space', spaceId], subject: ['provider', actor.providerId], details: { size: bytes } });
        await invites.countUse(tx, invite);
      }));
      return spaceId;
    },

    /** `GET /provider/spaces`. */
    spacesOf(actor: ProviderActor): Promise<string[]> {
      return store.providers.spacesOf(actor.providerId);
    },

    /** `GET /provider/spaces/{sid}`: only a space the provider supports. */
    spaceOf(actor: ProviderActor, spaceId: string): Promise<SpaceRow> {
      return supportedSpace(actor, spaceId);
    },

    /** `DELETE /provider/spaces/{sid}`: the provider ends its own support. */
    async unsupport(actor: ProviderActor, spaceId: string): Promise<void> {
      await store.transaction(async (tx) => {
        if (!(await tx.providers.removeSupport(spaceId, actor.providerId))) {
          throw new ApiError('notFound', 'This provider does not support that space.');
        }
        await audit(tx, actor, 'space.unsupport', { target: ['space', spaceId], subject: ['provider', actor.providerId] });
      });
    },

    /** `GET /spaces/{id}/providers`: `space_view_data`, the Onezone `list_providers_of_space`, or a supporting provider. */
    async providersOf(actor: Actor, spaceId: string): Promise<string[]> {
      await authorize.space(actor, spaceId, 'space_view_data', 'list_providers_of_space');
      return store.providers.providersOf(spaceId);
    },

    /** `GET /spaces/{id}/providers/{pid}`: as the list; 404 unless that provider supports the space. */
    async providerOf(actor: Actor, spaceId: string, providerId: string): Promise<ProviderRow> {
      await authorize.space(actor, spaceId, 'space_view_data', 'list_providers_of_space');
      const provider = (await store.providers.supports(spaceId, providerId)) ? await store.providers.byId(providerId) : undefined;
      if (!provider) throw new ApiError('notFound', 'That provider does not support this space.');
      return provider;
    },

    /** `DELETE /spaces/{id}/providers/{pid}`: `space_remove_provider`. */
    async removeProvider(actor: Actor, spaceId: string, providerId: string): Promise<void> {
      await authorize.spaceWrite(actor, spaceId, 'space_remove_provider', undefined, async (tx) => {
        if (!(await tx.providers.removeSupport(spaceId, providerId))) {
          throw new ApiError('notFound', 'That provider does not support this space.');
        }
        await audit(tx, actor, 'space.unsupport', { target: ['space', spaceId], subject: ['provider', providerId] });
      });
    },
  };
}

const userId = (actor: Actor): string => {
  if (actor.kind !== 'user') throw new ApiError('forbidden');
  return actor.userId;
};

/** Whoever issued a support token must still be able to: a user with `space_add_provider`, or a provider still supporting. */
async function assertIssuerMayAddProvider(tx: Store, invite: TokenRow, spaceId: string): Promise<void> {
  const allowed =
    invite.issuer_type === 'provider'
      ? await tx.providers.supports(spaceId, invite.issuer_id)
      : ((await tx.spaces.effectivePrivileges(spaceId, invite.issuer_id)) ?? 0) & spacePrivileges.bit('space_add_provider');
  if (!allowed) throw new ApiError('invalidToken', 'The issuer of this token may no longer add providers to this space.');
}

/**
 * A space-creation token names a user (minted by that user) or a group (minted by a member with
 * `group_create_space_token`, who must still hold it).
 */
async function assertCreatorMayCreate(tx: Store, invite: TokenRow): Promise<void> {
  const owner = invite.target_id!;
  if (invite.target_type === 'user') {
    if (!(await tx.users.byId(owner))) throw new ApiError('invalidToken');
    return;
  }
  if (invite.target_type !== 'group' || !(await tx.groups.exists(owner))) throw new ApiError('invalidToken');
  const mask = invite.issuer_type === 'user' ? ((await tx.groups.effectivePrivileges(owner, invite.issuer_id)) ?? 0) : 0;
  if (!(mask & groupPrivileges.bit('group_create_space_token'))) {
    throw new ApiError('invalidToken', 'The issuer of this token may no longer create spaces for this group.');
  }
}
