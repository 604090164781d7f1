import { useContext } from 'preact/hooks';
import { type OnezoneClient, OnezoneError, SPACE_PRIVILEGES, type SpacePrivilege } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { href, navigate } from '../router.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, Status, onSubmit, text, useAction, useLoad, useTitle } from '../ui.js';
import { MembersTable, groupMember, userMember } from './privileges.js';
import { SpaceInvite } from './space-invite.js';

/** A value, or null where the zone refuses this user a look (privileges of others, say). */
const orNull = <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);

/** What the zone shows only with `space_view_data`: null when it refuses (403); other failures fail the page. */
const visible = <T>(p: Promise<T>): Promise<T | null> =>
  p.catch((err: unknown) => {
    if (err instanceof OnezoneError && err.status === 403) return null;
    throw err;
  });

async function loadSpace(client: OnezoneClient, id: string, myId: string) {
  const [space, direct, effective, groupIds, providerIds, mine] = await Promise.all([
    // Any member, direct or through a group, may read this; the rest needs `space_view_data`.
    client.user.space(id),
    visible(client.spaces.users(id)),
    visible(client.spaces.users(id, { effective: true })),
    visible(client.spaces.groups(id)),
    orNull(client.providers.ofSpace(id)),
    // What the zone decides by: direct and through groups. Null when it is not shown to the user.
    orNull(client.spaces.userPrivileges(id, myId, { effective: true })),
  ]);
  const users =
    direct &&
    (await Promise.all(
      direct.map(async (uid) => ({ id: uid, details: await orNull(client.spaces.user(id, uid)), privileges: await orNull(client.spaces.userPrivileges(id, uid)) })),
    ));
  const viaGroups =
    direct && effective && (await Promise.all(effective.filter((uid) => !direct.includes(uid)).map(async (uid) => ({ id: uid, details: await orNull(client.spaces.user(id, uid)) }))));
  const groups =
    groupIds &&
    (await Promise.all(
      groupIds.map(async (gid) => ({ id: gid, details: await orNull(client.spaces.group(id, gid)), privileges: await orNull(client.spaces.groupPrivileges(id, gid)) })),
    ));
  const providers = providerIds === null ? null : await Promise.all(providerIds.map(async (pid) => ({ id: pid, details: await orNull(client.providers.inSpace(id, pid)) })));
  const may = (p: SpacePrivilege) => mine === null || mine.includes(p);
  return { space, users, viaGroups, groups, providers, may };
}

const hidden = (what: string) => html`<p class="muted">The ${what} of this space are not visible to you.</p>`;

export function SpacePage({ id }: { id: string }) {
  const { session } = useContext(SessionContext);
  const { client, me } = session;
  const loaded = useLoad(() => loadSpace(client, id, me.userId), [id]);
  const action = useAction();
  const d = loaded.data;
  useTitle(d ? `Space ${d.space.name}` : 'Space');
  if (!d) return html`<h1>Space</h1>${loaded.loading ? html`<p role="status">Loading…</p>` : html`<${ErrorMessage} error=${loaded.error} />`}`;
  // A privilege editor saves and reads the page again; there is none where they may not be set.
  const saver = (set: (member: string, list: SpacePrivilege[]) => Promise<void>) =>
    d.may('space_set_privileges')
      ? async (member: string, list: SpacePrivilege[]) => {
          await set(member, list);
          loaded.reload();
        }
      : undefined;
  return html`
    <h1>Space ${d.space.name}</h1>
    <p>ID <code>${d.space.spaceId}</code></p>
    ${d.may('space_change_data')
      ? html`<form class="inline" onSubmit=${onSubmit((data) => action.run(async () => {
          await client.spaces.rename(id, text(data, 'name'));
          loaded.reload();
          return 'Space renamed.';
        }))}>
          <label>Name <input name="name" defaultValue=${d.space.name} required /></label>
          <button type="submit" disabled=${action.busy}>Rename</button>
        </form>`
      : null}
    ${d.users === null || d.users.some((u) => u.id === me.userId)
      ? // Where the members are not visible, the zone decides whether the user is one directly.
        html`<p>
          <button type="button" disabled=${action.busy} onClick=${() => action.run(async () => {
            await client.user.leaveSpace(id);
            navigate(href.account);
          })}>Leave this space</button>
        </p>`
      : // The zone refuses a user leaving a space they are in only through a group.
        html`<p>You are a member of this space through a group, not directly: to leave it, leave the group, or have the group leave the space.</p>`}
    <${ErrorMessage} error=${action.error} />
    <${Status}>${action.done}<//>

    <section aria-labelledby="users">
      <h2 id="users">Users</h2>
      ${d.users === null
        ? hidden('users')
        : html`<${MembersTable} heads=${['Name', 'Login']} names=${SPACE_PRIVILEGES} members=${d.users.map((u) => userMember(u, me.userId))} save=${saver((uid, list) => client.spaces.setUserPrivileges(id, uid, list))} />`}
      ${d.viaGroups && d.viaGroups.length > 0
        ? html`<h3>Members through groups</h3>
            <ul>${d.viaGroups.map((u) => html`<li>${u.details ? `${u.details.name} (${u.details.login})` : html`<code>${u.id}</code>`}</li>`)}</ul>`
        : null}
    </section>

    <section aria-labelledby="groups">
      <h2 id="groups">Groups</h2>
      ${d.groups === null
        ? hidden('groups')
        : d.groups.length === 0
        ? html`<p>No group is a member of this space.</p>`
        : html`<${MembersTable} heads=${['Group', 'Type']} names=${SPACE_PRIVILEGES} members=${d.groups.map(groupMember)} save=${saver((gid, list) => client.spaces.setGroupPrivileges(id, gid, list))} />`}
    </section>

    <${SpaceInvite} spaceId=${id} may=${d.may} />

    <section aria-labelledby="providers">
      <h2 id="providers">Providers</h2>
      ${d.providers === null
        ? hidden('providers')
        : d.providers.length === 0
          ? html`<p>No provider supports this space yet.</p>`
          : html`<table>
              <thead><tr><th scope="col">Provider</th><th scope="col">URLs</th><th scope="col">Support (bytes)</th></tr></thead>
              <tbody>
                ${d.providers.map(
                  (p) => html`<tr>
                    <th scope="row">${p.details?.clientName ?? p.id}</th>
                    <td>${p.details?.urls.join(', ') ?? ''}</td>
                    <td>${d.space.providersSupports[p.id] ?? ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    </section>
  `;
}
