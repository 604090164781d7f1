import { auditRoutes } from './audit.js';
import { groupSpaceRoutes } from './group-spaces.js';
import { groupRoutes } from './groups.js';
import { privilegeRoutes } from './privileges.js';
import { providerRoutes } from './provider.js';
import { providersRoutes } from './providers.js';
import { providerLoginRoutes } from './provider-login.js';
import { spaceProviderRoutes } from './space-providers.js';
import { spaceRoutes } from './spaces.js';
import { tokenRoutes } from './tokens.js';
import type { Routes } from './types.js';
import { userGroupRoutes } from './user-groups.js';
import { userRoutes } from './user.js';
import { usersRoutes } from './users.js';

/** Every route module, registered under the API prefix by app.ts. */
export const allRoutes: readonly Routes[] = [userRoutes, usersRoutes, spaceRoutes, groupRoutes, userGroupRoutes, groupSpaceRoutes, privilegeRoutes, providerRoutes, providersRoutes, spaceProviderRoutes, providerLoginRoutes, tokenRoutes, auditRoutes];
