import { useContext } from 'preact/hooks';
import { GROUP_PRIVILEGES, type GroupPrivilege, type GroupType, type OnezoneClient, OnezoneError } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { href, navigate } from '../router.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, Status, onSubmit, text, tokenField, useAction, useLoad, useTitle } from '../ui.js';
import { GROUP_TYPES } from './account.js';
import { type InviteKind, InviteForm } from './invite.js';
import { MembersTable, groupMember, userMember } from './privileges.js';

/** The zone's predefined group: every zone administrator administers it, whatever they hold in it. */
const ADMINS_GROUP = 'admins';

/** A value, or null where the zone refuses this user a look (the privileges of others, say). */
const orNull = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);

/** What the zone shows only with `group_view_data`: null when it refuses (403); other failures fail the page. */
const visible = <T>(p: Promise<T>): Promise<T | null> =>
  p.catch((err: unknown) => {
    if (err instanceof OnezoneError && err.status === 403) return null;
    throw err;
  });

async function loadGroup(client: OnezoneClient, id: string, myId: string, admin: boolean) {
  const [group, myGroups, direct, effective, nestedIds, parentIds, spaceIds, mine] = await Promise.all([
    // Any member, direct or through a subgroup, may read this; the rest needs `group_view_data`.
    client.user.group(id),
    client.user.groups(),
    visible(client.groups.users(id)),
    visible(client.groups.effectiveUsers(id)),
    visible(client.groups.nested(id)),
    visible(client.groups.parents(id)),
    visible(client.groupSpaces.list(id)),
    // What the zone decides by: direct and through subgroups. Null when it is not shown to the user.
    visible(client.groups.effectiveUserPrivileges(id, myId)),
  ]);
  const users =
    direct &&
    (await Promise.all(
      direct.map(async (uid) => ({ id: uid, details: await orNull(client.groups.user(id, uid)), privileges: await orNull(client.groups.userPrivileges(id, uid)) })),
    ));
  const viaSubgroups =
    direct && effective && (await Promise.all(effective.filter((uid) => !direct.includes(uid)).map(async (uid) => ({ id: uid, details: await orNull(client.groups.effectiveUser(id, uid)) }))));
  const nested =
    nestedIds &&
    (await Promise.all(
      nestedIds.map(async (nid) => ({ id: nid, details: await orNull(client.groups.nestedGroup(id, nid)), privileges: await orNull(client.groups.nestedPrivileges(id, nid)) })),
    ));
  const parents = parentIds && (await Promise.all(parentIds.map(async (pid) => ({ id: pid, details: await orNull(client.groups.parent(id, pid)) }))));
  const spaces = spaceIds && (await Promise.all(spaceIds.map(async (sid) => ({ id: sid, details: await orNull(client.groupSpaces.get(id, sid)) }))));
  const may = (p: GroupPrivilege) => mine === null || mine.includes(p) || (admin && id === ADMINS_GROUP);
  return { group, isDirect: myGroups.includes(id), users, viaSubgroups, nested, parents, spaces, may };
}

export function GroupPage({ id }: { id: string }) {
  const { session } = useContext(SessionContext);
  const { client, me } = session;
  const loaded = useLoad(() => loadGroup(client, id, me.userId, session.admin), [id]);
  const action = useAction();
  const d = loaded.data;
  useTitle(d ? `Group ${d.group.name}` : 'Group');
  if (!d) return html`<h1>Group</h1>${loaded.loading ? html`<p role="status">Loading…</p>` : html`<${ErrorMessage} error=${loaded.error} />`}`;
  const hidden = (what: string) => html`<p class="muted">The ${what} of this group are not visible to you.</p>`;
  // A privilege editor saves and reads the page again; there is none where they may not be set.
  const saver = (set: (member: string, list: GroupPrivilege[]) => Promise<void>) =>
    d.may('group_set_privileges')
      ? async (member: string, list: GroupPrivilege[]) => {
          await set(member, list);
          loaded.reload();
        }
      : undefined;
  return html`
    <h1>Group ${d.group.name}</h1>
    <p><span class="tag">${d.group.type}</span> ID <code>${d.group.groupId}</code></p>
    ${d.may('group_change_data')
      ? html`<form class="inline" onSubmit=${onSubmit((data) => action.run(async () => {
          await client.groups.modify(id, { name: text(data, 'name'), type: text(data, 'type') as GroupType });
          loaded.reload();
          return 'Group changed.';
        }))}>
          <label>Name <input name="name" defaultValue=${d.group.name} required /></label>
          <label>Type <select name="type">${GROUP_TYPES.map((t) => html`<option value=${t} selected=${t === d.group.type}>${t}</option>`)}</select></label>
          <button type="submit" disabled=${action.busy}>Save</button>
        </form>`
      : null}
    ${d.isDirect
      ? html`<p>
          <button type="button" disabled=${action.busy} onClick=${() => action.run(async () => {
            await client.user.leaveGroup(id);
            navigate(href.account);
          })}>Leave this group</button>
        </p>`
      : // The zone refuses a user leaving a group they are in only through a subgroup.
        html`<p>You are a member of this group through a subgroup, not directly: to leave it, leave that subgroup.</p>`}
    <${ErrorMessage} error=${action.error} />
    <${Status}>${action.done}<//>

    <section aria-labelledby="users">
      <h2 id="users">Users</h2>
      ${d.users === null
        ? hidden('members')
        : html`<${MembersTable} heads=${['Name', 'Login']} names=${GROUP_PRIVILEGES} members=${d.users.map((u) => userMember(u, me.userId))} save=${saver((uid, list) => client.groups.setUserPrivileges(id, uid, list))} />`}
      ${d.viaSubgroups && d.viaSubgroups.length > 0
        ? html`<h3>Members through subgroups</h3>
            <ul>${d.viaSubgroups.map((u) => html`<li>${u.details ? `${u.details.name} (${u.details.login})` : html`<code>${u.id}</code>`}</li>`)}</ul>`
        : null}
    </section>

    <section aria-labelledby="subgroups">
      <h2 id="subgroups">Subgroups</h2>
      ${d.nested === null
        ? hidden('subgroups')
        : d.nested.length === 0
          ? html`<p>No group is a subgroup of this group.</p>`
          : html`<${MembersTable} heads=${['Group', 'Type']} names=${GROUP_PRIVILEGES} members=${d.nested.map(groupMember)} save=${saver((nid, list) => client.groups.setNestedPrivileges(id, nid, list))} />`}
    </section>

    <section aria-labelledby="parents">
      <h2 id="parents">Parent groups</h2>
      ${d.parents === null
        ? hidden('parent groups')
        : d.parents.length === 0
          ? html`<p>This group is a subgroup of no group.</p>`
          : // Its members are members of each parent: they may open its page.
            html`<ul>${d.parents.map((p) => html`<li>${p.details ? html`<a href=${href.group(p.id)}>${p.details.name}</a> <span class="tag">${p.details.type}</span>` : html`<code>${p.id}</code>`}</li>`)}</ul>`}
      ${d.may('group_join_group') ? html`<${JoinParent} groupId=${id} joined=${loaded.reload} />` : null}
    </section>

    <section aria-labelledby="spaces">
      <h2 id="spaces">Spaces</h2>
      ${d.spaces === null
        ? hidden('spaces')
        : d.spaces.length === 0
          ? html`<p>This group is a member of no space.</p>`
          : html`<ul>${d.spaces.map((s) => html`<li>${s.details ? html`<a href=${href.space(s.id)}>${s.details.name}</a>` : html`<code>${s.id}</code>`}</li>`)}</ul>`}
      ${d.may('group_join_space') ? html`<p>With an invite for a group, <a href=${href.join}>this group can join a space</a>.</p>` : null}
    </section>

    <${GroupInvite} groupId=${id} may=${d.may} />
  `;
}

/** `POST /groups/{id}/nested/join`: this group becomes a subgroup of the group whose invite is pasted. */
function JoinParent({ groupId, joined }: { groupId: string; joined: () => void }) {
  const { session } = useContext(SessionContext);
  const { client } = session;
  const action = useAction();
  return html`
    <form aria-labelledby="join-parent" onSubmit=${onSubmit((data, form) => action.run(async () => {
      const parentId = await client.groups.joinNested(groupId, text(data, 'token'));
      form.reset();
      joined();
      // The join is done: the parent's name is only a nicety (reading it needs group_view_data here).
      const name = await client.groups.parent(groupId, parentId).then((p) => p.name, () => parentId);
      return html`This group is a subgroup of <a href=${href.group(parentId)}>${name}</a>.`;
    }))}>
      <h3 id="join-parent">Join a parent group</h3>
      <p>With an invite for a subgroup: this group becomes a subgroup of the group that issued it, and its members become members of that group.</p>
      ${tokenField('Subgroup invite token')}
      <button type="submit" disabled=${action.busy}>Join as a subgroup</button>
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </form>
  `;
}

/**
 * Mints an invite for a user or a subgroup (extension: usage limit, lifetime and privileges), of
 * the kinds `may` allows; the privileges of the new member are offered to those who may set them.
 */
function GroupInvite({ groupId, may }: { groupId: string; may: (p: GroupPrivilege) => boolean }) {
  const { session } = useContext(SessionContext);
  const { groups } = session.client;
  const kinds: InviteKind<GroupPrivilege>[] = [];
  if (may('group_invite_user')) kinds.push({ value: 'user', label: 'user', tokenLabel: 'Invite token for a user', mint: (o) => groups.createUserInvite(groupId, o) });
  if (may('group_invite_group')) kinds.push({ value: 'group', label: 'subgroup', tokenLabel: 'Invite token for a subgroup', mint: (o) => groups.createNestedInvite(groupId, o) });
  const privileges = may('group_set_privileges') ? { names: GROUP_PRIVILEGES, defaults: ['group_view_data'] as GroupPrivilege[] } : undefined;
  return kinds.length > 0 ? html`<${InviteForm} kinds=${kinds} privileges=${privileges} />` : null;
}
