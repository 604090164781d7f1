import { useContext, useState } from 'preact/hooks';
import type { AuditEvent, AuditQuery } from '../../../src/client/browser.js';
import { html } from '../html.js';
import { SessionContext } from '../session.js';
import { ErrorMessage, When, onSubmit, text, useLoad, useTitle } from '../ui.js';

const PAGE_SIZE = 50;

const ref = (type: string | null, id: string | null) => (type === null ? '—' : html`${type} <code title=${id ?? ''}>${(id ?? '').slice(0, 8)}</code>`);

/** Extension `/audit` (zone administrators): every change, oldest first, a page at a time. */
export function AuditPage() {
  useTitle('Audit trail');
  const { session } = useContext(SessionContext);
  const [filter, setFilter] = useState<Pick<AuditQuery, 'actorId' | 'targetType' | 'targetId'>>({});
  // The `after` cursor of each page shown so far: the last is the current page.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const page = useLoad(() => session.client.audit.list({ ...filter, after, limit: PAGE_SIZE }), [filter, after]);
  const events: AuditEvent[] = page.data?.events ?? [];
  // The pager waits while a page loads: the page shown until then would be paged from twice.
  const idle = !page.loading;
  return html`
    <h1>Audit trail</h1>
    <form class="inline" aria-label="Filter events" onSubmit=${onSubmit((data) => {
      const pick = (name: string) => text(data, name) || undefined;
      setFilter({ actorId: pick('actorId'), targetType: pick('targetType'), targetId: pick('targetId') });
      setCursors([undefined]);
    })}>
      <label>Actor ID <input name="actorId" /></label>
      <label>Target type <input name="targetType" placeholder="space" /></label>
      <label>Target ID <input name="targetId" /></label>
      <button type="submit">Filter</button>
    </form>
    <${ErrorMessage} error=${page.error} />
    <p role="status">${page.loading ? 'Loading…' : `Page ${cursors.length}: ${events.length} event${events.length === 1 ? '' : 's'}.`}</p>
    ${events.length > 0
      ? html`<table>
          <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Subject</th><th scope="col">Details</th></tr></thead>
          <tbody>
            ${events.map(
              (e) => html`<tr>
                <td>${e.id}</td>
                <td><${When} at=${e.at} /></td>
                <td>${ref(e.actorType, e.actorId)}</td>
                <th scope="row">${e.action}</th>
                <td>${ref(e.targetType, e.targetId)}</td>
                <td>${ref(e.subjectType, e.subjectId)}</td>
                <td>${e.details === null ? '' : html`<code class="details">${JSON.stringify(e.details)}</code>`}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}
    <nav aria-label="Pages" class="pager">
      <button type="button" disabled=${cursors.length === 1 || !idle} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
      <button type="button" disabled=${page.data?.next === undefined || !idle} onClick=${() => {
        const next = page.data!.next;
        // A second click before the page it asked for has come (a double click) asks for it again.
        setCursors((shown) => (shown[shown.length - 1] === next ? shown : [...shown, next]));
      }}>Next page</button>
    </nav>
  `;
}
