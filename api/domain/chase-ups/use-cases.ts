import { escalations } from '../../../db/schema.ts';
import type { OperatonClient } from '../../../engine/operaton.ts';
import { ApiError } from '../../errors.ts';
import { canSee } from '../auth/access.ts';
import type { Principal } from '../auth/schemas.ts';
import { branchName } from '../kpis/names.ts';
import { discardInstance, startProcess } from '../record-and-start.ts';
import { ESCALATION_LABELS, KIND_LABELS, stageLabel } from '../status/labels.ts';
import { finalState } from '../status/progress.ts';
import type { ProgressRepository, SubjectRecord } from '../status/repository.ts';
import type { ChaseUpRepository, ChaseUpRow, CurrentStep } from './repository.ts';
import { CHASE_UP_FOLD_MINUTES, type ChaseUp, type ChaseUpBody, type ChaseUpChannel, type ChaseUpRole } from './schemas.ts';

/** The response center's process an escalating chase-up starts (processes/chase-up-escalation.bpmn). */
export const CHASE_UP_ESCALATION_PROCESS_ID = 'chase-up-escalation';
/** The element id escalation rows of chase-ups carry (SLA timers' rows carry their escalate-* element). */
export const CHASE_UP_ELEMENT_ID = 'chase-up';
/** The group that holds chase-ups for customers: a clerk in it may chase on a customer's behalf. */
export const CUSTOMER_MANAGER_GROUP = 'customer-manager';

const CHANNEL_LABELS: Record<ChaseUpChannel, { zh: string; en: string }> = {
  'tracking-page': { zh: '进度查询页', en: 'Tracking page' },
  app: { zh: '手机营业厅', en: 'Mobile app' },
  api: { zh: '接口', en: 'API' },
  hotline: { zh: '客服热线', en: 'Hotline' },
  wechat: { zh: '微信公众号', en: 'WeChat' },
  'customer-manager': { zh: '客户经理代催', en: 'Customer manager' },
};

/** The response center's follow-up outcomes (processes/forms/chase-up-escalation.form). */
const OUTCOME_LABELS: Record<string, { zh: string; en: string }> = {
  'holder-pressed': { zh: '客响中心已督促处理人，约定完成时间', en: 'The response center pressed the team and agreed a time' },
  rescheduled: { zh: '客响中心已与您重新预约', en: 'The response center rescheduled with you' },
  resolved: { zh: '问题已解决', en: 'Resolved' },
  'customer-informed': { zh: '客响中心已向您说明进展', en: 'The response center told you the progress' },
};

const notFound = (id: string) =>
  new ApiError(404, 'NOT_FOUND', 'Not found', `没有订单、工单或投诉 ${id}。 There is no order, ticket or complaint ${id}.`);

/** Escalation level by the chase-up's number within the current step: the 2nd to the branch, the 3rd to the region. */
export function escalationFor(sequenceInStep: number): 'branch' | 'region' | null {
  return sequenceInStep === 2 ? 'branch' : sequenceInStep === 3 ? 'region' : null;
}

function roleOf(caller: Principal): ChaseUpRole {
  if (caller.role === 'customer') return 'customer';
  if (caller.role === 'admin') return 'admin';
  return 'customer-manager';
}

/** Who may chase: the customer themselves, a clerk of the customer-manager group (in the subject's branch), an admin. */
async function chaseableSubject(caller: Principal, id: string, progress: ProgressRepository, repo: ChaseUpRepository) {
  const subject = await progress.findSubject(id.toUpperCase());
  if (!subject || !canSee(caller, subject.customerId)) throw notFound(id);
  if (caller.role === 'clerk' && !caller.groups.includes(CUSTOMER_MANAGER_GROUP)) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      'Not allowed for your role',
      '只有客户经理可以代客户催单。 Only customer managers chase up on a customer’s behalf.',
    );
  }
  const branch = await repo.branchOf(subject);
  if (caller.role === 'clerk' && caller.branch && branch && branch !== caller.branch) throw notFound(id);
  return { subject, branch };
}

export function toChaseUp(row: ChaseUpRow): ChaseUp {
  const level = row.escalationLevel as 'branch' | 'region' | null;
  return {
    id: String(row.id),
    subjectId: row.subjectId,
    channel: row.channel as ChaseUpChannel,
    channelLabel: CHANNEL_LABELS[row.channel as ChaseUpChannel] ?? { zh: row.channel, en: row.channel },
    note: row.note,
    requestedBy: { name: row.requestedByName, role: row.requestedByRole as ChaseUpRole },
    at: row.createdAt.toISOString(),
    step: {
      elementIds: row.stepElementIds,
      startedAt: row.stepStartedAt?.toISOString() ?? null,
      dueAt: row.stepDueAt?.toISOString() ?? null,
      holders: row.stepHolders,
    },
    sequenceInStep: row.sequenceInStep,
    escalation: level ? { level, label: ESCALATION_LABELS[level]! } : null,
    handling:
      row.handledAt && row.handlingOutcome
        ? {
            outcome: row.handlingOutcome,
            outcomeLabel: OUTCOME_LABELS[row.handlingOutcome] ?? { zh: row.handlingOutcome, en: row.handlingOutcome },
            note: row.handlingNote ?? '',
            at: row.handledAt.toISOString(),
          }
        : null,
    repeatPresses: row.repeatPresses,
  };
}

function stepWords(step: CurrentStep) {
  const labels = step.elementIds.map((e) => stageLabel(e, null));
  return {
    zh: labels.map((l) => l.zh).join('、') || '处理中',
    en: labels.map((l) => l.en).join(', ') || 'in progress',
  };
}

/** What the response center's task shows: the order or ticket, the customer, the step and who holds it. */
function escalationVariables(
  subject: SubjectRecord,
  row: ChaseUpRow,
  branch: string | null,
  step: CurrentStep,
  level: 'branch' | 'region',
) {
  const words = stepWords(step);
  const kind = KIND_LABELS[subject.process] ?? { zh: subject.process, en: subject.process };
  return {
    customer: { name: subject.customerName, level: subject.customerLevel },
    chaseUp: {
      id: String(row.id),
      subjectId: subject.id,
      subjectKind: subject.kind,
      subjectLabel: kind.zh,
      level,
      levelLabel: ESCALATION_LABELS[level]!.zh,
      branch,
      branchName: branchName(branch).zh,
      sequenceInStep: row.sequenceInStep,
      step: words.zh,
      stepElementIds: step.elementIds,
      holders: step.holders.join(', '),
      stepDueAt: step.dueAt?.toISOString() ?? null,
      channel: CHANNEL_LABELS[row.channel as ChaseUpChannel]?.zh ?? row.channel,
      requestedBy: row.requestedByName,
      note: row.note ?? '',
    },
  };
}

/**
 * A customer (or their customer manager) presses for progress. Presses within 5 minutes of the
 * last counted chase-up fold into it (200 with it); otherwise it is recorded and numbered within
 * the current step (201). The 2nd in the step escalates to the branch's response center, the 3rd
 * to the region: an `escalation` row (the customer's jeopardy) and the response center's task
 * (chase-up-escalation), in one transaction with the chase-up, so it is recorded whole or refused whole.
 */
export async function chaseUp({
  caller,
  id,
  body,
  progress,
  chaseUps: repo,
  engine,
  engineTimeoutMs,
  foldSeconds = CHASE_UP_FOLD_MINUTES * 60,
  log,
}: {
  caller: Principal;
  id: string;
  body: ChaseUpBody;
  /** Presses within this many seconds of the last counted chase-up count once (CHASE_UP_FOLD_SECONDS). */
  foldSeconds?: number;
  progress: ProgressRepository;
  chaseUps: ChaseUpRepository;
  engine: OperatonClient;
  engineTimeoutMs?: number;
  log?: { warn(context: object, message: string): void; error(context: object, message: string): void };
}): Promise<{ created: boolean; chaseUp: ChaseUp }> {
  const { subject, branch } = await chaseableSubject(caller, id, progress, repo);
  if (finalState(subject.kind, subject.storedState) || !subject.processInstanceKey) {
    throw new ApiError(
      409,
      'CHASE_UP_CLOSED',
      'Nothing to chase',
      `${subject.id} 已办结，无需催单。 ${subject.id} is already closed (${subject.storedState}); there is nothing to chase.`,
    );
  }
  const role = roleOf(caller);
  const channel: ChaseUpChannel = body.channel ?? (role === 'customer' ? 'api' : 'customer-manager');
  if (role === 'customer' && channel === 'customer-manager') {
    throw new ApiError(
      400,
      'INVALID_CHASE_UP_CHANNEL',
      'Channel not allowed',
      '客户不能以客户经理渠道催单。 A customer cannot chase through the customer-manager channel.',
      [{ pointer: '/channel', in: 'body', message: '客户经理代催仅限客户经理 / only customer managers use customer-manager' }],
    );
  }
  const step = await repo.currentStep(subject.processInstanceKey);
  let started: string | undefined;
  try {
    const result = await repo.locked(subject.id, async (tx) => {
      const recent = await repo.recent(tx, subject.id, foldSeconds);
      if (recent) return { created: false, row: await repo.foldPress(tx, recent.id) };
      const sequenceInStep = (await repo.countSince(tx, subject.id, step.startedAt)) + 1;
      const level = escalationFor(sequenceInStep);
      const row = await repo.insert(tx, {
        subjectId: subject.id,
        subjectKind: subject.kind,
        customerId: subject.customerId,
        branch,
        processInstanceKey: subject.processInstanceKey,
        channel,
        note: body.note || null,
        requestedBy: caller.username,
        requestedByName: caller.name,
        requestedByRole: role,
        stepElementIds: step.elementIds,
        stepTaskKeys: step.taskKeys,
        stepHolders: step.holders,
        stepStartedAt: step.startedAt,
        stepDueAt: step.dueAt,
        sequenceInStep,
        escalationLevel: level,
      });
      if (!level) return { created: true, row };
      const words = stepWords(step);
      const [escalation] = await tx
        .insert(escalations)
        .values({
          idempotencyKey: `chase-up:${row.id}`,
          subjectId: subject.id,
          level,
          reason: `客户第 ${sequenceInStep} 次催单（${words.zh}）/ Chase-up no. ${sequenceInStep} by the customer (${words.en})`,
          processInstanceKey: subject.processInstanceKey!,
          elementId: CHASE_UP_ELEMENT_ID,
        })
        .returning({ id: escalations.id });
      // Started inside the transaction: if the engine refuses, nothing of this chase-up remains.
      started = await startProcess({
        engine,
        bpmnProcessId: CHASE_UP_ESCALATION_PROCESS_ID,
        businessKey: `CU${row.id}`,
        variables: escalationVariables(subject, row, branch, step, level),
        engineTimeoutMs,
      });
      return { created: true, row: await repo.attachEscalation(tx, row.id, { escalationId: escalation!.id, processInstanceKey: started }) };
    });
    progress.forget(subject.id);
    if (result.row.escalationLevel) log?.warn({ subjectId: subject.id, level: result.row.escalationLevel }, 'chase-up escalated');
    return { created: result.created, chaseUp: toChaseUp(result.row) };
  } catch (e) {
    // The engine started the response center's process but the chase-up was not committed: take it back.
    if (started) await discardInstance(engine, started, log);
    throw e;
  }
}

/** The chase-ups of an order or ticket, newest first, with how many fell in the current step. */
export async function listChaseUps({
  caller,
  id,
  progress,
  chaseUps: repo,
}: {
  caller: Principal;
  id: string;
  progress: ProgressRepository;
  chaseUps: ChaseUpRepository;
}) {
  const subject = await progress.findSubject(id.toUpperCase());
  if (!subject || !canSee(caller, subject.customerId)) throw notFound(id);
  const [rows, step] = await Promise.all([repo.ofSubject(subject.id), repo.currentStep(subject.processInstanceKey)]);
  const open = !finalState(subject.kind, subject.storedState);
  return {
    subjectId: subject.id,
    total: rows.length,
    inCurrentStep: open ? rows.filter((r) => !step.startedAt || r.createdAt.getTime() >= step.startedAt.getTime()).length : 0,
    open,
    chaseUps: rows.map(toChaseUp),
  };
}
