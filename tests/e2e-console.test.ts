import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORDS, startUiPlatform, type UiPlatform } from './support/browser.ts';

/** The operators' console in Chromium, reached from our UI, with the same login. */
describe("the operators' console in the browser", () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
  }, 120_000);
  afterAll(async () => ui?.close());

  it('a process owner opens Cockpit from the top bar and logs in with the password used everywhere else', async () => {
    const page = await ui.loginAs('owner.process');
    const link = page.locator('header.topbar a[href="/operaton/app/cockpit/default/"]');
    await expect(link.textContent()).resolves.toContain('运维控制台');
    const [cockpit] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    const failures: string[] = [];
    cockpit.on('response', (r) => r.status() >= 500 && failures.push(`${r.status()} ${r.url()}`));
    await cockpit.waitForSelector('input[type=password]', { timeout: 30_000 });
    await cockpit.fill('input[type=text], input:not([type])', 'owner.process');
    await cockpit.fill('input[type=password]', DEMO_PASSWORDS['owner.process']!);
    await cockpit.click('button[type=submit]');
    // the dashboard names the deployed processes
    await cockpit.getByText('Processes').first().waitFor({ timeout: 30_000 });
    await cockpit.goto(`${ui.baseUrl}/operaton/app/cockpit/default/#/processes`);
    await cockpit.getByText('home-broadband-new-install').first().waitFor({ timeout: 30_000 });
    await ui.screenshot(cockpit, 'console-cockpit-processes');
    expect(failures).toEqual([]);
  }, 120_000);

  it('refuses a clerk in the browser too, and shows clerks no way there', async () => {
    const page = await ui.loginAs('clerk.urumqi');
    expect(await page.locator('a[href^="/operaton/"]').count()).toBe(0);
    await page.goto(`${ui.baseUrl}/operaton/app/cockpit/default/`);
    await page.waitForSelector('input[type=password]', { timeout: 30_000 });
    await page.fill('input[type=text], input:not([type])', 'clerk.urumqi');
    await page.fill('input[type=password]', DEMO_PASSWORDS['clerk.urumqi']!);
    const [login] = await Promise.all([page.waitForResponse((r) => r.url().includes('/login/cockpit')), page.click('button[type=submit]')]);
    expect(login.status()).toBe(401);
  }, 60_000);
});
