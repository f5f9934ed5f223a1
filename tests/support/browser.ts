import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureUiBuilt } from '../../modeler-ui/build.ts';
import { startPlatform, type Platform } from './platform.ts';

/**
 * End-to-end tests drive the built web UI (modeler-ui/dist/) in Debian's Chromium against the real
 * API listening on a random port, with the real workers, projector, engine and database.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
/** The reference screenshots of docs/ui.md, per role, renewed by the browser tests. */
export const REFERENCE_SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const pageProblems = new WeakMap<Page, string[]>();

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--lang=zh-CN',
];

export interface UiPlatform extends Platform {
  baseUrl: string;
  browser: Browser;
  /** A new browser window (own storage) of a given size, logged in as `username` through the login page. */
  loginAs(username: string, options?: { viewport?: { width: number; height: number }; lang?: 'zh' | 'en' }): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  /** A reference screenshot kept in docs/screenshots/ (what each role's pages look like). */
  referenceScreenshot(page: Page, name: string): Promise<string>;
  /** What went wrong on a page so far: page errors, console errors, failed requests and 5xx answers. */
  problemsOf(page: Page): string[];
}

export const DEMO_PASSWORDS: Record<string, string> = {
  'customer.zhang': 'demo-customer-2026',
  'clerk.urumqi': 'demo-clerk-2026',
  'clerk.response': 'demo-clerk-2026',
  'owner.process': 'demo-owner-2026',
  'leader.region': 'demo-leader-2026',
  admin: 'demo-admin-2026',
};

export async function startUiPlatform(): Promise<UiPlatform> {
  await ensureUiBuilt({ log: () => {} });
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk (see .ci/run)`);
  const platform = await startPlatform();
  await platform.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = platform.fastify.server.address();
  if (!address || typeof address === 'string') throw new Error('the API is not listening on a TCP port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  // playwright gives the browser a fresh profile directory of its own (no --user-data-dir here).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });

  return {
    ...platform,
    baseUrl,
    browser,
    async loginAs(username, { viewport = { width: 1440, height: 900 }, lang = 'zh' } = {}) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      pageProblems.set(page, problems);
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => {
        // navigating away cancels what the previous page still polled: not a failure of the page
        if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? ''))
          problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`);
      });
      page.on('response', (r) => r.status() >= 500 && problems.push(`${r.status()} ${r.request().method()} ${r.url()}`));
      page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && console.error(`[browser console] ${m.text()}`));
      page.on('response', (r) => r.status() >= 500 && console.error(`[browser] ${r.status()} ${r.url()}`));
      await page.goto(`${baseUrl}/#/login`);
      await page.evaluate((l) => localStorage.setItem('tlp.lang', l), lang);
      await page.reload();
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', DEMO_PASSWORDS[username] ?? '');
      await page.click('button[type=submit]');
      await page.waitForSelector('header.topbar');
      return page;
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      // a screenshot docs/ keeps as a reference is renewed with it
      const reference = join(REFERENCE_SCREENSHOTS, `${name}.png`);
      if (existsSync(reference)) copyFileSync(path, reference);
      return path;
    },
    async referenceScreenshot(page, name) {
      mkdirSync(REFERENCE_SCREENSHOTS, { recursive: true });
      const path = join(REFERENCE_SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    problemsOf(page) {
      return [...(pageProblems.get(page) ?? [])];
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await platform.close();
    },
  };
}
