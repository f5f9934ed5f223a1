import { loadSettings } from '../config/settings.ts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formVariablesSchema } from '../api/domain/tasks/form-schema.ts';
import type { Diagnosis } from '../workers/diagnosis/prediagnose.ts';
import { missingInventoryData } from '../workers/job-types/check-line-inventory-data.ts';
import { ticketInconsistency } from '../workers/job-types/prediagnose-fault.ts';
import { createWorkerDependencies } from '../workers/dependencies.ts';
import { BusinessError, defineJob } from '../workers/job-definition.ts';
import { retryBackoffMs, runJob, type ActivatedJob } from '../workers/runner.ts';
import { silentLog } from './support/platform.ts';

describe('form-derived validation of task variables', () => {
  const schema = formVariablesSchema({
    components: [
      { type: 'textfield', key: 'address', readonly: true },
      { type: 'textfield', key: 'onuSerial', validate: { required: true, minLength: 8, pattern: '^[A-Z0-9]+$' } },
      { type: 'number', key: 'satisfaction', decimalDigits: 0, validate: { required: true, min: 1, max: 10 } },
      { type: 'checkbox', key: 'approved' },
      { type: 'select', key: 'reason', values: [{ value: 'address' }, { value: 'product' }] },
    ],
  });

  it('accepts what the form allows', () => {
    expect(schema.parse({ onuSerial: 'ZTEG1234', satisfaction: 7, approved: true, reason: 'address' })).toEqual({
      onuSerial: 'ZTEG1234',
      satisfaction: 7,
      approved: true,
      reason: 'address',
    });
  });

  it('refuses values outside the form, read-only fields and unknown fields', () => {
    const result = schema.safeParse({ onuSerial: 'short', satisfaction: 7.5, approved: 'yes', reason: 'other', address: 'changed' });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : [i.path.join('.')]));
    expect([...new Set(paths)].sort()).toEqual(['address', 'approved', 'onuSerial', 'reason', 'satisfaction']);
  });

  it('a decision (通过 / 驳回) must be given, and a no must say why', () => {
    const review = formVariablesSchema({
      components: [
        {
          type: 'checkbox',
          key: 'reviewApproved',
          properties: { 'decision.yes': '审核通过', 'decision.no': '驳回', 'decision.note': 'reviewNote' },
        },
        { type: 'textarea', key: 'reviewNote', validate: { maxLength: 500 } },
      ],
    });
    const pathsOf = (v: object) => review.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(pathsOf({ reviewNote: '资料齐全' })).toEqual(['reviewApproved']);
    expect(pathsOf({ reviewApproved: false })).toEqual(['reviewNote']);
    expect(pathsOf({ reviewApproved: false, reviewNote: '  ' })).toEqual(['reviewNote']);
    expect(review.safeParse({ reviewApproved: false, reviewNote: '地址不完整' }).success).toBe(true);
    expect(review.safeParse({ reviewApproved: true }).success).toBe(true);
    // a plain checkbox is still optional
    expect(schema.safeParse({ onuSerial: 'ZTEG1234', satisfaction: 7 }).success).toBe(true);
  });
});

describe('the job runner ends every job in exactly one job action', () => {
  const deps = createWorkerDependencies(undefined as never);
  const fakeJob = (variables: Record<string, unknown>, retries = 3) => {
    const actions: { action: string; arg: unknown }[] = [];
    const job: ActivatedJob = {
      key: '1',
      type: 'test-job',
      processInstanceKey: '2',
      elementInstanceKey: '3',
      elementId: 'task',
      bpmnProcessId: 'p',
      retries,
      initialRetries: 5,
      variables,
      complete: async (arg) => actions.push({ action: 'complete', arg }),
      error: async (arg) => actions.push({ action: 'error', arg }),
      fail: async (arg) => actions.push({ action: 'fail', arg }),
    };
    return { job, actions };
  };
  const definition = (handler: () => Promise<unknown>) =>
    defineJob({
      type: 'test-job',
      description: 'test',
      input: z.object({ orderId: z.string() }),
      output: z.object({ ok: z.boolean() }),
      handler: handler as never,
    });

  it('completes with the validated output', async () => {
    const { job, actions } = fakeJob({ orderId: 'A' });
    await runJob(
      definition(async () => ({ ok: true })),
      job,
      deps,
      silentLog,
    );
    expect(actions).toEqual([{ action: 'complete', arg: { ok: true } }]);
  });

  it('throws a BPMN error for a business outcome', async () => {
    const { job, actions } = fakeJob({ orderId: 'A' });
    await runJob(
      definition(async () => {
        throw new BusinessError('NO', 'no way', { x: 1 });
      }),
      job,
      deps,
      silentLog,
    );
    expect(actions).toEqual([{ action: 'error', arg: { errorCode: 'NO', errorMessage: 'no way', variables: { x: 1 } } }]);
  });

  it('an error order keeps the moment it was first raised (the engine clock) until its check passes', async () => {
    const check = (outcome: 'raise' | 'pass') =>
      defineJob({
        type: 'test-check',
        description: 'test',
        errorOrder: 'DATA_INCONSISTENT',
        input: z.object({ orderId: z.string() }),
        output: z.object({ ok: z.boolean() }),
        handler: async () => {
          if (outcome === 'raise') throw new BusinessError('DATA_INCONSISTENT', 'wrong', { errorOrder: { reason: 'x' } });
          return { ok: true };
        },
      });
    // first raised: when the engine created the check's task
    const first = fakeJob({ orderId: 'A' });
    first.job.createdAt = '2026-10-01T08:00:00.000+0800';
    await runJob(check('raise'), first.job, deps, silentLog);
    const since = Date.parse('2026-10-01T00:00:00Z');
    expect(first.actions).toMatchObject([{ action: 'error', arg: { variables: { errorOrder: { reason: 'x' }, errorOrderSince: since } } }]);
    // raised again after a correction: the first moment is kept
    const again = fakeJob({ orderId: 'A', errorOrderSince: since });
    again.job.createdAt = '2026-10-01T12:00:00Z';
    await runJob(check('raise'), again.job, deps, silentLog);
    expect(again.actions).toMatchObject([{ action: 'error', arg: { variables: { errorOrderSince: since } } }]);
    // passed: cleared, so a later error starts a clock of its own
    const passed = fakeJob({ orderId: 'A', errorOrderSince: since });
    await runJob(check('pass'), passed.job, deps, silentLog);
    expect(passed.actions).toEqual([{ action: 'complete', arg: { ok: true, errorOrderSince: null } }]);
    // another business outcome of a job without an error order is left alone
    const other = fakeJob({ orderId: 'A' });
    await runJob(
      definition(async () => {
        throw new BusinessError('NO', 'no way', {});
      }),
      other.job,
      deps,
      silentLog,
    );
    expect(other.actions).toEqual([{ action: 'error', arg: { errorCode: 'NO', errorMessage: 'no way', variables: {} } }]);
  });

  it('fails with one retry fewer and a growing back-off on transient trouble', async () => {
    const { job, actions } = fakeJob({ orderId: 'A' }, 3);
    await runJob(
      definition(async () => {
        throw new Error('connection reset');
      }),
      job,
      deps,
      silentLog,
    );
    // third attempt of five: two retries left, after the back-off of the third attempt
    expect(actions).toMatchObject([
      { action: 'fail', arg: { errorMessage: 'connection reset', retries: 2, retryTimeout: retryBackoffMs(3) } },
    ]);
    expect(retryBackoffMs(1)).toBeLessThan(retryBackoffMs(2));
    expect(retryBackoffMs(50)).toBe(120_000);
  });

  it('raises an incident (no retries) when the variables break the contract', async () => {
    const { job, actions } = fakeJob({ order: 'A' });
    await runJob(
      definition(async () => ({ ok: true })),
      job,
      deps,
      silentLog,
    );
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ action: 'fail', arg: { retries: 0 } });
    expect((actions[0]!.arg as { errorMessage: string }).errorMessage).toContain('orderId');
  });
});

describe('what makes an error ticket or an abnormal acceptance line', () => {
  const diagnosis = (d: Partial<Diagnosis>): Diagnosis => ({
    category: 'no-fault-found',
    recommendedAction: 'online',
    summary: '',
    answeredSources: [],
    missingSources: [],
    elapsedMs: 1,
    ...d,
  });
  const line = { olt: 'URC-TS-OLT01', ponPort: '0/1/3', onuId: 'x', grid: 'URC-TS-01', service: 'dedicated-line' };

  it('a ticket is inconsistent when inventory knows no line for it, or its line carries another line service', () => {
    expect(ticketInconsistency('a', 'broadband', diagnosis({ category: 'unknown-line', recommendedAction: 'field' }))).toMatch(
      /no access line/,
    );
    expect(ticketInconsistency('a', 'broadband', diagnosis({ line }))).toMatch(/carries dedicated-line/);
    expect(ticketInconsistency('a', 'dedicated-line', diagnosis({ line }))).toBeUndefined();
    // voice rides on the access line; an inventory that did not answer tells nothing
    expect(ticketInconsistency('a', 'voice', diagnosis({ line }))).toBeUndefined();
    expect(ticketInconsistency('a', 'broadband', diagnosis({ category: 'undetermined', missingSources: ['inventory'] }))).toBeUndefined();
  });

  it('a line record lacks what the on-site acceptance needs', () => {
    const record = { lineId: 'L', customer: 'c', branch: 'urumqi', service: 'internet-line', aEnd: 'A', zEnd: 'Z' };
    expect(missingInventoryData(record)).toEqual([]);
    expect(missingInventoryData({ ...record, zEnd: ' ', service: 'fibre' })).toEqual([
      'Z-end address',
      'a line service (the record says "fibre")',
    ]);
    expect(missingInventoryData(undefined)).toHaveLength(1);
  });
});

describe('an engine that pushes back or is away is a moment’s unavailability, never a caller’s error', () => {
  it('the REST client turns 429 (backpressure), 502/503/504 and no answer into EngineUnavailableError, optimistic locking into a conflict, and keeps other refusals', async () => {
    const { createServer } = await import('node:http');
    const { createOperatonClient } = await import('../engine/operaton.ts');
    const { EngineConflictError, EngineRequestError, EngineUnavailableError } = await import('../engine/errors.ts');
    let answer = 429;
    let body = '{"type":"RestException","message":"busy"}';
    const server = createServer((_req, res) => res.writeHead(answer, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const engine = createOperatonClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });
    try {
      for (const status of [429, 502, 503, 504]) {
        answer = status;
        await expect(engine.completeTask('1', {})).rejects.toBeInstanceOf(EngineUnavailableError);
      }
      // the engine's own database away: unavailable too
      answer = 500;
      body = '{"type":"CannotCreateTransactionException","message":"Could not open JDBC Connection for transaction"}';
      await expect(engine.completeTask('1', {})).rejects.toBeInstanceOf(EngineUnavailableError);
      body = '{"type":"OptimisticLockingException","message":"ENGINE-03005 Execution of UPDATE failed"}';
      await expect(engine.completeTask('1', {})).rejects.toBeInstanceOf(EngineConflictError);
      // a completion whose command met the database going away mid-way (the REST layer wraps it)
      body =
        '{"type":"RestException","message":"Cannot complete task 2289: An exception occurred in the persistence layer. Please check the server logs"}';
      await expect(engine.completeTask('1', {})).rejects.toBeInstanceOf(EngineConflictError);
      answer = 404;
      body = '{"type":"InvalidRequestException","message":"Cannot find task with id 1"}';
      await expect(engine.completeTask('1', {})).rejects.toMatchObject({ status: 404, engineType: 'InvalidRequestException' });
      await expect(engine.completeTask('1', {})).rejects.toBeInstanceOf(EngineRequestError);
    } finally {
      server.close();
    }
    // nothing listening: unavailable, not a crash
    await expect(
      createOperatonClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 }).completeTask('1', {}),
    ).rejects.toBeInstanceOf(EngineUnavailableError);
  });
});

describe('completing a task whose completion the engine accepted', () => {
  it('answers success and keeps who completed it even if the read model cannot be written right after (database just gone)', async () => {
    const { completeTask } = await import('../api/domain/tasks/use-cases.ts');
    const row = {
      userTaskKey: '42',
      name: '质检',
      elementId: 'quality-check',
      bpmnProcessId: 'home-broadband-new-install',
      processName: null,
      processInstanceKey: '7',
      rootProcessInstanceKey: null,
      candidateGroups: ['order-center'],
      assignee: null,
      completedBy: null,
      formId: null,
      dueDate: null,
      priority: 50,
      state: 'created' as const,
      createdAt: new Date(),
      endedAt: null,
      context: {},
      businessKey: null,
      customerName: null,
      customerLevel: null,
      branch: null,
    };
    const steps: string[] = [];
    const warnings: object[] = [];
    const tasks = {
      find: async () => row,
      noteCompleter: async (_key: string, who: string) => void steps.push(`note ${who}`),
      markCompleted: async () => {
        steps.push('mark');
        throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      },
    } as unknown as import('../api/domain/tasks/repository.ts').TaskRepository;
    const engine = { completeTask: async () => void steps.push('engine') } as unknown as import('../engine/operaton.ts').OperatonClient;
    // a task without a form requires no evidence: the files are not looked at
    const evidence = {} as unknown as import('../api/domain/evidence/repository.ts').EvidenceRepository;
    const caller = { username: 'clerk.urumqi', role: 'clerk', groups: ['order-center'], branch: null } as unknown as Parameters<
      typeof completeTask
    >[0]['caller'];
    await expect(
      completeTask({ caller, key: '42', variables: {}, tasks, evidence, engine, log: { warn: (c) => void warnings.push(c) } }),
    ).resolves.toBeUndefined();
    // the completer is noted before the engine is asked; the late read-model write is only logged
    expect(steps).toEqual(['note clerk.urumqi', 'engine', 'mark']);
    expect(warnings).toHaveLength(1);

    // and a completion the engine refuses (someone else was first) takes the noted completer back and answers 409
    steps.length = 0;
    const { EngineRequestError } = await import('../engine/errors.ts');
    const refusing = {
      completeTask: async () => {
        steps.push('engine');
        throw new EngineRequestError(404, 'no such task', 'InvalidRequestException');
      },
    } as unknown as import('../engine/operaton.ts').OperatonClient;
    Object.assign(tasks, { forgetCompleter: async (_key: string, who: string) => void steps.push(`forget ${who}`) });
    await expect(completeTask({ caller, key: '42', variables: {}, tasks, evidence, engine: refusing })).rejects.toMatchObject({
      status: 409,
    });
    expect(steps).toEqual(['note clerk.urumqi', 'engine', 'forget clerk.urumqi']);
  });
});

describe('which proxies are believed about the client address (TRUST_PROXY)', () => {
  const trust = (value: string | undefined) => loadSettings({ TRUST_PROXY: value }).TRUST_PROXY;
  it('believes none by default, and reads true, a hop count or a list of addresses and ranges', () => {
    expect(trust(undefined)).toBe(false);
    expect(trust('')).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('1')).toBe(1);
    expect(trust('10.0.0.0/8, 172.16.0.0/12,')).toEqual(['10.0.0.0/8', '172.16.0.0/12']);
  });
});

describe('the language people read (Accept-Language)', () => {
  it('is Chinese unless English is preferred', async () => {
    const { preferredLanguage } = await import('../api/domain/i18n/language.ts');
    expect(preferredLanguage(undefined)).toBe('zh');
    expect(preferredLanguage('')).toBe('zh');
    expect(preferredLanguage('zh-CN,zh;q=0.9')).toBe('zh');
    expect(preferredLanguage('en')).toBe('en');
    expect(preferredLanguage('en-GB,en;q=0.9,zh;q=0.5')).toBe('en');
    expect(preferredLanguage('zh;q=0.4, en;q=0.8')).toBe('en');
    expect(preferredLanguage('fr, de')).toBe('zh');
    expect(preferredLanguage('en;q=0, zh')).toBe('zh');
  });

  it('renders names, not codes, for the fixed lists', async () => {
    const { groupName, branchName, customerLevelName } = await import('../contracts/names.ts');
    expect(groupName('order-center').zh).toBe('订单中心');
    expect(groupName('construction-urumqi')).toEqual({ zh: '乌鲁木齐分公司施工队', en: 'Ürümqi branch construction crew' });
    expect(branchName('xian').zh).toBe('西安分公司');
    expect(customerLevelName('local-c').zh).toBe('本地C');
  });
});
