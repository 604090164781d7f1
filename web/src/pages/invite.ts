import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { ErrorMessage, SecretOnce, onSubmit, text, useAction } from '../ui.js';
import { PrivilegeChecks, checkedPrivileges } from './privileges.js';

const LIFETIMES: [string, number][] = [
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
  ['30 days', 30 * 86_400],
];

/** What the invite form passes to a kind's `mint` (the extension's invite options). */
export interface MintOptions<P extends string> {
  usageLimit: number | 'infinity';
  ttl: number;
  /** Left out when the member gets the zone's default (the form shows no choice, or it was kept). */
  privileges?: P[];
}

/** One kind of invite the form offers: `label` completes "Invite a …". */
export interface InviteKind<P extends string> {
  value: string;
  label: string;
  /** Names the minted token when it is shown. */
  tokenLabel: string;
  mint(opts: MintOptions<P>): Promise<string>;
}

/**
 * Mints an invite of one of `kinds` (a space's or a group's, those the user may mint), with the
 * extension's usage limit and lifetime, and, when `privileges` is given (the user may set
 * privileges), the privileges the new member gets. The token is shown once.
 */
export function InviteForm<P extends string>({ kinds, privileges }: { kinds: InviteKind<P>[]; privileges?: { names: readonly P[]; defaults: readonly P[] } }) {
  const action = useAction();
  const [minted, setMinted] = useState<{ token: string; label: string } | null>(null);
  // Unlimited: the number of uses neither counts nor blocks the form.
  const [unlimited, setUnlimited] = useState(false);
  return html`
    <section aria-labelledby="invite">
      <h2 id="invite">Invite</h2>
      <form onSubmit=${onSubmit((data) => action.run(async () => {
        setMinted(null);
        const kind = kinds.find((k) => k.value === text(data, 'for')) ?? kinds[0]!;
        const chosen = privileges ? checkedPrivileges<P>(data) : undefined;
        // The default set is not sent: handing it out needs no privilege to set privileges.
        const same = chosen !== undefined && chosen.length === privileges!.defaults.length && chosen.every((p) => privileges!.defaults.includes(p));
        const token = await kind.mint({
          usageLimit: unlimited ? 'infinity' : Number(text(data, 'uses')),
          ttl: Number(text(data, 'ttl')),
          ...(chosen !== undefined && !same && { privileges: chosen }),
        });
        setMinted({ token, label: kind.tokenLabel });
      }))}>
        <fieldset>
          <legend>Invite a</legend>
          ${kinds.map((k, i) => html`<label class="check"><input type="radio" name="for" value=${k.value} defaultChecked=${i === 0} /> ${k.label}</label>`)}
        </fieldset>
        <label>Number of uses <input name="uses" type="number" min="1" max="1000000" step="1" defaultValue="1" required=${!unlimited} disabled=${unlimited} /></label>
        <label class="check"><input type="checkbox" checked=${unlimited} onChange=${(e: Event) => setUnlimited((e.currentTarget as HTMLInputElement).checked)} /> Unlimited uses</label>
        <label>Valid for <select name="ttl">${LIFETIMES.map(([label, s]) => html`<option value=${s} selected=${s === 86_400}>${label}</option>`)}</select></label>
        ${privileges
          ? html`<details>
              <summary>Privileges of the new member</summary>
              <${PrivilegeChecks} legend="The new member gets" names=${privileges.names} checked=${privileges.defaults} />
            </details>`
          : null}
        <button type="submit" disabled=${action.busy}>Create invite</button>
      </form>
      <${ErrorMessage} error=${action.error} />
      ${minted ? html`<${SecretOnce} label=${minted.label} value=${minted.token} />` : null}
    </section>
  `;
}
