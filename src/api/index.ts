import { spaceRoutes } from './spaces.js';
import type { Routes } from './types.js';
import { userRoutes } from './user.js';
import { usersRoutes } from './users.js';

/** Every route module, registered under the API prefix by app.ts. */
export const allRoutes: readonly Routes[] = [userRoutes, usersRoutes, spaceRoutes];
