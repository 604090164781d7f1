import { useContext } from 'preact/hooks';
import { html } from '../html.js';
import { href } from '../router.js';
import { SessionContext } from '../session.js';
import type { Group } from '../../../src/client/browser.js';
import { ErrorMessage, Status, onSubmit, text, tokenField, useAction, useLoad, useTitle, type Loaded } from '../ui.js';

/** Joining a space or a group with an invite token someone passed on; or a space with one of my groups. */
export function JoinPage() {
  useTitle('Join');
  const { session } = useContext(SessionContext);
  const { client } = session;
  const space = useAction();
  const group = useAction();
  // The groups a group invite could be used with: one joined above is one of them at once.
  const groups = useLoad(async () => Promise.all((await client.user.groups()).map((id) => client.user.group(id))), []);
  return html`
    <h1>Join with an invite</h1>
    <p>Paste the invite token you were given. Each invite is for either a space or a group.</p>
    <form aria-labelledby="join-space" onSubmit=${onSubmit((data, form) => space.run(async () => {
      const id = await client.user.joinSpace(text(data, 'token'));
      form.reset();
      const joined = await client.user.space(id);
      return html`You are a member of <a href=${href.space(id)}>${joined.name}</a>.`;
    }))}>
      <h2 id="join-space">Join a space</h2>
      ${tokenField('Space invite token')}
      <button type="submit" disabled=${space.busy}>Join space</button>
      <${ErrorMessage} error=${space.error} />
      <${Status}>${space.done}<//>
    </form>
    <form aria-labelledby="join-group" onSubmit=${onSubmit((data, form) => group.run(async () => {
      const id = await client.user.joinGroup(text(data, 'token'));
      form.reset();
      groups.reload();
      const joined = await client.user.group(id);
      return `You are a member of the group ${joined.name}.`;
    }))}>
      <h2 id="join-group">Join a group</h2>
      ${tokenField('Group invite token')}
      <button type="submit" disabled=${group.busy}>Join group</button>
      <${ErrorMessage} error=${group.error} />
      <${Status}>${group.done}<//>
    </form>
    <${JoinWithGroup} groups=${groups} />
  `;
}

/** `POST /groups/{id}/spaces/join`: one of my groups joins a space with an invite for a group. */
function JoinWithGroup({ groups }: { groups: Loaded<Group[]> }) {
  const { session } = useContext(SessionContext);
  const { client } = session;
  const action = useAction();
  return html`
    <form aria-labelledby="join-with-group" onSubmit=${onSubmit((data, form) => action.run(async () => {
      const groupId = text(data, 'group');
      const id = await client.groupSpaces.join(groupId, text(data, 'token'));
      form.reset();
      // The join needs group_join_space only; the space's name, one of the user's spaces now, is
      // a nicety: its id where it cannot be read.
      const space = await client.user.space(id).then((s) => s.name, () => id);
      const name = groups.data?.find((g) => g.groupId === groupId)?.name ?? groupId;
      return html`The group ${name} is a member of <a href=${href.space(id)}>${space}</a>.`;
    }))}>
      <h2 id="join-with-group">Join a space with one of my groups</h2>
      <p>With an invite for a group to a space: the group becomes a member, and so does everyone in it.</p>
      <${ErrorMessage} error=${groups.error} />
      ${groups.data?.length === 0
        ? html`<p>You are in no group yet.</p>`
        : html`<label>Group <select name="group" required>${groups.data?.map((g) => html`<option value=${g.groupId}>${g.name}</option>`)}</select></label>
            ${tokenField('Space invite token for a group')}
            <button type="submit" disabled=${action.busy || !groups.data}>Join space with the group</button>`}
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </form>
  `;
}
