import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcceptanceBatch } from '../api/domain/acceptance/use-cases.ts';
import { hashPassword } from '../api/domain/auth/passwords.ts';
import { DEMO_PASSWORDS, startUiPlatform, type UiPlatform } from './support/browser.ts';
import { samplePhoto } from './support/evidence.ts';
import { eventually } from './support/platform.ts';

interface TaskView {
  key: string;
  elementId: string;
  processInstanceKey: string;
}

describe('evidence in the browser', () => {
  let ui: UiPlatform;
  let batch: string;
  beforeAll(async () => {
    ui = await startUiPlatform();
    // a crew of a branch of its own, with a password to log in with
    DEMO_PASSWORDS['crew.ev-e2e'] = 'crew-e2e-2026';
    await ui.database.sql`
      insert into app_user (username, password_hash, display_name, role, groups, branch)
      values ('crew.ev-e2e', ${await hashPassword('crew-e2e-2026')}, '验收班组（测试）', 'clerk', ${['acceptance-ev-e2e']}, 'ev-e2e')
      on conflict do nothing`;
    await ui.database.sql`
      insert into enterprise_line (line_id, customer, branch, service, a_end, z_end, in_inventory_at)
      values ('DL-EV-E2E', '浏览器测试客户', 'ev-e2e', 'internet-line', 'A', 'Z', '2025-01-10T10:00:00+08:00') on conflict do nothing`;
    batch = (await startAcceptanceBatch({ month: '2025-01', engine: ui.engine, engineTimeoutMs: 5000 })).processInstanceKey;
  });
  afterAll(async () => {
    await ui?.close();
  });

  const openTask = (group: string, elementId: string) =>
    eventually(async () =>
      ((await ui.app.inject({ method: 'GET', url: `/tasks?group=${group}&limit=500` })).json() as TaskView[]).find(
        (t) => t.processInstanceKey === batch && t.elementId === elementId,
      ),
    );

  it('a crew photographs the signed forms from a phone-sized page, sees the thumbnails, and the response center rejects one with a reason', async () => {
    const onsite = await openTask('acceptance-ev-e2e', 'onsite-acceptance');

    // given the crew's on-site acceptance opened on a 390-px-wide phone
    const phone = await ui.loginAs('crew.ev-e2e', { viewport: { width: 390, height: 844 } });
    const row = phone.locator(`tr[data-task-key="${onsite.key}"]`);
    await row.waitFor();
    await row.click();
    await phone.locator('[data-action=claim]').click();
    await phone.locator('[data-action=complete]').waitFor();
    const panel = phone.locator('[data-testid=evidence]');
    await panel.locator('input[data-kind=acceptance-summary][data-capture]').waitFor({ state: 'attached' });
    expect(await panel.getByText('还需上传').count()).toBe(1);

    // the camera input: images only, the rear camera, several at once
    const camera = panel.locator('input[data-kind=acceptance-summary][data-capture]');
    expect(await camera.getAttribute('capture')).toBe('environment');
    expect(await camera.getAttribute('accept')).toBe('image/*');
    expect(await camera.getAttribute('multiple')).not.toBeNull();

    // when the crew takes a photo of each signed form
    for (const kind of ['acceptance-summary', 'onsite-report', 'completion-documents']) {
      await panel
        .locator(`input[data-kind=${kind}][data-capture]`)
        .setInputFiles({ name: `${kind}.jpg`, mimeType: 'image/jpeg', buffer: await samplePhoto({ width: 1200, height: 900, gps: true }) });
      await panel.locator(`[data-evidence-kind=${kind}] figure img[src^="blob:"]`).waitFor();
    }

    // then each shows as a thumbnail, the panel says all is there, and a tap shows the full photo
    await panel.locator('[data-testid=evidence-status].ok').waitFor();
    const thumbnailWidth = await panel
      .locator('[data-evidence-kind=acceptance-summary] figure img')
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(thumbnailWidth).toBe(320);
    // (the panel fits the phone's width)
    const box = await panel.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await panel.scrollIntoViewIfNeeded();
    await ui.screenshot(phone, 'evidence-phone');
    await panel.locator('[data-evidence-kind=onsite-report] .evidence-thumb').click();
    const full = phone.locator('[data-testid=evidence-full] img');
    await full.waitFor();
    await eventually(async () => (await full.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) === 1200);
    await phone.locator('[data-testid=evidence-full]').click();
    await phone.locator('[data-action=complete]').click();
    await phone.locator('[data-testid=task-completed]').waitFor();

    // and the response center, on a desktop, rejects the on-site report with a reason
    const review = await openTask('customer-response-center', 'review-acceptance');
    const desk = await ui.loginAs('clerk.response');
    await desk.locator(`tr[data-task-key="${review.key}"]`).click();
    await desk.locator('[data-action=claim]').click();
    await desk.locator('[data-action=reject]').waitFor(); // the task drawn again, now claimed
    const reviewPanel = desk.locator('[data-testid=evidence]');
    const report = reviewPanel.locator('[data-evidence-kind=onsite-report] figure');
    await report.locator('img[src^="blob:"]').waitFor();
    expect(await reviewPanel.locator('input[type=file]').count()).toBe(0); // the reviewer judges, the crew uploads
    await report.locator('[data-action=reject-evidence]').click();
    await report.locator('[data-field=reject-reason]').fill('签字不清晰，请重新拍摄');
    await report.locator('[data-action=confirm-reject]').click();
    await reviewPanel.locator('[data-testid=evidence-rejected]').getByText('签字不清晰，请重新拍摄').waitFor();
    await ui.screenshot(desk, 'evidence-review-rejected');

    const [rejected] = await ui.database.sql<{ rejection_reason: string; rejected_by: string }[]>`
      select rejection_reason, rejected_by from evidence where business_key = 'DL-EV-E2E' and kind = 'onsite-report'`;
    expect(rejected).toEqual({ rejection_reason: '签字不清晰，请重新拍摄', rejected_by: 'clerk.response' });
    await ui.engine.deleteProcessInstance(batch).catch(() => undefined);
  });
});
