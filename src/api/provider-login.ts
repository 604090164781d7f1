import { Type } from 'typebox';
import { TokenBody, closed } from './schemas.js';
import { type Routes, asUser } from './types.js';

/** Provider-mediated login: `POST /user/authorize` and the extension that starts the flow. */
export const providerLoginRoutes: Routes = (app, { providerLogin }) => {
  // Open, as in RC2: the caveat id is the credential. The discharge is the raw token, not JSON.
  app.post(
    '/user/authorize',
    {
      config: { auth: 'none' },
      schema: {
        operationId: 'authenticate_user',
        tags: ['User'],
        body: Type.Object({ identifier: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: {
          200: {
            description: 'The discharge macaroon, as the raw token text.',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (req, reply) => reply.type('text/plain; charset=utf-8').send(await providerLogin.discharge(req.body.identifier)),
  );

  app.post(
    '/user/provider_login_token',
    {
      schema: {
        operationId: 'create_provider_login_token',
        tags: ['Extensions'],
        body: Type.Object({ providerId: Type.String({ minLength: 1, maxLength: 256 }) }, closed),
        response: { 200: TokenBody },
        // No such provider.
        errors: [404],
      },
    },
    async (req) => ({ token: await providerLogin.mintLoginToken(asUser(req.actor), req.body.providerId) }),
  );
};
