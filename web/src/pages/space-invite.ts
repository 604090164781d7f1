import { useContext, useState } from 'preact/hooks';
import { html } from '../html.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, SecretOnce, onSubmit, text, useAction } from '../ui.js';

const LIFETIMES: [string, number][] = [
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
  ['30 days', 30 * 86_400],
];

/** Mints an invite for a user or a group (extension: usage limit and lifetime). */
export function SpaceInvite({ spaceId }: { spaceId: string }) {
  const { session } = useContext(SessionContext);
  const action = useAction();
  const [minted, setMinted] = useState<{ token: string; label: string } | null>(null);
  // Unlimited: the number of uses neither counts nor blocks the form.
  const [unlimited, setUnlimited] = useState(false);
  return html`
    <section aria-labelledby="invite">
      <h2 id="invite">Invite</h2>
      <form onSubmit=${onSubmit((data) => action.run(async () => {
        setMinted(null);
        const forGroup = text(data, 'for') === 'group';
        const usageLimit = unlimited ? 'infinity' : Number(text(data, 'uses'));
        const opts = { usageLimit, ttl: Number(text(data, 'ttl')) } as const;
        const token = forGroup
          ? await session.client.spaces.createGroupInvite(spaceId, opts)
          : await session.client.spaces.createUserInvite(spaceId, opts);
        setMinted({ token, label: forGroup ? 'Invite token for a group' : 'Invite token for a user' });
      }))}>
        <fieldset>
          <legend>Invite a</legend>
          <label class="check"><input type="radio" name="for" value="user" defaultChecked /> user</label>
          <label class="check"><input type="radio" name="for" value="group" /> group</label>
        </fieldset>
        <label>Number of uses <input name="uses" type="number" min="1" max="1000000" step="1" defaultValue="1" required=${!unlimited} disabled=${unlimited} /></label>
        <label class="check"><input type="checkbox" checked=${unlimited} onChange=${(e: Event) => setUnlimited((e.currentTarget as HTMLInputElement).checked)} /> Unlimited uses</label>
        <label>Valid for <select name="ttl">${LIFETIMES.map(([label, s]) => html`<option value=${s} selected=${s === 86_400}>${label}</option>`)}</select></label>
        <button type="submit" disabled=${action.busy}>Create invite</button>
      </form>
      <${ErrorMessage} error=${action.error} />
      ${minted ? html`<${SecretOnce} label=${minted.label} value=${minted.token} />` : null}
    </section>
  `;
}
