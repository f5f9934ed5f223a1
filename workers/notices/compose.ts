import { sql } from 'drizzle-orm';
import { sideOfPair } from '../../contracts/names.ts';
import { BRANCH_OF_CITY } from '../../contracts/organisation.ts';
import { formatChinaTime, type NoticeAudience } from '../../contracts/notices.ts';
import type { Db } from '../../db/client.ts';
import type { CustomerDirectory } from '../adapters/sms-gateway.ts';

/**
 * Turns one outbox row (a stage started or ended, a task created or claimed, an escalation) into the notices
 * it means. Each notice is keyed by event, template and recipient: composing the same fact again (a second
 * dispatcher, a change read twice after a crash) inserts nothing.
 *
 * Which moment sends what (element ids are stable; names are translated):
 * | process | fact | template |
 * | home-broadband-new-install | review-order completed, reviewApproved | order-accepted |
 * | home-broadband-new-install | make-appointment completed (appointmentAt) | visit-booked |
 * | home-broadband-new-install | install-onsite claimed by an engineer | crew-on-the-way |
 * | home-broadband-new-install | activate-service completed | service-active |
 * | fault-trouble-ticket | repair-deadline completed (repairDueAt) | fault-accepted |
 * | fault-trouble-ticket | accept-repair completed (arrivalEta) | repair-crew-on-the-way |
 * | fault-trouble-ticket | confirm-recovery started | fault-resolved |
 * | fault-trouble-ticket | close-ticket completed (ticket closed) | ticket-closed |
 * | any | a task created for a group with a duty phone (on_dispatch) | crew-dispatch |
 * | any | an escalation | escalation, to the response center of its level |
 */
export interface NoticeDraft {
  eventKey: string;
  template: string;
  audience: NoticeAudience;
  recipient: string;
  recipientName: string | null;
  subjectId: string | null;
  customerId: string | null;
  params: Record<string, string>;
  eventAt: Date;
  /** A customer notice without a phone on record is kept as skipped (staff see why no SMS went). */
  skipped?: string;
}

interface Subject {
  kind: 'order' | 'ticket' | 'complaint' | 'change' | 'line';
  id: string;
  customerId: string | null;
  customerName: string | null;
  phone: string | null;
  address: string | null;
  productName: string | null;
  branch: string | null;
}

/** A text[] literal parameter by parameter (drizzle expands a bare array into a list). */
export const textArray = (values: string[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

const LEVEL_NAMES: Record<string, string> = { county: '县分公司客响中心', branch: '分公司客响中心', region: '区公司客响中心' };

export function createNoticeComposer({ db, directory }: { db: Db; directory: CustomerDirectory }) {
  async function subjectOf(processInstanceKey: string): Promise<Subject | undefined> {
    const rows = await db.execute<{ kind: Subject['kind']; id: string; customer_id: string | null }>(sql`
      with root as (
        select coalesce((select root_process_instance_key from process_instance where process_instance_key = ${processInstanceKey}::bigint),
                        ${processInstanceKey}::bigint) as key
      )
      select 'order' as kind, id, customer_id from orders where process_instance_key = (select key from root)
      union all select 'change', id, null from service_change where process_instance_key = (select key from root)
      union all select 'line', id, customer_id from line_order where process_instance_key = (select key from root)
      union all select 'ticket', id, customer_id from trouble_ticket where process_instance_key = (select key from root)
      union all select 'complaint', id, customer_id from complaint where process_instance_key = (select key from root)
      limit 1`);
    const row = rows[0];
    return row ? subjectById(row.kind, row.id) : undefined;
  }

  async function subjectById(kind: Subject['kind'] | undefined, id: string): Promise<Subject | undefined> {
    const branches = JSON.stringify(BRANCH_OF_CITY);
    if (kind === 'order' || (!kind && id.startsWith('HB'))) {
      const [o] = await db.execute<{
        customer_id: string | null;
        customer_name: string;
        customer_phone: string;
        address: string;
        product: { name?: string };
        branch: string | null;
      }>(sql`
        select customer_id, customer_name, customer_phone, address, product, ${branches}::jsonb ->> split_part(grid, '-', 1) as branch
        from orders where id = ${id}`);
      if (!o) return undefined;
      return {
        kind: 'order',
        id,
        customerId: o.customer_id,
        customerName: o.customer_name,
        phone: o.customer_phone,
        address: o.address,
        productName: o.product?.name ?? null,
        branch: o.branch,
      };
    }
    if (kind === 'ticket' || (!kind && id.startsWith('FT'))) {
      const [t] = await db.execute<{ customer_id: string | null; customer_name: string; account: string; branch: string | null }>(sql`
        select t.customer_id, t.customer_name, t.account, ${branches}::jsonb ->> split_part(l.grid, '-', 1) as branch
        from trouble_ticket t left join sim_line l on l.account = t.account where t.id = ${id}`);
      if (!t) return undefined;
      const contact = await directory.contactOf(t.account);
      return {
        kind: 'ticket',
        id,
        customerId: t.customer_id,
        customerName: t.customer_name,
        phone: contact?.phone ?? null,
        address: null,
        productName: null,
        branch: t.branch,
      };
    }
    return { kind: kind ?? 'order', id, customerId: null, customerName: null, phone: null, address: null, productName: null, branch: null };
  }

  /** The latest value of each variable of an instance (the process scope wins over local ones). */
  async function variablesOf(processInstanceKey: string): Promise<Record<string, unknown>> {
    const rows = await db.execute<{ name: string; value: unknown }>(sql`
      select distinct on (name) name, value from instance_variable where process_instance_key = ${processInstanceKey}::bigint
      order by name, (scope_key = process_instance_key) desc, updated_at desc`);
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  function customerNotice(
    subject: Subject,
    eventKey: string,
    template: string,
    eventAt: Date,
    params: Record<string, string>,
  ): NoticeDraft {
    return {
      eventKey,
      template,
      audience: 'customer',
      recipient: subject.phone ?? '',
      recipientName: subject.customerName,
      subjectId: subject.id,
      customerId: subject.customerId,
      params: { customerName: subject.customerName ?? '', ...params },
      eventAt,
      ...(subject.phone ? {} : { skipped: '无联系电话 / no phone on record' }),
    };
  }

  async function fromStage(ref: string, fact: string): Promise<NoticeDraft[]> {
    const [stage] = await db.execute<{
      process_instance_key: string;
      bpmn_process_id: string;
      element_id: string;
      state: string;
      started_at: Date | string;
      ended_at: Date | string | null;
    }>(sql`select process_instance_key::text, bpmn_process_id, element_id, state, started_at, ended_at
           from instance_stage where element_instance_key = ${ref}::bigint`);
    if (!stage) return [];
    const key = `stage:${ref}`;
    const at = new Date(fact === 'active' ? stage.started_at : (stage.ended_at ?? stage.started_at));
    const on = (process: string, element: string, state: string) =>
      stage.bpmn_process_id === process && stage.element_id === element && fact === state;
    const taskVariables = async () => {
      const [t] = await db.execute<{ variables: Record<string, unknown> | null }>(sql`
        select variables from user_task where element_instance_key = ${ref}::bigint and state = 'completed' limit 1`);
      return { ...(await variablesOf(stage.process_instance_key)), ...(t?.variables ?? {}) };
    };
    const NEW_INSTALL = 'home-broadband-new-install';
    const FAULT = 'fault-trouble-ticket';
    const wanted =
      on(NEW_INSTALL, 'review-order', 'completed') ||
      on(NEW_INSTALL, 'make-appointment', 'completed') ||
      on(NEW_INSTALL, 'activate-service', 'completed') ||
      on(FAULT, 'repair-deadline', 'completed') ||
      on(FAULT, 'accept-repair', 'completed') ||
      on(FAULT, 'confirm-recovery', 'active') ||
      on(FAULT, 'close-ticket', 'completed');
    if (!wanted) return [];
    const subject = await subjectOf(stage.process_instance_key);
    if (!subject) return [];
    const ids: Record<string, string> = subject.kind === 'ticket' ? { ticketId: subject.id } : { orderId: subject.id };
    if (on(NEW_INSTALL, 'review-order', 'completed')) {
      const vars = await taskVariables();
      if (vars.reviewApproved !== true) return [];
      return [customerNotice(subject, key, 'order-accepted', at, { ...ids, address: subject.address ?? '' })];
    }
    if (on(NEW_INSTALL, 'make-appointment', 'completed')) {
      const vars = await taskVariables();
      return [
        customerNotice(subject, key, 'visit-booked', at, {
          ...ids,
          address: subject.address ?? '',
          appointmentTime: formatChinaTime(vars.appointmentAt),
        }),
      ];
    }
    if (on(NEW_INSTALL, 'activate-service', 'completed'))
      return [customerNotice(subject, key, 'service-active', at, { ...ids, productName: subject.productName ?? '宽带' })];
    if (on(FAULT, 'repair-deadline', 'completed')) {
      const vars = await variablesOf(stage.process_instance_key);
      return [customerNotice(subject, key, 'fault-accepted', at, { ...ids, promisedTime: formatChinaTime(vars.repairDueAt) })];
    }
    if (on(FAULT, 'accept-repair', 'completed')) {
      const vars = await taskVariables();
      return [customerNotice(subject, key, 'repair-crew-on-the-way', at, { ...ids, arrivalTime: formatChinaTime(vars.arrivalEta) })];
    }
    if (on(FAULT, 'confirm-recovery', 'active')) return [customerNotice(subject, key, 'fault-resolved', at, ids)];
    // close-ticket completed: the ticket is closed (close-error-ticket, an error ticket withdrawn, is another element).
    return [customerNotice(subject, key, 'ticket-closed', at, ids)];
  }

  async function fromTask(ref: string, fact: string, recordedAt: Date): Promise<NoticeDraft[]> {
    const [task] = await db.execute<{
      process_instance_key: string;
      bpmn_process_id: string;
      element_id: string;
      name: string | null;
      candidate_groups: string[];
      assignee: string | null;
      due_date: string | null;
      created_at: Date | string;
      engineer: string | null;
    }>(sql`select t.process_instance_key::text, t.bpmn_process_id, t.element_id, t.name, t.candidate_groups, t.assignee,
                  t.due_date, t.created_at, u.display_name as engineer
           from user_task t left join app_user u on u.username = t.assignee where t.user_task_key = ${ref}::bigint`);
    if (!task) return [];
    if (fact === 'claimed') {
      if (task.bpmn_process_id !== 'home-broadband-new-install' || task.element_id !== 'install-onsite') return [];
      const subject = await subjectOf(task.process_instance_key);
      if (!subject) return [];
      return [
        customerNotice(subject, `task:${ref}:claimed`, 'crew-on-the-way', recordedAt, {
          orderId: subject.id,
          address: subject.address ?? '',
          engineer: (task.engineer ?? task.assignee ?? '').replace(/\s*[(（].*$/, ''),
        }),
      ];
    }
    const groups = task.candidate_groups ?? [];
    if (groups.length === 0) return [];
    const subject = await subjectOf(task.process_instance_key);
    const contacts = await db.execute<{ name: string; phone: string }>(sql`
      select name, phone from notice_contact
      where on_dispatch and group_id = any(${textArray(groups)}) and (branch is null or branch = ${subject?.branch ?? null})
      order by id`);
    return contacts.map((c) => ({
      eventKey: `task:${ref}:created`,
      template: 'crew-dispatch',
      audience: 'crew' as const,
      recipient: c.phone,
      recipientName: c.name,
      subjectId: subject?.id ?? null,
      customerId: null,
      params: {
        groupName: c.name.replace(/值班$/, ''),
        subjectId: subject?.id ?? '',
        taskName: task.name ?? task.element_id,
        customerName: subject?.customerName ?? '',
        address: subject?.address ?? '',
        dueTime: formatChinaTime(task.due_date),
      },
      eventAt: new Date(task.created_at),
    }));
  }

  async function fromEscalation(ref: string): Promise<NoticeDraft[]> {
    const [e] = await db.execute<{ subject_id: string; level: string; reason: string; created_at: Date | string }>(sql`
      select subject_id, level, reason, created_at from escalation where id = ${Number(ref)}`);
    if (!e) return [];
    const subject = await subjectById(undefined, e.subject_id);
    const contacts = await db.execute<{ name: string; phone: string }>(sql`
      select name, phone from notice_contact
      where on_escalation and group_id = 'customer-response-center' and (level is null or level = ${e.level})
        and (branch is null or branch = ${subject?.branch ?? null})
      order by id`);
    return contacts.map((c) => ({
      eventKey: `escalation:${ref}`,
      template: 'escalation',
      audience: 'response-center' as const,
      recipient: c.phone,
      recipientName: c.name,
      subjectId: e.subject_id,
      customerId: null,
      // the reason in Chinese (stored as "中文 / English")
      params: { subjectId: e.subject_id, levelName: LEVEL_NAMES[e.level] ?? e.level, reason: sideOfPair(e.reason, 'zh') ?? e.reason },
      eventAt: new Date(e.created_at),
    }));
  }

  /** The notices one outbox row means. */
  async function draftsFor(change: { kind: string; ref: string; fact: string; recorded_at: Date | string }): Promise<NoticeDraft[]> {
    if (change.kind === 'stage') return fromStage(change.ref, change.fact);
    // A claim is not timed in the read model: the moment its outbox row was written is.
    if (change.kind === 'task') return fromTask(change.ref, change.fact, new Date(change.recorded_at));
    if (change.kind === 'escalation') return fromEscalation(change.ref);
    return [];
  }

  /** Records drafts once each (event, template, recipient); returns how many were new. */
  async function record(drafts: NoticeDraft[]): Promise<number> {
    let fresh = 0;
    for (const d of drafts) {
      const rows = await db.execute(sql`
        insert into sms_notice (event_key, template, recipient, audience, recipient_name, subject_id, customer_id, params,
                                status, status_reason, event_at)
        values (${d.eventKey}, ${d.template}, ${d.recipient}, ${d.audience}, ${d.recipientName}, ${d.subjectId}, ${d.customerId},
                ${JSON.stringify(d.params)}::jsonb, ${d.skipped ? 'skipped' : 'queued'}, ${d.skipped ?? null}, ${d.eventAt.toISOString()}::timestamptz)
        on conflict (event_key, template, recipient) do nothing
        returning id`);
      fresh += rows.length;
    }
    return fresh;
  }

  return { draftsFor, record };
}
export type NoticeComposer = ReturnType<typeof createNoticeComposer>;
