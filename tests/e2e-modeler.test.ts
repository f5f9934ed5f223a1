import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionFiles, deployDefinitions } from '../definitions/deploy.ts';
import { readdirSync } from 'node:fs';
import { startUiPlatform, type UiPlatform } from './support/browser.ts';

interface ProcessDefinition {
  processId: string;
  latestVersion: number;
}

/** Opens a collapsed group of the properties panel. */
async function openGroup(page: Page, groupId: string) {
  const group = page.locator(`[data-testid=properties-panel] [data-group-id=${groupId}]`);
  await group.waitFor();
  if ((await group.locator('.bio-properties-panel-group-entries.open').count()) === 0)
    await group.locator('.bio-properties-panel-group-header').click();
}

describe('the process modeler in the browser', () => {
  let ui: UiPlatform;
  beforeAll(async () => {
    ui = await startUiPlatform();
  });
  afterAll(async () => {
    // Later suites read the home-broadband stage names: deploy the repository's version again.
    if (ui)
      await deployDefinitions(
        ui.engine,
        definitionFiles().filter((f) => f.name === 'home-broadband-new-install.bpmn'),
      );
    await ui?.close();
  });

  const latestVersion = async (processId: string) => {
    const list = (await ui.app.inject({ method: 'GET', url: '/process-definitions' })).json() as ProcessDefinition[];
    return list.find((p) => p.processId === processId)!.latestVersion;
  };

  it('the main processes open whole on one screen, in Chinese, for the reference screenshots', async () => {
    const page = await ui.loginAs('owner.process');
    for (const [processId, names] of [
      ['home-broadband-new-install', ['处理错单（订单）', '4小时', '资源不足']],
      ['fault-trouble-ticket', ['上门修复', '修复临近时限']],
      ['enterprise-line-new-install', ['分公司施工包', '资源核查']],
    ] as const) {
      await page.locator(`[data-process=${processId}]`).click();
      const canvas = page.locator('[data-testid=modeler-canvas]');
      await page.locator(`[data-testid=modeler-canvas][data-version="${await latestVersion(processId)}"]`).waitFor();
      await canvas.locator('g.djs-shape').first().waitFor();
      await page.locator('[data-testid=error-count]').waitFor();
      // opened as deployed: nothing to deploy
      await page.locator('[data-testid=modeler-canvas][data-dirty=false]').waitFor();
      await expect(page.locator('[data-testid=undeployed-changes]').isVisible()).resolves.toBe(false);
      const text = await canvas.innerText();
      for (const name of names) expect(text).toContain(name);
      await ui.referenceScreenshot(page, processId);
    }
    expect(ui.problemsOf(page)).toEqual([]);
  });

  it('a process owner opens the home-broadband process, renames a task, sees the change in the diff, deploys and sees the new version', async () => {
    // given the deployed home-broadband new-install process
    const before = await latestVersion('home-broadband-new-install');

    // when the process owner opens it in the modeler
    const page = await ui.loginAs('owner.process');
    await page.locator('[data-process=home-broadband-new-install]').click();
    const canvas = page.locator('[data-testid=modeler-canvas]');
    await canvas
      .locator(`[data-version="${before}"]`)
      .or(page.locator(`[data-testid=modeler-canvas][data-version="${before}"]`))
      .first()
      .waitFor();
    await page.locator('[data-testid=error-count]').waitFor();
    await expect(page.locator('[data-testid=error-count]').innerText()).resolves.toBe('0');

    // and renames the review task in the properties panel
    await canvas.locator('g.djs-element[data-element-id=review-order]').click();
    await openGroup(page, 'group-general');
    const nameField = page
      .locator('[data-testid=properties-panel] input[name=name], [data-testid=properties-panel] textarea[name=name]')
      .first();
    await nameField.fill('Order-center review (资料审核)');
    await nameField.press('Tab');

    // then the diff against the deployed version shows exactly that task changed
    await page.locator('[data-action=diff]').click();
    await page.locator('[data-testid=changes] [data-change=changed][data-element-id=review-order]').waitFor();
    await expect(page.locator('[data-testid=changes] li').count()).resolves.toBe(1);
    await canvas.locator('g.djs-element.diff-changed[data-element-id=review-order]').waitFor();
    await ui.screenshot(page, 'modeler-diff');
    await expect(page.locator('[data-testid=error-count]').innerText()).resolves.toBe('0');

    // and the badge says the model differs from the deployed version
    await page.locator('[data-testid=modeler-canvas][data-dirty=true]').waitFor();
    await expect(page.locator('[data-testid=undeployed-changes]').innerText()).resolves.toBe('未部署的修改');

    // when they deploy, the modeler asks first, listing the change
    await page.locator('[data-action=deploy]').click();
    const dialog = page.locator('[data-testid=deploy-confirm]');
    await dialog.waitFor();
    await expect(dialog.locator('h2').innerText()).resolves.toContain('确认部署');
    await expect(
      dialog.locator('[data-testid=deploy-changes] li[data-change=changed][data-element-id=review-order]').innerText(),
    ).resolves.toContain('修改');
    await ui.referenceScreenshot(page, 'process-owner-deploy-confirm');
    // (cancelling deploys nothing)
    await dialog.locator('[data-action=cancel-deploy]').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await latestVersion('home-broadband-new-install')).toBe(before);

    // and confirming makes a new version, which the modeler then shows, with no undeployed changes
    await page.locator('[data-action=deploy]').click();
    await page.locator('[data-testid=deploy-confirm] [data-action=confirm-deploy]').click();
    await page.locator(`[data-testid=modeler-canvas][data-version="${before + 1}"]`).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=modeler-canvas][data-dirty=false]').waitFor();
    expect(await page.locator('[data-testid=undeployed-changes]').isVisible()).toBe(false);
    await expect(page.locator('[data-testid=version-select] option:checked').innerText()).resolves.toContain(`v${before + 1}`);
    expect(await latestVersion('home-broadband-new-install')).toBe(before + 1);
    const xml = await ui.app.inject({ method: 'GET', url: '/process-definitions/home-broadband-new-install/xml' });
    expect(xml.body).toContain('Order-center review (资料审核)');
    await ui.screenshot(page, 'modeler-deployed');

    // when they deploy it again untouched, the modeler says nothing changed, and no version is made
    await page.locator('[data-action=deploy]').click();
    await expect(page.locator('[data-testid=deploy-summary]').innerText()).resolves.toBe('模型与已部署的版本相同：部署不会创建新版本。');
    await page.locator('[data-testid=deploy-confirm] [data-action=confirm-deploy]').click();
    await page.locator('.toast', { hasText: '模型与已部署的版本相同，未创建新版本。' }).waitFor();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await latestVersion('home-broadband-new-install')).toBe(before + 1);
    await ui.referenceScreenshot(page, 'process-owner-unchanged');

    // and an edit undone leaves no undeployed changes
    await canvas.locator('g.djs-element[data-element-id=review-order]').click();
    await openGroup(page, 'group-general');
    await nameField.fill('资料审核（临时）');
    await nameField.press('Tab');
    await page.locator('[data-testid=modeler-canvas][data-dirty=true]').waitFor();
    await canvas.click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Z');
    await page.locator('[data-testid=modeler-canvas][data-dirty=false]').waitFor();
    expect(await page.locator('[data-testid=undeployed-changes]').isVisible()).toBe(false);
    expect(ui.problemsOf(page)).toEqual([]);
  });

  it('a process owner opens every form in the form editor, with or without .form in the address', async () => {
    const page = await ui.loginAs('owner.process');
    const forms = readdirSync(new URL('../processes/forms/', import.meta.url)).filter((f) => f.endsWith('.form'));
    expect(forms.length).toBeGreaterThan(20);
    for (const [i, file] of forms.entries()) {
      const address = i % 2 === 0 ? file.replace(/\.form$/, '') : file;
      await page.goto(`${ui.baseUrl}/#/modeler/form/${address}`);
      await page.locator('[data-testid=modeler-canvas][data-loaded=true]').waitFor({ timeout: 15_000 });
      // the editor drew the form's fields and its properties panel
      await page.locator('[data-testid=modeler-canvas] .fjs-editor-container .fjs-form-field').first().waitFor();
      await page.locator('[data-testid=properties-panel] .bio-properties-panel').waitFor();
      expect(await page.locator('[data-testid=modeler-canvas] .error-box').count(), file).toBe(0);
      expect(ui.problemsOf(page), file).toEqual([]);
      if (file === 'order-review.form') await ui.referenceScreenshot(page, 'process-owner-form');
    }
    // the deploy button asks first
    await page.locator('[data-action=deploy]').click();
    await expect(page.locator('[data-testid=deploy-summary]').innerText()).resolves.toContain('未修改');
    await page.locator('[data-testid=deploy-confirm] [data-action=cancel-deploy]').click();
    expect(ui.problemsOf(page)).toEqual([]);
  });

  it('a process owner opens every decision table, with or without .dmn, and no column is clipped', async () => {
    const page = await ui.loginAs('owner.process');
    for (const address of ['install-crew-routing', 'repair-deadline.dmn', 'complaint-guide']) {
      await page.goto(`${ui.baseUrl}/#/modeler/dmn/${address}`);
      await page.locator('[data-testid=modeler-canvas][data-loaded=true]').waitFor({ timeout: 15_000 });
      const table = page.locator('[data-testid=modeler-canvas] .tjs-table');
      await table.waitFor();
      // the editor's own words in Chinese too
      await expect(page.locator('[data-testid=modeler-canvas]').innerText()).resolves.toMatch(/命中策略[\s\S]*当[\s\S]*则/);
      // every header and cell shows its whole text, and the table can be scrolled to its last column
      const clipped =
        await page.evaluate(`[...document.querySelectorAll('.tjs-table thead :is(.input-label, .input-expression, .output-label, .output-name, .input-variable, .output-variable)')]
        .filter((c) => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1).map((c) => c.textContent.trim()).slice(0, 5)`);
      expect(clipped, address).toEqual([]);
      const reachable = await page.evaluate(`(() => {
        const host = document.querySelector('[data-testid=modeler-canvas]');
        const last = [...document.querySelectorAll('.tjs-table thead th')].at(-1);
        last.scrollIntoView({ block: 'nearest', inline: 'end' });
        const a = host.getBoundingClientRect(), b = last.getBoundingClientRect();
        return b.right <= Math.min(a.right, window.innerWidth) + 1 && b.left >= a.left - 1;
      })()`);
      expect(reachable, address).toBe(true);
      await page.evaluate(`document.querySelector('.tjs-table thead th').scrollIntoView({ block: 'nearest', inline: 'start' })`);
      if (address === 'install-crew-routing') await ui.referenceScreenshot(page, 'process-owner-dmn');
    }
    expect(ui.problemsOf(page)).toEqual([]);
  });

  it('the problems panel flags a user task without a candidate group or form (our own lint rule)', async () => {
    const page = await ui.loginAs('owner.process');
    await page.goto(`${ui.baseUrl}/#/modeler/bpmn/home-broadband-new-install`);
    const canvas = page.locator('[data-testid=modeler-canvas]');
    await canvas.locator('g.djs-element[data-element-id=quality-check]').waitFor();
    // when the process owner clears the quality check's candidate group in the properties panel
    await canvas.locator('g.djs-element[data-element-id=quality-check]').click();
    await openGroup(page, 'group-CamundaPlatform__UserAssignment');
    const candidateGroups = page
      .locator('[data-group-id=group-CamundaPlatform__UserAssignment] [data-entry-id*=candidateGroups i]')
      .locator('[contenteditable=true], input')
      .first();
    await candidateGroups.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.locator('[data-testid=properties-panel]').click({ position: { x: 5, y: 5 } });
    // then the problems panel names the rule and the task
    await page.locator('[data-testid=problems] li[data-rule="telecom/user-task-assignment"]').waitFor();
    await expect(page.locator('[data-testid=problems] li[data-rule="telecom/user-task-assignment"]').innerText()).resolves.toContain(
      'quality-check',
    );
    // by its name, in Chinese, with the modeler's own words in Chinese too
    await expect(page.locator('[data-testid=problems] li[data-rule="telecom/user-task-assignment"]').innerText()).resolves.toContain(
      '质检',
    );
    await expect(page.locator('[data-testid=problems] li[data-rule="telecom/user-task-assignment"]').innerText()).resolves.toContain(
      '错误',
    );
    await expect(
      page.locator('[data-group-id=group-CamundaPlatform__UserAssignment] .bio-properties-panel-group-header-title').innerText(),
    ).resolves.toBe('处理人分配');
    await ui.screenshot(page, 'modeler-problems');
  });
});
