import { useContext } from 'preact/hooks';
import type { TokenInfo } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, Status, When, useAction, useLoad, useTitle } from '../ui.js';

/** Extension `/user/tokens`: the user's access tokens and the invites they issued. */
export function TokensPage() {
  useTitle('My tokens');
  const { session, ended } = useContext(SessionContext);
  const { client } = session;
  const tokens = useLoad(() => client.tokens.list(), []);
  const action = useAction();
  const act = (what: () => Promise<void>, done: string) =>
    action.run(async () => {
      await what();
      tokens.reload();
      return done;
    });
  // This tab's own token: revoking or deleting it signs the user out, and its buttons say so.
  const endSession = (what: () => Promise<void>, done: string) =>
    action.run(async () => {
      await what();
      ended(done);
    });
  const now = Date.now() / 1000;
  const state = (t: TokenInfo) =>
    t.revoked ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : t.usageLimit !== 'infinity' && t.usageCount >= t.usageLimit ? 'used up' : 'active';
  return html`
    <h1>My tokens</h1>
    <p>Your access tokens (one per sign-in) and the invites you issued. A revoked token stops working
      until it is unrevoked; a deleted one is gone for good. The tokens themselves are never shown again.</p>
    <${ErrorMessage} error=${tokens.error} />
    <${ErrorMessage} error=${action.error} />
    <${Status}>${action.done}<//>
    ${tokens.data?.length === 0 ? html`<p>You have no tokens.</p>` : null}
    ${tokens.data && tokens.data.length > 0
      ? html`<table>
          <thead>
            <tr><th scope="col">Token</th><th scope="col">Kind</th><th scope="col">For</th><th scope="col">Uses</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            ${tokens.data.map((t) => {
              const short = `${t.tokenId.slice(0, 8)}…`;
              const mine = t.tokenId === session.tokenId;
              return html`<tr>
                <th scope="row"><code title=${t.tokenId}>${short}</code>${mine ? html` <span class="tag">this session</span>` : null}</th>
                <td>${t.kind === 'access' ? 'access' : t.type.replaceAll('_', ' ')}</td>
                <td>${t.target === null ? '—' : t.target.type === 'space' ? html`<a href=${href.space(t.target.id)}>space</a>` : t.target.type}</td>
                <td>${t.kind === 'invite' ? `${t.usageCount} of ${t.usageLimit === 'infinity' ? '∞' : t.usageLimit}` : '—'}</td>
                <td><${When} at=${t.createdAt} /></td>
                <td><${When} at=${t.expiresAt} /></td>
                <td>${state(t)}</td>
                <td class="actions">
                  ${mine
                    ? html`<button type="button" disabled=${action.busy} onClick=${() => endSession(() => client.tokens.setRevoked(t.tokenId, true), 'Signed out: you revoked the token of this session.')}>
                          Revoke and sign out<span class="sr-only"> token ${short}</span>
                        </button>
                        <button type="button" disabled=${action.busy} onClick=${() => endSession(() => client.tokens.remove(t.tokenId), 'Signed out: you deleted the token of this session.')}>
                          Delete and sign out<span class="sr-only"> token ${short}</span>
                        </button>`
                    : html`<button type="button" disabled=${action.busy} onClick=${() => act(() => client.tokens.setRevoked(t.tokenId, !t.revoked), `Token ${short} ${t.revoked ? 'unrevoked' : 'revoked'}.`)}>
                          ${t.revoked ? 'Unrevoke' : 'Revoke'}<span class="sr-only"> token ${short}</span>
                        </button>
                        <button type="button" disabled=${action.busy} onClick=${() => act(() => client.tokens.remove(t.tokenId), `Token ${short} deleted.`)}>
                          Delete<span class="sr-only"> token ${short}</span>
                        </button>`}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>`
      : null}
  `;
}
