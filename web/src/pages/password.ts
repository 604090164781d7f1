import { useContext } from 'preact/hooks';
import { html } from '../html.js';
import { InputError, SessionContext, describeError, isUnauthenticated } from '../session.js';
import { ErrorMessage, Status, onSubmit, useAction } from '../ui.js';

/**
 * Extension `PATCH /user/password`: the current password proves it is the account's owner. The
 * API does not say whether an account has a password (every account it creates has one), so the
 * form is always there; the zone refuses one without ("This account has no password to change.").
 * The new password is typed twice and compared here; its rules (length) are the zone's, and so
 * are its words when it refuses. Access tokens, this session's too, stay valid. The hidden login
 * tells password managers whose password changes.
 */
export function ChangePassword() {
  const { session } = useContext(SessionContext);
  const { client } = session;
  const action = useAction();
  const field = (data: FormData, name: string) => String(data.get(name) ?? '');
  return html`
    <form aria-labelledby="change-password" onSubmit=${onSubmit((data, form) => action.run(async () => {
      const next = field(data, 'newPassword');
      if (next !== field(data, 'newPasswordAgain')) {
        form.querySelector<HTMLInputElement>('input[name=newPasswordAgain]')?.select();
        throw new InputError('The new password and its repetition differ: type the same new password twice.');
      }
      try {
        await client.user.changePassword(field(data, 'oldPassword'), next);
      } catch (err) {
        if (!isUnauthenticated(err)) throw err;
        // A wrong current password is a 401 too: the session ends only if the zone refuses its token.
        const refused = await client.user.get().then(
          () => null,
          (check: unknown) => check,
        );
        if (isUnauthenticated(refused)) throw refused;
        form.querySelector<HTMLInputElement>('input[name=oldPassword]')?.select();
        throw new InputError(describeError(err));
      }
      form.reset();
      return 'Password changed. Sign in with the new one from now on; your sessions stay signed in.';
    }))}>
      <h2 id="change-password">Change password</h2>
      <input type="text" name="username" autocomplete="username" defaultValue=${session.me.login} readonly hidden />
      <label>Current password <input name="oldPassword" type="password" autocomplete="current-password" required /></label>
      <label>New password <input name="newPassword" type="password" autocomplete="new-password" required /></label>
      <label>New password again <input name="newPasswordAgain" type="password" autocomplete="new-password" required /></label>
      <button type="submit" disabled=${action.busy}>Change password</button>
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </form>
  `;
}
