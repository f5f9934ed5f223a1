import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAcceptanceBatch } from '../api/domain/acceptance/use-cases.ts';
import { chinaDate } from '../calendar/business-calendar.ts';
import { createOperatonClock } from '../engine/operaton-engine.ts';
import { acceptanceDue } from '../workers/job-types/list-lines-for-acceptance.ts';
import { ACCEPTANCE_KINDS, samplePhoto, upload } from './support/evidence.ts';
import { engineEvents } from './support/orders.ts';
import { eventually, startPlatform, type Platform } from './support/platform.ts';

interface TaskView {
  key: string;
  elementId: string;
  processInstanceKey: string;
}
interface EvidenceView {
  id: string;
  kind: string;
  fileName: string;
  rejected: { reason: string; by: string } | null;
}
interface TaskEvidence {
  canReject: boolean;
  missing: { kinds: string[]; count: number };
  files: EvidenceView[];
}

/** The monthly acceptance with the real workers: evidence required, a photo rejected, the 25th's deadline checked by a worker. */
describe('evidence in the acceptance and handover process', () => {
  let platform: Platform;
  const clock = createOperatonClock(inject('operatonUrl'));
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    platform = await startPlatform();
    for (const branch of ['ev-reject', 'ev-late', 'ev-intime']) {
      await platform.database.sql`
        insert into app_user (username, password_hash, display_name, role, groups, branch)
        values (${`crew.${branch}`}, 'not-a-login', ${`施工队 ${branch}`}, 'clerk', ${[`acceptance-${branch}`]}, ${branch}) on conflict do nothing`;
      tokens[branch] = await platform.tokenFor(`crew.${branch}`);
    }
    tokens.response = await platform.tokenFor('clerk.response');
  });
  afterAll(async () => platform?.close());

  const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    platform.fastify.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  const task = (token: string, group: string, instance: string, elementId: string) =>
    eventually(async () =>
      ((await call(token, 'GET', `/tasks?group=${group}&limit=500`)).json() as TaskView[]).find(
        (t) => t.processInstanceKey === instance && t.elementId === elementId,
      ),
    );
  const evidenceOf = async (token: string, taskKey: string) =>
    (await call(token, 'GET', `/tasks/${taskKey}/evidence`)).json() as TaskEvidence;
  const complete = (token: string, key: string, variables: object) => call(token, 'POST', `/tasks/${key}/complete`, { variables });
  const photos = async (kinds: string[]) =>
    Promise.all(kinds.map(async (kind) => ({ field: kind, fileName: `${kind}.jpg`, content: await samplePhoto() })));
  const lineIn = async (lineId: string, branch: string, month: string) => {
    await platform.database.sql`
      insert into enterprise_line (line_id, customer, branch, service, a_end, z_end, in_inventory_at)
      values (${lineId}, '证据流程测试客户', ${branch}, 'internet-line', 'A', 'Z', ${`${month}-10T10:00:00+08:00`}) on conflict do nothing`;
    return (await startAcceptanceBatch({ month, engine: platform.engine, engineTimeoutMs: 5000 })).processInstanceKey;
  };
  const escalations = (instance: string, lineId: string) =>
    platform.database.sql<{ element_id: string; level: string }[]>`
      select element_id, level from escalation where subject_id = ${lineId} and process_instance_key = ${instance} order by id`;

  it('the response center rejects one photo with a reason: the crew sees it in the rectification, replaces it, and the line is accepted', async () => {
    const batch = await lineIn('DL-EV-REJECT', 'ev-reject', '2025-03');
    const crew = tokens['ev-reject']!;
    const response = tokens.response!;

    // given the crew's on-site acceptance, which cannot be completed before the signed paper forms are photographed
    const onsite = await task(crew, 'acceptance-ev-reject', batch, 'onsite-acceptance');
    const early = await complete(crew, onsite.key, {});
    expect(early.statusCode).toBe(422);
    expect(early.json()).toMatchObject({ code: 'EVIDENCE_MISSING' });
    expect((await upload(platform, onsite.key, await photos(ACCEPTANCE_KINDS), crew)).statusCode).toBe(201);
    expect((await complete(crew, onsite.key, {})).statusCode).toBe(204);

    // when the response center's review rejects the on-site report's photo with a reason
    const review = await task(response, 'customer-response-center', batch, 'review-acceptance');
    const inReview = await evidenceOf(response, review.key);
    expect(inReview.canReject).toBe(true);
    const report = inReview.files.find((f) => f.kind === 'onsite-report')!;
    const rejected = await call(response, 'POST', `/evidence/${report.id}/reject`, { reason: '照片模糊，看不清签字' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toMatchObject({ rejected: { reason: '照片模糊，看不清签字', by: 'clerk.response' } });
    expect((await call(response, 'POST', `/evidence/${report.id}/reject`, { reason: '再次退回' })).statusCode).toBe(409);
    // (it cannot call the material compliant after rejecting a file of it)
    const compliant = await complete(response, review.key, { compliant: true });
    expect(compliant.statusCode).toBe(422);
    expect(compliant.json()).toMatchObject({ code: 'EVIDENCE_REJECTED' });
    expect((await complete(response, review.key, { compliant: false, findings: '现场报告照片模糊' })).statusCode).toBe(204);

    // then the crew is sent back: its rectification shows the rejected photo and the reason, and wants a new one
    const rectify = await task(crew, 'acceptance-ev-reject', batch, 'rectify-line');
    const back = await evidenceOf(crew, rectify.key);
    expect(back.files.find((f) => f.id === report.id)?.rejected?.reason).toBe('照片模糊，看不清签字');
    expect(back.missing.kinds).toEqual(['onsite-report']);
    const notYet = await complete(crew, rectify.key, { rectificationNote: '已重新拍照' });
    expect(notYet.statusCode).toBe(422);
    expect(notYet.json()).toMatchObject({ errors: [{ pointer: '/evidence/onsite-report' }] });
    expect((await upload(platform, rectify.key, await photos(['onsite-report']), crew)).statusCode).toBe(201);
    expect((await complete(crew, rectify.key, { rectificationNote: '已重新拍照' })).statusCode).toBe(204);

    // and the re-inspection accepts the line
    const reinspect = await task(response, 'customer-response-center', batch, 'reinspect-line');
    expect((await evidenceOf(response, reinspect.key)).files).toHaveLength(4);
    expect((await complete(response, reinspect.key, { compliant: true })).statusCode).toBe(204);
    await eventually(async () => (await engineEvents(platform, batch)).some((e) => e.element_id === 'line-accepted' && e.event === 'end'));
    const [recorded] = await platform.database.sql<{ rectifications: number }[]>`
      select rectifications from line_acceptance where line_id = 'DL-EV-REJECT'`;
    expect(recorded?.rectifications).toBe(1);
    // the process knows what was rejected and why
    const [variable] = await platform.database.sql<{ value: { kind: string; reason: string }[] }[]>`
      select value from instance_variable where process_instance_key = ${batch} and name = 'rejectedEvidence' order by scope_key limit 1`;
    expect(variable?.value).toEqual([expect.objectContaining({ kind: 'onsite-report', reason: '照片模糊，看不清签字' })]);
    await platform.engine.deleteProcessInstance(batch).catch(() => undefined);
  });

  it('material missing on the 25th escalates to the branch once a worker has found it missing', async () => {
    // its material was due on 25 May 2025, long past by the engine's clock: the timer fires at once
    const batch = await lineIn('DL-EV-LATE', 'ev-late', '2025-04');
    await task(tokens['ev-late']!, 'acceptance-ev-late', batch, 'onsite-acceptance');
    await eventually(async () => (await escalations(batch, 'DL-EV-LATE')).length === 1);
    expect(await escalations(batch, 'DL-EV-LATE')).toEqual([{ element_id: 'escalate-late-material', level: 'branch' }]);
    const ended = (await engineEvents(platform, batch)).filter((e) => e.event === 'end').map((e) => e.element_id);
    expect(ended).toContain('check-material-evidence');
    expect(ended).not.toContain('material-in-time');
    await platform.engine.deleteProcessInstance(batch).catch(() => undefined);
  });

  it('material uploaded before the 25th escalates nobody, even while the on-site task is still open', async () => {
    // a line of this month (by the engine's clock): its material is due on the 25th of next month
    const now = await clock.now();
    const month = chinaDate(now).slice(0, 7);
    const batch = await lineIn('DL-EV-INTIME', 'ev-intime', month);
    const crew = tokens['ev-intime']!;
    const onsite = await task(crew, 'acceptance-ev-intime', batch, 'onsite-acceptance');
    expect((await upload(platform, onsite.key, await photos(ACCEPTANCE_KINDS), crew)).statusCode).toBe(201);

    // when the 25th passes by the engine's clock
    const due = new Date(acceptanceDue(month));
    await clock.advance(due.getTime() - now.getTime() + 60_000);

    // then the worker finds the material there and nobody is told
    await eventually(
      async () => (await engineEvents(platform, batch)).some((e) => e.element_id === 'material-in-time' && e.event === 'end'),
      {
        timeoutMs: 60_000,
      },
    );
    expect(await escalations(batch, 'DL-EV-INTIME')).toEqual([]);
    await platform.engine.deleteProcessInstance(batch).catch(() => undefined);
  });
});
