import type { ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { SessionContext, describeError, isUnauthenticated } from './session.js';

/** A failed call, in the zone's words, announced to assistive technology. */
export function ErrorMessage({ error }: { error: unknown }) {
  return error ? html`<p class="error" role="alert">${describeError(error)}</p>` : null;
}

/**
 * A success message, read out politely. The live region stays in the page, empty between
 * messages: screen readers announce changes to a region they already know, not a new one.
 */
export function Status({ children }: { children: ComponentChildren }) {
  return html`<p class="status" role="status">${children}</p>`;
}

/** The result of loading a page's data; `reload` fetches again after a change. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads data with the session's client; a 401 ends the session. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const { expire } = useContext(SessionContext);
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (!current) return;
        if (isUnauthenticated(error)) expire(error);
        else setState({ data: undefined, error, loading: false });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

/** What the user asked for: busy while it runs, its error or success message after. */
export function useAction() {
  const { expire } = useContext(SessionContext);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ComponentChildren>(null);
  const run = async (action: () => Promise<ComponentChildren | void>): Promise<void> => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone((await action()) ?? null);
    } catch (err) {
      if (isUnauthenticated(err)) expire(err);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}

/** A form's submit handler: no page load, the fields as FormData. */
export function onSubmit(handler: (data: FormData, form: HTMLFormElement) => void) {
  return (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    handler(new FormData(form), form);
  };
}

export const text = (data: FormData, name: string): string => String(data.get(name) ?? '').trim();

/** A pasted invite token: never spell-checked (the browser would send it to a spelling service), autocompleted or capitalised. */
export const tokenField = (label: string) =>
  html`<label>${label} <textarea name="token" rows="3" autocomplete="off" autocapitalize="off" spellcheck=${false} required></textarea></label>`;

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Onezone`;
  }, [title]);
}

/** Unix seconds as a UTC date and time. */
export function When({ at }: { at: number | null }) {
  if (at === null) return html`never`;
  const iso = new Date(at * 1000).toISOString();
  return html`<time datetime=${iso}>${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** A secret shown once (an invite token) with a button that copies it. */
export function SecretOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copying failed: select the text and copy it.');
    }
  };
  return html`<div class="secret">
    <label>${label} <textarea readonly rows="3" autocomplete="off" spellcheck=${false} class="token">${value}</textarea></label>
    <p class="hint">It is shown only this once: copy it now and pass it on privately.</p>
    <button type="button" onClick=${copy}>Copy</button>
    <${Status}>${copied}<//>
  </div>`;
}
