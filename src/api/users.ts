import { Type } from 'typebox';
import { presentUser } from './presenters.js';
import { IdParam, Name, User, closed } from './schemas.js';
import { type Routes, asUser } from './types.js';

/** Extensions `POST /users` and `GET /users/{id}`: administrators create accounts with a password, and read any. */
export const usersRoutes: Routes = (app, { users }) => {
  app.post(
    '/users',
    {
      schema: {
        operationId: 'create_user',
        tags: ['Extensions'],
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            name: Name,
          },
          closed,
        ),
        // The same fields as `User`, documented with the Location header.
        response: {
          201: Type.Object(User.properties, { description: 'User created.', headers: { Location: Type.String({ description: '`/users/{id}`: the new user.' }) } }),
        },
        errors: [409],
      },
    },
    async (req, reply) => {
      const user = await users.create(asUser(req.actor), req.body);
      return reply.code(201).header('location', `/users/${user.id}`).send(presentUser(user));
    },
  );

  app.get(
    '/users/:id',
    { schema: { operationId: 'get_zone_user', tags: ['Extensions'], params: IdParam, response: { 200: User } } },
    async (req) => presentUser(await users.byId(asUser(req.actor), req.params.id)),
  );
};
