import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { AccountPage } from './pages/account.js';
import { AuditPage } from './pages/audit.js';
import { JoinPage } from './pages/join.js';
import { SignInPage } from './pages/sign-in.js';
import { SpacePage } from './pages/space.js';
import { TokensPage } from './pages/tokens.js';
import { UsersPage } from './pages/users.js';
import { type Route, href, navigate, useRoute } from './router.js';
import { type Session, SessionContext, type SessionContextValue, describeError, forgetToken, openSession, saveToken, savedToken } from './session.js';
import { useTitle } from './ui.js';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [starting, setStarting] = useState(() => savedToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const start = async (token: string) => {
    const opened = await openSession(token);
    saveToken(token);
    setNotice(null);
    setSession(opened);
  };
  const signOut = (message: string | null) => {
    forgetToken();
    setSession(null);
    setNotice(message);
    navigate(href.account);
  };

  // A reload of the tab keeps the session: the token in sessionStorage is checked again.
  useEffect(() => {
    const token = savedToken();
    if (token === null) return;
    start(token)
      .catch((err: unknown) => signOut(`Signed out: ${describeError(err)}`))
      .finally(() => setStarting(false));
  }, []);

  if (starting) return html`<p role="status">Loading…</p>`;
  if (!session) return html`<${SignInPage} start=${start} notice=${notice} />`;
  const context: SessionContextValue = {
    session,
    refreshMe: async () => setSession({ ...session, me: await session.client.user.get() }),
    expire: (err) => signOut(`Your session ended: ${describeError(err)} Sign in again.`),
  };
  // Sign out revokes the token on the zone, then forgets it here whatever the zone answered: a
  // token that expired or was revoked meanwhile, or a zone out of reach, must not keep anyone in.
  const signOutHere = async () => {
    await session.client.user.signOut().catch(() => undefined);
    signOut('Signed out.');
  };
  return html`<${SessionContext.Provider} value=${context}><${Shell} signOut=${signOutHere} /><//>`;
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
