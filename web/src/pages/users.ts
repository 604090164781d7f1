import { useContext } from 'preact/hooks';
import { html } from '../html.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, Status, onSubmit, text, useAction, useTitle } from '../ui.js';

/** Extension `POST /users` (zone administrators): new accounts with a login and password. */
export function UsersPage() {
  useTitle('Users');
  const { session } = useContext(SessionContext);
  const action = useAction();
  return html`
    <h1>Users</h1>
    <form onSubmit=${onSubmit((data, form) => action.run(async () => {
      const user = await session.client.users.create({ login: text(data, 'login'), name: text(data, 'name'), password: String(data.get('password') ?? '') });
      form.reset();
      return html`Created user <strong>${user.login}</strong> (ID <code>${user.userId}</code>). Give them their password privately.`;
    }))}>
      <h2>Create a user</h2>
      <label>Login <input name="login" autocomplete="off" autocapitalize="off" spellcheck=${false} required /></label>
      <label>Name <input name="name" autocomplete="off" required /></label>
      <label>Password <input name="password" type="password" autocomplete="new-password" required /></label>
      <button type="submit" disabled=${action.busy}>Create user</button>
    </form>
    <${ErrorMessage} error=${action.error} />
    <${Status}>${action.done}<//>
  `;
}
