import { after } from 'node:test';
import type { BrowserWindow, Element } from 'happy-dom';
import { Ui } from '../helpers/browser.js';
import type { TestZone } from '../helpers/zone.js';

/** Opens tabs of the zone's web UI (at `hash`), all closed when the test file ends. */
export function tabsOf(z: TestZone): (hash?: string) => Promise<Ui> {
  const opened: Ui[] = [];
  after(() => Promise.all(opened.map((ui) => ui.close())));
  return async (hash) => {
    const ui = await Ui.open(z, hash);
    opened.push(ui);
    return ui;
  };
}

/**
 * A reload of the tab: a new window running the page again, with the tab's sessionStorage kept
 * (as browsers keep it) and the browser behaviour happy-dom lacks (`likeBrowsers`). `before` runs
 * in the new window before the page's script: to make its fetch fail, say.
 */
export async function reload(ui: Ui, before?: (window: BrowserWindow) => void): Promise<void> {
  const storage = ui.window.sessionStorage;
  const kept = Array.from({ length: storage.length }, (_, i) => storage.key(i)!).map((k) => [k, storage.getItem(k)!] as const);
  await ui.page.goto(ui.window.location.href, {
    beforeContentCallback: (window) => {
      likeBrowsers(window);
      for (const [k, v] of kept) window.sessionStorage.setItem(k, v);
      before?.(window);
    },
  });
  await ui.settle();
}

/**
 * What happy-dom leaves out and browsers have, where the UI depends on it: the `spellcheck`
 * property, a boolean reflecting the attribute. preact sets the property of an element that has
 * one, so in a browser a string "false" turns spell-checking on (`spellcheck="true"`).
 */
function likeBrowsers(window: BrowserWindow): void {
  Object.defineProperty(window.HTMLElement.prototype, 'spellcheck', {
    configurable: true,
    get(this: Element) {
      return this.getAttribute('spellcheck') !== 'false';
    },
    set(this: Element, value: unknown) {
      this.setAttribute('spellcheck', value ? 'true' : 'false');
    },
  });
}
