import { useContext } from 'preact/hooks';
import { SPACE_PRIVILEGES, type SpacePrivilege } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { SessionContext } from '../session.js';
import { type InviteKind, InviteForm } from './invite.js';

/**
 * Mints an invite for a user or a group (extension: usage limit, lifetime and privileges), of the
 * kinds `may` allows; the privileges of the new member are offered to those who may set them.
 */
export function SpaceInvite({ spaceId, may }: { spaceId: string; may: (p: SpacePrivilege) => boolean }) {
  const { session } = useContext(SessionContext);
  const { spaces } = session.client;
  const kinds: InviteKind<SpacePrivilege>[] = [];
  if (may('space_invite_user')) kinds.push({ value: 'user', label: 'user', tokenLabel: 'Invite token for a user', mint: (o) => spaces.createUserInvite(spaceId, o) });
  if (may('space_invite_group')) kinds.push({ value: 'group', label: 'group', tokenLabel: 'Invite token for a group', mint: (o) => spaces.createGroupInvite(spaceId, o) });
  const privileges = may('space_set_privileges') ? { names: SPACE_PRIVILEGES, defaults: ['space_view_data'] as SpacePrivilege[] } : undefined;
  return kinds.length > 0 ? html`<${InviteForm} kinds=${kinds} privileges=${privileges} />` : null;
}
