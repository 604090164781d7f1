import { useContext } from 'preact/hooks';
import { html } from '../html.js';
import { href } from '../router.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, Status, onSubmit, text, useAction, useTitle } from '../ui.js';

/** Joining a space or a group with an invite token someone passed on. */
export function JoinPage() {
  useTitle('Join');
  const { session } = useContext(SessionContext);
  const { client } = session;
  const space = useAction();
  const group = useAction();
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
      <label>Space invite token <textarea name="token" rows="3" autocomplete="off" spellcheck="false" required></textarea></label>
      <button type="submit" disabled=${space.busy}>Join space</button>
      <${ErrorMessage} error=${space.error} />
      <${Status}>${space.done}<//>
    </form>
    <form aria-labelledby="join-group" onSubmit=${onSubmit((data, form) => group.run(async () => {
      const id = await client.user.joinGroup(text(data, 'token'));
      form.reset();
      const joined = await client.user.group(id);
      return `You are a member of the group ${joined.name}.`;
    }))}>
      <h2 id="join-group">Join a group</h2>
      <label>Group invite token <textarea name="token" rows="3" autocomplete="off" spellcheck="false" required></textarea></label>
      <button type="submit" disabled=${group.busy}>Join group</button>
      <${ErrorMessage} error=${group.error} />
      <${Status}>${group.done}<//>
    </form>
  `;
}
