import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { OnezoneClient } from '../../src/client/browser.js';
import { html } from './html.js';
import { AccountPage } from './pages/account.js';
import { AuditPage } from './pages/audit.js';
import { GroupPage } from './pages/group.js';
import { JoinPage } from './pages/join.js';
import { SignInPage } from './pages/sign-in.js';
import { SpacePage } from './pages/space.js';
import { TokensPage } from './pages/tokens.js';
import { UsersPage } from './pages/users.js';
import { type Route, href, navigate, useRoute } from './router.js';
import {
  type Session,
  SessionContext,
  type SessionContextValue,
  apiClient,
  describeError,
  forgetToken,
  isUnauthenticated,
  openSession,
  saveToken,
  savedToken,
} from './session.js';
import { ErrorMessage, useTitle } from './ui.js';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [starting, setStarting] = useState(() => savedToken() !== null);
  // Why the saved token could not be checked (no answer, a 5xx): it is kept, and Retry tries again.
  const [unopened, setUnopened] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = (message: string | null) => {
    forgetToken();
    setSession(null);
    setUnopened(null);
    setNotice(message);
    navigate(href.account);
  };
  // Only a 401 ends the session (thrown to the caller, the token forgotten): the zone out of
  // reach or failing must not sign anyone out, nor leave a live token behind that nobody holds.
  const open = async (token: string) => {
    try {
      const opened = await openSession(token);
      setNotice(null);
      setUnopened(null);
      setSession(opened);
    } catch (err) {
      if (isUnauthenticated(err)) {
        forgetToken();
        throw err;
      }
      setUnopened(err);
    }
  };
  // Kept before it is checked: a token just minted from a password survives a failure to check it.
  const start = async (token: string) => {
    saveToken(token);
    await open(token);
  };
  // A reload of the tab keeps the session: the token in sessionStorage is checked again.
  const resume = () => {
    const token = savedToken();
    if (token === null) return;
    setStarting(true);
    open(token)
      .catch((err: unknown) => signOut(`Signed out: ${describeError(err)}`))
      .finally(() => setStarting(false));
  };
  useEffect(resume, []);
  // Sign out revokes the token on the zone, then forgets it here whatever the zone answered: a
  // token that expired or was revoked meanwhile, or a zone out of reach, must not keep anyone in.
  // When the zone could not revoke it, the user is told: it stays valid until it expires.
  const revokeAndSignOut = async (client: OnezoneClient) => {
    const failure = await client.user.signOut().then(
      () => null,
      (err: unknown) => (isUnauthenticated(err) ? null : err),
    );
    signOut(
      failure === null
        ? 'Signed out.'
        : `Signed out in this tab, but the zone did not revoke the access token (${describeError(failure)}): it stays valid until it expires. Sign in again and revoke it under My tokens.`,
    );
  };

  if (starting) return html`<p role="status">Loading…</p>`;
  if (unopened) {
    return html`<${Unopened} error=${unopened} retry=${resume} signOut=${() => revokeAndSignOut(apiClient({ token: savedToken() ?? '' }))} />`;
  }
  if (!session) return html`<${SignInPage} start=${start} notice=${notice} />`;
  const context: SessionContextValue = {
    session,
    refreshMe: async () => setSession({ ...session, me: await session.client.user.get() }),
    expire: (err) => signOut(`Your session ended: ${describeError(err)} Sign in again.`),
    ended: signOut,
  };
  return html`<${SessionContext.Provider} value=${context}><${Shell} signOut=${() => revokeAndSignOut(session.client)} /><//>`;
}

/** The saved token could not be checked, for another reason than the zone refusing it. */
function Unopened({ error, retry, signOut }: { error: unknown; retry: () => void; signOut: () => Promise<void> }) {
  useTitle('Not connected');
  const [signingOut, setSigningOut] = useState(false);
  return html`
    <main class="sign-in">
      <h1>Your session could not be opened</h1>
      <${ErrorMessage} error=${error} />
      <p>You are still signed in: try again when the zone answers, or sign out.</p>
      <p class="buttons">
        <button type="button" onClick=${retry}>Retry</button>
        <button type="button" disabled=${signingOut} onClick=${() => {
          setSigningOut(true);
          void signOut();
        }}>Sign out</button>
      </p>
    </main>
  `;
}

function Shell({ signOut }: { signOut: () => Promise<void> }) {
  const { session } = useContext(SessionContext);
  const [signingOut, setSigningOut] = useState(false);
  const leave = () => {
    setSigningOut(true);
    void signOut();
  };
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  // After a page change, focus moves to the new content (screen readers announce it).
  useEffect(() => main.current?.focus(), [window.location.hash]);
  const links: [string, string, Route['page']][] = [
    [href.account, 'My account', 'account'],
    [href.join, 'Join', 'join'],
    [href.tokens, 'My tokens', 'tokens'],
    ...(session.admin
      ? ([
          [href.audit, 'Audit trail', 'audit'],
          [href.users, 'Users', 'users'],
        ] as [string, string, Route['page']][])
      : []),
  ];
  return html`
    <header>
      <p class="brand">Onezone</p>
      <nav aria-label="Main">
        <ul>
          ${links.map(([to, label, page]) => html`<li><a href=${to} aria-current=${route.page === page ? 'page' : undefined}>${label}</a></li>`)}
        </ul>
      </nav>
      <p class="who">
        Signed in as <strong>${session.me.name}</strong> (${session.me.login})
        <button type="button" disabled=${signingOut} onClick=${leave}>Sign out</button>
      </p>
    </header>
    <main tabindex="-1" ref=${main}>${page(route, session)}</main>
  `;
}

function page(route: Route, session: Session) {
  switch (route.page) {
    case 'account':
      return html`<${AccountPage} />`;
    case 'join':
      return html`<${JoinPage} />`;
    case 'space':
      return html`<${SpacePage} key=${route.id} id=${route.id} />`;
    case 'group':
      return html`<${GroupPage} key=${route.id} id=${route.id} />`;
    case 'tokens':
      return html`<${TokensPage} />`;
    case 'audit':
      return session.admin ? html`<${AuditPage} />` : html`<${Missing} />`;
    case 'users':
      return session.admin ? html`<${UsersPage} />` : html`<${Missing} />`;
    case 'missing':
      return html`<${Missing} />`;
  }
}

function Missing() {
  useTitle('Not found');
  return html`<h1>Not found</h1><p>There is no such page. <a href=${href.account}>Go to your account.</a></p>`;
}
