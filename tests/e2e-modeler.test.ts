import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionFiles, deployDefinitions } from '../definitions/deploy.ts';
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

    // and deploying it makes a new version, which the modeler then shows
    await page.locator('[data-action=deploy]').click();
    await page.locator(`[data-testid=modeler-canvas][data-version="${before + 1}"]`).waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid=version-select] option:checked').innerText()).resolves.toContain(`v${before + 1}`);
    expect(await latestVersion('home-broadband-new-install')).toBe(before + 1);
    const xml = await ui.app.inject({ method: 'GET', url: '/process-definitions/home-broadband-new-install/xml' });
    expect(xml.body).toContain('Order-center review (资料审核)');
    await ui.screenshot(page, 'modeler-deployed');
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
