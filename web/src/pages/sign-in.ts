import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { tokenFromPassword } from '../session.js';
import { ErrorMessage, Status, onSubmit, text, useTitle } from '../ui.js';

/** Login and password (Basic, exchanged at once for an access token), or an access token pasted. */
export function SignInPage({ start, notice }: { start: (token: string) => Promise<void>; notice: string | null }) {
  useTitle('Sign in');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const attempt = async (getToken: () => Promise<string>, form: HTMLFormElement) => {
    setBusy(true);
    setError(null);
    try {
      await start(await getToken());
    } catch (err) {
      setError(err);
      setBusy(false);
      form.querySelector<HTMLInputElement>('input[type=password], textarea')?.select();
    }
  };
  return html`
    <main class="sign-in">
      <h1>Sign in to Onezone</h1>
      <${Status}>${notice}<//>
      <${ErrorMessage} error=${error} />
      <form aria-labelledby="with-password" onSubmit=${onSubmit((data, form) => attempt(() => tokenFromPassword(text(data, 'login'), String(data.get('password') ?? '')), form))}>
        <h2 id="with-password">With your login and password</h2>
        <label>Login <input name="login" autocomplete="username" autocapitalize="off" spellcheck=${false} required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit" disabled=${busy}>Sign in</button>
      </form>
      <form aria-labelledby="with-token" onSubmit=${onSubmit((data, form) => attempt(async () => text(data, 'token'), form))}>
        <h2 id="with-token">With an access token</h2>
        <label>Access token <textarea name="token" rows="3" autocomplete="off" autocapitalize="off" spellcheck=${false} required></textarea></label>
        <button type="submit" disabled=${busy}>Use this token</button>
      </form>
    </main>
  `;
}
