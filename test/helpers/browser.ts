import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser, type BrowserPage, type Element, type HTMLInputElement } from 'happy-dom';
import { ensureBuilt } from './process.js';
import type { TestZone } from './zone.js';

/**
 * The web UI as a person uses it: a happy-dom browser loads `/ui/` from a real zone (the page,
 * its script and stylesheet as the zone serves them from dist/web) and runs the bundle, whose
 * fetch reaches the zone's API. Each `Ui` is a browser of its own (its own sessionStorage).
 */
export class Ui {
  private constructor(
    private readonly browser: Browser,
    readonly page: BrowserPage,
  ) {}

  static async open(z: TestZone, hash = ''): Promise<Ui> {
    ensureBuilt();
    const browser = new Browser({
      settings: {
        // Our own bundle, from our own server: the only script this browser runs.
        enableJavaScriptEvaluation: true,
        suppressInsecureJavaScriptEnvironmentWarning: true,
        enableCSSFileLoading: true,
      },
    });
    const ui = new Ui(browser, browser.newPage());
    await ui.page.goto(`${new URL(z.baseUrl).origin}/ui/${hash}`);
    await ui.settle();
    return ui;
  }

  get window() {
    return this.page.mainFrame.window;
  }

  get document() {
    return this.page.mainFrame.document;
  }

  /** The page's text, whitespace collapsed. */
  text(root: { textContent: string | null } = this.document.body): string {
    return (root.textContent ?? '').replace(/\s+/g, ' ').trim();
  }

  /** Waits for every fetch and timer the page started, and the renders they cause. */
  async settle(): Promise<void> {
    await this.page.waitUntilComplete();
  }

  /**
   * Waits until `check` returns something (the UI answers after its API calls): settles, then
   * looks again, a bounded number of times.
   */
  async until<T>(check: () => T | null | undefined | false, what: string): Promise<T> {
    for (let i = 0; i < 100; i++) {
      const found = check();
      if (found) return found;
      await this.settle();
      await sleep(i < 10 ? 1 : 20);
    }
    assert.fail(`the page never showed ${what}; it shows: ${this.text().slice(0, 1500)}`);
  }

  /** Waits for this text anywhere in `root` (default: the page). */
  async see(text: string, root?: () => { textContent: string | null } | null): Promise<void> {
    await this.until(() => this.text((root ? root() : null) ?? this.document.body).includes(text), `"${text}"`);
  }

  /** The form or section whose heading (h1/h2/h3) reads `heading`. */
  region(heading: string): Element {
    const h = [...this.document.querySelectorAll('h1, h2, h3')].find((e) => this.text(e) === heading);
    assert.ok(h, `no heading "${heading}" in: ${this.text().slice(0, 500)}`);
    return h.closest('form, section') ?? this.document.body;
  }

  /** The control a label names: the label's own words (not its control's content), exactly. */
  control(label: string, root: Element = this.document.body): HTMLInputElement {
    const own = (l: Element) =>
      [...l.childNodes]
        .filter((n) => n.nodeType === 3 || (n.nodeType === 1 && !(n as Element).matches('input, textarea, select')))
        .map((n) => n.textContent)
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
    const found = [...root.querySelectorAll('label')].find((l) => own(l) === label);
    assert.ok(found, `no field labelled "${label}" in: ${this.text(root).slice(0, 500)}`);
    const input = found.querySelector('input, textarea, select');
    assert.ok(input, `label "${label}" has no control`);
    return input as HTMLInputElement;
  }

  fill(label: string, value: string, root?: Element): void {
    const input = this.control(label, root);
    input.value = value;
    input.dispatchEvent(new this.window.Event('input', { bubbles: true }));
  }

  /** Clicks the button whose visible text (screen-reader-only words aside) is `name`. */
  async click(name: string, root: Element = this.document.body): Promise<void> {
    const visible = (b: Element) => [...b.childNodes].filter((n) => !(n.nodeType === 1 && (n as Element).matches('.sr-only'))).map((n) => n.textContent).join('').trim();
    const button = [...root.querySelectorAll('button')].find((b) => visible(b) === name || this.text(b) === name);
    assert.ok(button, `no button "${name}" in: ${this.text(root).slice(0, 500)}`);
    assert.equal(button.disabled, false, `button "${name}" is disabled`);
    button.click();
    await this.settle();
  }

  /** The text of the error shown (role=alert), if any. */
  alerts(): string[] {
    return [...this.document.querySelectorAll('[role=alert]')].map((e) => this.text(e));
  }

  async go(hash: string): Promise<void> {
    this.window.location.hash = hash;
    await this.settle();
  }

  async signIn(login: string, password: string): Promise<void> {
    const form = this.region('With your login and password');
    this.fill('Login', login, form);
    this.fill('Password', password, form);
    await this.click('Sign in', form);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
