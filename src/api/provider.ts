import { Type } from 'typebox';
import type { Actor } from '../domain/actor.js';
import { checkMyPorts, normalizeIp } from '../domain/port-check.js';
import type { ProviderActor } from '../domain/providers.js';
import { presentProvider, presentSpace } from './presenters.js';
import {
  PortCheckRequest,
  PortCheckResult,
  ProviderDetails,
  ProviderPatch,
  ProviderRegistered,
  ProviderRegistration,
  ProviderSpaceRequest,
  SidParam,
  SupportRequest,
} from './provider-schemas.js';
import { Created, IdList, NoContent, Space, TokenBody } from './schemas.js';
import type { Routes } from './types.js';

/** The auth hook guarantees a provider on routes whose `config.auth` is `provider`. */
const asProvider = (actor: Actor): ProviderActor => actor as ProviderActor;

/** `/provider…`: the calling provider itself, its supported spaces, and the open test operations. */
export const providerRoutes: Routes = (app, { providers, support }) => {
  const tags = ['Provider'];
  const provider = { auth: 'provider' as const };
  const open = { auth: 'none' as const };

  app.post(
    '/provider',
    { config: open, schema: { operationId: 'register_provider', tags, body: ProviderRegistration, response: { 200: ProviderRegistered } } },
    async (req) => {
      const { csr, ...details } = req.body;
      return providers.register(details, csr);
    },
  );

  // 404 (as on PATCH and DELETE) when the provider was removed while the request ran.
  app.get('/provider', { config: provider, schema: { operationId: 'get_provider', tags, response: { 200: ProviderDetails }, errors: [404] } }, async (req) =>
    presentProvider(await providers.get(asProvider(req.actor))),
  );

  const modified = { 204: NoContent('The provider is changed.') };
  app.patch('/provider', { config: provider, schema: { operationId: 'modify_provider', tags, body: ProviderPatch, response: modified, errors: [404] } }, async (req, reply) => {
    await providers.modify(asProvider(req.actor), req.body);
    return reply.code(204).send();
  });

  const removed = { 202: NoContent('The provider is removed. Done when this answer is sent.') };
  app.delete('/provider', { config: provider, schema: { operationId: 'delete_provider', tags, response: removed, errors: [404] } }, async (req, reply) => {
    await providers.remove(asProvider(req.actor));
    return reply.code(202).send();
  });

  // Extension: a provider token, to call the zone through a TLS-terminating proxy (docs/providers.md).
  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/provider/token',
    { exposeHeadRoute: false, config: provider, schema: { operationId: 'create_provider_token', tags: ['Extensions'], response: { 200: TokenBody } } },
    async (req) => ({ token: await providers.mintToken(asProvider(req.actor)) }),
  );

  app.get(
    '/provider/spaces',
    { config: provider, schema: { operationId: 'get_supported_spaces', tags, response: { 200: IdList('spaces') } } },
    async (req) => ({ spaces: await support.spacesOf(asProvider(req.actor)) }),
  );

  app.post(
    '/provider/spaces',
    {
      config: provider,
      schema: {
        operationId: 'create_provider_space',
        tags,
        body: ProviderSpaceRequest,
        response: { 201: Created('Space created for the owner of the token, supported by this provider.', '`/spaces/{id}`: the new space.') },
      },
    },
    async (req, reply) => {
      const id = await support.createSpace(asProvider(req.actor), req.body);
      return reply.code(201).header('location', `/spaces/${id}`).send();
    },
  );

  app.post(
    '/provider/spaces/support',
    {
      config: provider,
      schema: {
        operationId: 'provider_space_support',
        tags,
        body: SupportRequest,
        response: { 201: Created('This provider supports the space (already supporting it: size unchanged).', '`/spaces/{id}`: the supported space.') },
      },
    },
    async (req, reply) => {
      const id = await support.support(asProvider(req.actor), req.body.token, req.body.size);
      return reply.code(201).header('location', `/spaces/${id}`).send();
    },
  );

  app.get(
    '/provider/spaces/:sid',
    { config: provider, schema: { operationId: 'get_supported_space', tags, params: SidParam, response: { 200: Space } } },
    async (req) => {
      const space = await support.spaceOf(asProvider(req.actor), req.params.sid);
      return presentSpace(space, await support.supportsOf(space.id));
    },
  );

  app.delete(
    '/provider/spaces/:sid',
    { config: provider, schema: { operationId: 'remove_space_support', tags, params: SidParam, response: { 200: NoContent('This provider no longer supports the space.') } } },
    async (req, reply) => {
      await support.unsupport(asProvider(req.actor), req.params.sid);
      return reply.code(200).send();
    },
  );

  // A JSON string, as the 2016 server sent it (Fastify would send a bare string as text/plain).
  app.get(
    '/provider/test/check_my_ip',
    { config: open, schema: { operationId: 'check_my_ip', tags, response: { 200: Type.String() } } },
    async (req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(normalizeIp(req.ip))),
  );

  app.post(
    '/provider/test/check_my_ports',
    { config: open, schema: { operationId: 'check_my_ports', tags, body: PortCheckRequest, response: { 200: PortCheckResult } } },
    async (req) => checkMyPorts(req.ip, req.body),
  );
};
