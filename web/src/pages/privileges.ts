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

/** A member as `MembersTable` shows it: a user (name, login) or a group (name, type). */
export interface Member<P extends string> {
  id: string;
  name: string;
  /** The name as its row heads it (`(you)` for the signed-in user). */
  label?: string;
  /** The second column: a user's login, a group's type. */
  second: string;
  /** Null when the caller may not see them. */
  privileges: readonly P[] | null;
}

/**
 * Members and their privileges: the users or groups of a space, the users or subgroups of a
 * group. With `save` (the caller may set privileges), an editor in each row whose privileges are
 * visible.
 */
export function MembersTable<P extends string>({ heads, members, names, save }: {
  heads: readonly [string, string];
  members: readonly Member<P>[];
  names: readonly P[];
  save: ((id: string, list: P[]) => Promise<void>) | undefined;
}) {
  return html`<table>
    <thead><tr><th scope="col">${heads[0]}</th><th scope="col">${heads[1]}</th><th scope="col">Privileges</th></tr></thead>
    <tbody>
      ${members.map((m) => html`<tr>
        <th scope="row">${m.label ?? m.name}</th>
        <td>${m.second}</td>
        <td>
          <${PrivilegeList} privileges=${m.privileges} />
          ${save && m.privileges ? html`<${PrivilegeEditor} who=${m.name} names=${names} current=${m.privileges} save=${(list: P[]) => save(m.id, list)} />` : null}
        </td>
      </tr>`)}
    </tbody>
  </table>`;
}

/** A user row of `MembersTable`, from what a page read (details null: not visible). */
export function userMember<P extends string>(
  u: { id: string; details: { name: string; login: string } | null; privileges: readonly P[] | null },
  me: string,
): Member<P> {
  const name = u.details?.name ?? u.id;
  return { id: u.id, name, label: u.id === me ? `${name} (you)` : name, second: u.details?.login ?? '', privileges: u.privileges };
}

/** A group row of `MembersTable`. */
export function groupMember<P extends string>(g: { id: string; details: { name: string; type: string } | null; privileges: readonly P[] | null }): Member<P> {
  return { id: g.id, name: g.details?.name ?? g.id, second: g.details?.type ?? '', privileges: g.privileges };
}
