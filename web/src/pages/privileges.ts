import { html } from '../html.js';
import { ErrorMessage, Status, onSubmit, useAction } from '../ui.js';

/** `space_invite_user` -> `invite user`, `group_join_group` -> `join group`. */
export const privilegeLabel = (p: string): string => p.replace(/^(space|group)_/, '').replaceAll('_', ' ');

export function PrivilegeList({ privileges }: { privileges: readonly string[] | null }) {
  if (privileges === null) return html`<span class="muted">not visible to you</span>`;
  if (privileges.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="privileges">${privileges.map((p) => html`<li><abbr title=${p}>${privilegeLabel(p)}</abbr></li>`)}</ul>`;
}

/** A checkbox for each privilege in `names` (a space's or a group's), `checked` ticked. */
export function PrivilegeChecks({ legend, names, checked }: { legend: string; names: readonly string[]; checked: readonly string[] }) {
  return html`<fieldset>
    <legend>${legend}</legend>
    ${names.map((p) => html`<label class="check"><input type="checkbox" name="privilege" value=${p} defaultChecked=${checked.includes(p)} /> ${privilegeLabel(p)}</label>`)}
  </fieldset>`;
}

/** The privileges ticked in a form of `PrivilegeChecks`. */
export const checkedPrivileges = <P extends string>(data: FormData): P[] => data.getAll('privilege').map(String) as P[];

/** Checkboxes for each privilege of `names`, saved together (the API replaces the whole list). */
export function PrivilegeEditor<P extends string>({ who, names, current, save }: { who: string; names: readonly P[]; current: readonly P[]; save: (list: P[]) => Promise<void> }) {
  const action = useAction();
  return html`<details>
    <summary>Change privileges<span class="sr-only"> of ${who}</span></summary>
    <form onSubmit=${onSubmit((data) => action.run(async () => {
      await save(checkedPrivileges<P>(data));
      return `Privileges of ${who} saved.`;
    }))}>
      <${PrivilegeChecks} legend=${`Privileges of ${who}`} names=${names} checked=${current} />
      <button type="submit" disabled=${action.busy}>Save privileges</button>
      <${ErrorMessage} error=${action.error} />
      <${Status}>${action.done}<//>
    </form>
  </details>`;
}
