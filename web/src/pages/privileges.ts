import { SPACE_PRIVILEGES, type SpacePrivilege } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { ErrorMessage, Status, onSubmit, useAction } from '../ui.js';

/** `space_invite_user` -> `invite user`. */
export const privilegeLabel = (p: string): string => p.replace(/^space_/, '').replaceAll('_', ' ');

export function PrivilegeList({ privileges }: { privileges: readonly string[] | null }) {
  if (privileges === null) return html`<span class="muted">not visible to you</span>`;
  if (privileges.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="privileges">${privileges.map((p) => html`<li><abbr title=${p}>${privilegeLabel(p)}</abbr></li>`)}</ul>`;
}

/** Checkboxes for each space privilege, saved together (the API replaces the whole list). */
export function PrivilegeEditor({ who, current, save }: { who: string; current: readonly SpacePrivilege[]; save: (list: SpacePrivilege[]) => Promise<void> }) {
  const action = useAction();
  return html`<details>
    <summary>Change privileges<span class="sr-only"> of ${who}</span></summary>
    <form onSubmit=${onSubmit((data) => action.run(async () => {
      await save(data.getAll('privilege').map(String) as SpacePrivilege[]);
      return `Privileges of ${who} saved.`;
    }))}>
      <fieldset>
        <legend>Privileges of ${who}</legend>
        ${SPACE_PRIVILEGES.map(
          (p) => html`<label class="check"><input type="checkbox" name="privilege" value=${p} defaultChecked=${current.includes(p)} /> ${privilegeLabel(p)}</label>`,
        )}
      </fieldset>
      <button type="submit" disabled=${action.busy}>Save privileges</button>
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </form>
  </details>`;
}
