import { useContext } from 'preact/hooks';
import type { Group, GroupType, Space } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, Status, onSubmit, text, useAction, useLoad, useTitle } from '../ui.js';
import { ChangePassword } from './password.js';

export const GROUP_TYPES: GroupType[] = ['organization', 'unit', 'team', 'role'];

export function AccountPage() {
  useTitle('My account');
  const { session, refreshMe } = useContext(SessionContext);
  const { me } = session;
  const rename = useAction();
  return html`
    <h1>My account</h1>
    <dl class="facts">
      <dt>Name</dt><dd>${me.name}</dd>
      <dt>Login</dt><dd>${me.login}</dd>
      <dt>Alias</dt><dd>${me.alias || '—'}</dd>
      <dt>Emails</dt><dd>${me.emailList.length > 0 ? me.emailList.join(', ') : '—'}</dd>
      <dt>User ID</dt><dd><code>${me.userId}</code></dd>
    </dl>
    <form class="inline" onSubmit=${onSubmit((data) => rename.run(async () => {
      await session.client.user.modify({ name: text(data, 'name') });
      await refreshMe();
      return 'Name changed.';
    }))}>
      <label>Name <input name="name" defaultValue=${me.name} required /></label>
      <button type="submit" disabled=${rename.busy}>Change name</button>
    </form>
    <${ErrorMessage} error=${rename.error} />
    <${Status}>${rename.done}<//>
    <${ChangePassword} />
    <${MySpaces} />
    <${MyGroups} />
  `;
}

function MySpaces() {
  const { session } = useContext(SessionContext);
  const { client } = session;
  const spaces = useLoad(async () => {
    const { spaces: ids, default: preferred } = await client.user.spaces();
    const list = await Promise.all(ids.map((id) => client.user.space(id)));
    return { list, preferred };
  }, []);
  const action = useAction();
  const act = (what: () => Promise<unknown>, done: string) =>
    action.run(async () => {
      await what();
      spaces.reload();
      return done;
    });
  return html`
    <section aria-labelledby="my-spaces">
      <h2 id="my-spaces">My spaces</h2>
      <${ErrorMessage} error=${spaces.error} />
      ${spaces.data?.list.length === 0 ? html`<p>You are in no space yet: create one, or <a href=${href.join}>join one with an invite</a>.</p>` : null}
      <ul class="rows">
        ${spaces.data?.list.map(
          (s: Space) => html`<li>
            <a href=${href.space(s.spaceId)}>${s.name}</a>
            ${s.spaceId === spaces.data!.preferred ? html` <span class="tag">default</span>` : null}
            <span class="actions">
              ${s.spaceId === spaces.data!.preferred
                ? null
                : html`<button type="button" disabled=${action.busy} onClick=${() => act(() => client.user.setDefaultSpace(s.spaceId), `${s.name} is now your default space.`)}>Make default<span class="sr-only"> ${s.name}</span></button>`}
              <button type="button" disabled=${action.busy} onClick=${() => act(() => client.user.leaveSpace(s.spaceId), `You left ${s.name}.`)}>Leave<span class="sr-only"> ${s.name}</span></button>
            </span>
          </li>`,
        )}
      </ul>
      <form class="inline" onSubmit=${onSubmit((data, form) => act(async () => {
        await client.user.createSpace(text(data, 'name'));
        form.reset();
      }, `Space ${text(data, 'name')} created.`))}>
        <label>New space name <input name="name" required /></label>
        <button type="submit" disabled=${action.busy}>Create space</button>
      </form>
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </section>
  `;
}

function MyGroups() {
  const { session } = useContext(SessionContext);
  const { client } = session;
  const groups = useLoad(async () => {
    const [direct, effective] = await Promise.all([client.user.groups(), client.user.effectiveGroups()]);
    const details = (ids: string[]) => Promise.all(ids.map((id) => client.user.group(id)));
    const [list, viaSubgroups] = await Promise.all([details(direct), details(effective.filter((id) => !direct.includes(id)))]);
    return { list, viaSubgroups };
  }, []);
  const action = useAction();
  const act = (what: () => Promise<unknown>, done: string) =>
    action.run(async () => {
      await what();
      groups.reload();
      return done;
    });
  return html`
    <section aria-labelledby="my-groups">
      <h2 id="my-groups">My groups</h2>
      <${ErrorMessage} error=${groups.error} />
      ${groups.data?.list.length === 0 ? html`<p>You are in no group yet: create one, or <a href=${href.join}>join one with an invite</a>.</p>` : null}
      <ul class="rows">
        ${groups.data?.list.map(
          (g: Group) => html`<li>
            <a href=${href.group(g.groupId)}>${g.name}</a> <span class="tag">${g.type}</span>
            <span class="actions">
              <button type="button" disabled=${action.busy} onClick=${() => act(() => client.user.leaveGroup(g.groupId), `You left ${g.name}.`)}>Leave<span class="sr-only"> ${g.name}</span></button>
            </span>
          </li>`,
        )}
      </ul>
      ${groups.data && groups.data.viaSubgroups.length > 0
        ? html`<h3>Through subgroups</h3>
            <p>You belong to these groups through one of their subgroups.</p>
            <ul>${groups.data.viaSubgroups.map((g: Group) => html`<li><a href=${href.group(g.groupId)}>${g.name}</a> <span class="tag">${g.type}</span></li>`)}</ul>`
        : null}
      <form class="inline" onSubmit=${onSubmit((data, form) => act(async () => {
        await client.user.createGroup(text(data, 'name'), text(data, 'type') as GroupType);
        form.reset();
      }, `Group ${text(data, 'name')} created.`))}>
        <label>New group name <input name="name" required /></label>
        <label>Type <select name="type">${GROUP_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
        <button type="submit" disabled=${action.busy}>Create group</button>
      </form>
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </section>
  `;
}
