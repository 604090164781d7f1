/**
 * The `summary` and the success-response description of every operation of the OpenAPI
 * document, keyed by operationId; http/openapi.ts applies them. What a route's own schema says
 * (`schema.summary`, a description on its success response) wins, so an entry leaves out what its
 * route already says; test/api/openapi.test.ts checks that every operation has an entry, that no
 * entry is for an operation nobody serves, and that nothing here is shadowed by its route.
 *
 * Summaries: the RC2 swagger's for its 88 operations (typos and trailing dots tidied), in the same
 * style for our extensions. Success descriptions are ours, written from what the route answers:
 * the swagger's are often wrong (docs/compatibility.md, spec/api-digest.md §5.C).
 */
export interface OperationDoc {
  /** Absent only where the route sets its own. */
  readonly summary?: string;
  /** What the success answer holds; absent where the route's response schema describes it. */
  readonly success?: string;
}

const SPACE = '`spaceId`, `name`, `canonicalName` (the same name) and `providersSupports` (provider id -> support size in bytes)';
const GROUP = '`groupId`, `name` and `type`';
const PROVIDER = '`clientName`, `providerId`, `urls`, `redirectionPoint`, and `latitude`/`longitude` when the provider gave them';
const ACCOUNT = '`userId`, `login`, `name`, `alias`, `emailList` and `connectedAccounts` (always empty)';
/** Public details of a user, as other members see them. */
const MEMBER = '`userId`, `login` and `name`';
const SINGLE_USE = "Valid for one join, within the zone's invite lifetime.";
const WITH_OPTIONS = 'With the usage limit, lifetime and privileges asked for (by default as the GET\'s).';

export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = {
  // --- /user
  get_user: { summary: 'Get user details', success: `The caller's account: ${ACCOUNT}.` },
  modify_user: { summary: 'Modify user' },
  remove_user: { summary: 'Remove user' },
  change_user_password: { summary: 'Change password' },
  get_client_token: {
    summary: 'Create user authorization token',
    success:
      '`token`: a new access token for the caller, valid for the zone\'s access-token lifetime, ' +
      'listed in `GET /user/tokens` and revocable there or with `DELETE /user/client_token`.',
  },
  revoke_client_token: { summary: 'Revoke user authorization token' },
  get_user_spaces: {
    summary: 'Get user spaces',
    success: '`spaces`: the ids of the spaces the caller belongs to, directly or through groups at any depth; `default`: the default space\'s id, or `"undefined"` when none is set.',
  },
  create_user_space: { summary: 'Create new user space' },
  get_user_default_space: {
    summary: 'Get default space',
    success: '`spaceId`: the caller\'s default space, or `"undefined"` when none is set (or the caller no longer belongs to it).',
  },
  set_user_default_space: { summary: 'Set default space' },
  join_space: { summary: 'Join space' },
  get_user_space_token: {
    summary: 'Create space invitation token',
    success:
      '`token`: a space-creation token naming the caller (not an invitation to an existing space): a provider presents it ' +
      '(`POST /provider/spaces`) to create a space with the caller as its member, supported by that provider. Valid for one space, within the zone\'s invite lifetime.',
  },
  get_user_space: { summary: 'Get space details', success: `A space the caller belongs to, directly or through groups at any depth: ${SPACE}.` },
  delete_user_space: { summary: 'Leave space' },
  get_user_groups: { summary: 'Get user groups', success: '`groups`: the ids of the groups the caller belongs to directly.' },
  create_group_for_user: { summary: 'Create new group' },
  join_group: { summary: 'Join group' },
  get_user_group: { summary: 'Get group details', success: `A group the caller belongs to, directly or through nested groups: ${GROUP}.` },
  leave_group: { summary: 'Leave group' },
  get_user_effective_groups: {
    summary: 'Get user effective groups',
    success: '`effective_groups`: the ids of every group the caller belongs to, directly or through nested groups at any depth.',
  },
  authenticate_user: { summary: 'Authenticate user' },
  create_provider_login_token: {
    summary: 'Create provider login token',
    success:
      '`token`: an access token for the caller, for a login through the named provider: it is valid only together with a discharge ' +
      'of its third-party caveat, which the provider gets from `POST /user/authorize`.',
  },
  list_user_tokens: {
    summary: 'List user tokens',
    success: '`tokens`: the caller\'s access tokens and the invites the caller issued, oldest first: id, kind, type, target, uses, expiry and `revoked`; never the token text.',
  },
  get_user_token: { summary: 'Get token details', success: 'One of the caller\'s tokens, as in `GET /user/tokens`; never the token text.' },
  modify_user_token: { summary: 'Revoke or restore token' },
  remove_user_token: { summary: 'Remove token' },

  // --- /users (zone administration)
  create_user: { summary: 'Create new user' },
  get_zone_user: { summary: 'Get any user details (zone administrators)', success: `The account: ${ACCOUNT}.` },

  // --- /spaces
  get_spaces: { summary: 'List all spaces', success: '`spaces`: the ids of every space in the zone.' },
  create_space: { summary: 'Create new space' },
  get_space: { summary: 'Get space details', success: `The space: ${SPACE}.` },
  modify_space: { summary: 'Modify space details' },
  remove_space: { summary: 'Remove space' },
  get_space_users: {
    summary: 'Get space users',
    success: '`users`: the ids of the space\'s direct users; with `effective=true`, also of every user reaching it through groups.',
  },
  add_user_to_space: { summary: 'Add user to space' },
  get_space_user_token: {
    summary: 'Create space invite token',
    success: `\`token\`: an invite for a user to join this space (\`POST /user/spaces/join\`). ${SINGLE_USE}`,
  },
  create_space_user_invite_token: {
    summary: 'Create space invite token with options',
    success: `\`token\`: an invite for users to join this space (\`POST /user/spaces/join\`). ${WITH_OPTIONS}`,
  },
  get_space_user: { summary: 'Get space user details', success: `A user of the space (directly or through groups): ${MEMBER}.` },
  remove_space_user: { summary: 'Remove user from space' },
  get_space_user_privileges: {
    summary: 'Get user privileges to space',
    success: '`privileges`: the user\'s own space privileges (those `PUT` sets); with `effective=true`, together with those the user holds through groups.',
  },
  set_space_user_privileges: { summary: 'Set user privileges to space' },
  get_space_groups: { summary: 'Get space groups', success: '`groups`: the ids of the groups that are direct members of the space.' },
  add_group_to_space: { summary: 'Add group to space' },
  get_space_group_token: {
    summary: 'Create space invite token for group',
    success: `\`token\`: an invite for a group to join this space (\`POST /groups/{id}/spaces/join\`). ${SINGLE_USE}`,
  },
  create_space_group_invite_token: {
    summary: 'Create space invite token for group with options',
    success: `\`token\`: an invite for groups to join this space (\`POST /groups/{id}/spaces/join\`). ${WITH_OPTIONS}`,
  },
  get_space_group: { summary: 'Get group details', success: `A group that is a direct member of the space: ${GROUP}.` },
  delete_space_group: { summary: 'Remove group from space' },
  get_space_group_privileges: { summary: 'Get group privileges to space', success: '`privileges`: the group\'s privileges in the space.' },
  set_space_group_privileges: { summary: 'Set group privileges to space' },
  get_space_providers: { summary: 'Get space providers', success: '`providers`: the ids of the providers supporting the space.' },
  get_space_provider_token: {
    summary: 'Create space support token',
    success: `\`token\`: a support token for this space, which a provider presents to support it (\`POST /provider/spaces/support\`). Valid for one support, within the zone's invite lifetime.`,
  },
  create_space_provider_token: {
    summary: 'Create space support token (POST)',
    success: '`token`: a support token for this space, as `GET /spaces/{id}/providers/token` gives.',
  },
  get_space_provider: { summary: 'Get space provider details', success: `A provider supporting the space: ${PROVIDER}.` },
  remove_provider_supporting_space: { summary: 'Remove space support' },

  // --- /groups
  create_group: { summary: 'Create new group' },
  get_group: { summary: 'Get group details', success: `The group: ${GROUP}.` },
  modify_group: { summary: 'Modify group details' },
  remove_group: { summary: 'Remove group' },
  get_group_effective_users: {
    summary: 'Get effective group users',
    success: '`users`: the ids of the group\'s users and of the users of every group nested in it, at any depth.',
  },
  get_groups_effective_user: {
    // The last RC2 revision's (3b7a2885) summary; e05769a8 repeats get_group_user's.
    summary: 'Get group effective user details',
    success: `A user of the group or of a group nested in it: ${MEMBER}.`,
  },
  get_groups_user_privileges: {
    summary: 'Get user group privileges',
    success: '`privileges`: the user\'s effective privileges in the group: held directly and through nested groups.',
  },
  get_group_users: { summary: 'Get group users', success: '`users`: the ids of the group\'s direct users.' },
  create_user_group_invite_token: {
    summary: 'Create user invite token for group',
    success: `\`token\`: an invite for a user to join this group (\`POST /user/groups/join\`). ${SINGLE_USE}`,
  },
  create_group_user_invite_token: {
    summary: 'Create user invite token for group with options',
    success: `\`token\`: an invite for users to join this group (\`POST /user/groups/join\`). ${WITH_OPTIONS}`,
  },
  get_group_user: { summary: 'Get group user details', success: `A direct user of the group: ${MEMBER}.` },
  remove_group_user: { summary: 'Remove user from group' },
  get_group_user_privileges: {
    summary: "Get user's group privileges",
    success: '`privileges`: the user\'s own privileges in the group (those `PUT` sets), without those held through nested groups.',
  },
  set_user_group_privileges: { summary: "Set user's group privileges" },
  get_parent_groups: { summary: 'Get parent groups', success: '`parent_groups`: the ids of the groups this group is directly nested in.' },
  get_parent_group: { summary: 'Get parent group details', success: `A group this group is directly nested in: ${GROUP}.` },
  get_nested_groups: { summary: 'Get subgroups', success: '`nested_groups`: the ids of the group\'s direct subgroups.' },
  get_nested_group_token: {
    summary: 'Create subgroup invitation token',
    success: `\`token\`: an invite for a group to join this one as its subgroup (\`POST /groups/{id}/nested/join\`). ${SINGLE_USE}`,
  },
  create_subgroup_invite_token: {
    summary: 'Create subgroup invitation token with options',
    success: `\`token\`: an invite for groups to join this one as subgroups (\`POST /groups/{id}/nested/join\`). ${WITH_OPTIONS}`,
  },
  join_nested_group: { summary: 'Add subgroup' },
  get_nested_group: { summary: 'Get subgroup details', success: `A direct subgroup of the group: ${GROUP}.` },
  delete_nested_group: { summary: 'Remove subgroup' },
  get_nested_group_privileges: { summary: 'Get subgroup privileges', success: '`privileges`: the subgroup\'s privileges in the group.' },
  set_group_nested_privileges: { summary: 'Set subgroup privileges' },
  get_group_spaces: { summary: "Get group's spaces", success: '`spaces`: the ids of the spaces the group is a direct member of.' },
  create_space_for_group: { summary: 'Create new space for group' },
  group_join_space: { summary: 'Join space by group' },
  create_group_spaces_token: {
    summary: 'Create space creation token for group',
    success:
      '`token`: a space-creation token naming the group: a provider presents it (`POST /provider/spaces`) to create a space ' +
      'with the group as its member, supported by that provider. Valid for one space, within the zone\'s invite lifetime.',
  },
  get_group_space: { summary: "Get group's space details", success: `A space the group is a direct member of: ${SPACE}.` },
  remove_group_from_space: { summary: 'Remove space from group' },

  // --- /privileges (Onezone privileges)
  get_user_onezone_privileges: {
    summary: "Get user's Onezone privileges",
    success: '`privileges`: the user\'s own Onezone privileges, without those of the user\'s groups.',
  },
  set_user_onezone_privileges: { summary: "Set user's Onezone privileges" },
  remove_user_onezone_privileges: { summary: "Remove user's Onezone privileges" },
  get_group_onezone_privileges: { summary: "Get group's Onezone privileges", success: '`privileges`: the group\'s Onezone privileges.' },
  set_group_onezone_privileges: { summary: "Set group's Onezone privileges" },
  remove_group_onezone_privileges: { summary: "Remove group's Onezone privileges" },

  // --- /provider, /providers
  register_provider: {
    summary: 'Register provider',
    success: '`providerId`: the new provider\'s id; `certificate`: its client certificate (PEM), issued by the zone CA for the CSR sent.',
  },
  get_provider: { summary: 'Get provider details', success: `The calling provider: ${PROVIDER}.` },
  modify_provider: { summary: 'Modify provider details' },
  delete_provider: { summary: 'Unregister provider' },
  create_provider_token: {
    summary: 'Create provider access token',
    success:
      '`token`: an access token for the calling provider, for calls that cannot present its certificate (a TLS-terminating proxy); ' +
      'valid for the zone\'s access-token lifetime.',
  },
  get_supported_spaces: { summary: 'Get spaces at provider', success: '`spaces`: the ids of the spaces the calling provider supports.' },
  create_provider_space: { summary: 'Create new space by provider' },
  provider_space_support: { summary: 'Add space storage support' },
  get_supported_space: { summary: 'Get space details by provider', success: `A space the calling provider supports: ${SPACE}.` },
  remove_space_support: { summary: 'Remove space support' },
  check_my_ip: {
    summary: 'Show client IP address',
    success: 'The caller\'s IP address as the zone sees it, as a JSON string (an IPv4-mapped address `::ffff:a.b.c.d` is given as `a.b.c.d`).',
  },
  check_my_ports: {
    summary: 'Check ports availability',
    success:
      'Whether the zone could reach each URL (`ok` or `error`), in the request\'s form: for `{"<service>": "<url>"}`, `{"<url>": status}`; ' +
      'for `["<url>", …]`, `[["<url>", status], …]`.',
  },
  get_providers: { summary: 'Get providers', success: '`providers`: the ids of every provider registered in the zone.' },
  get_other_provider: { summary: 'Get provider details', success: `The provider: ${PROVIDER}.` },

  // --- /audit
  list_audit_events: {
    summary: 'List audit events',
    success: '`events`: the audit events that match the filters, oldest first (increasing `id`); `next`, present when more may follow, is the `after` of the next page.',
  },
};

/** The entry for an operation, if any (never an inherited property of the table). */
export function operationDoc(operationId: string | undefined): OperationDoc | undefined {
  return operationId !== undefined && Object.hasOwn(OPERATION_DOCS, operationId) ? OPERATION_DOCS[operationId] : undefined;
}
