import type { Language } from '../i18n/language.ts';
import { readThrough } from '../read-through.ts';
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  cancelProductOrders,
  complaints,
  escalations,
  instanceStages,
  instanceVariables,
  lineOrders,
  noticeContacts,
  orders,
  processElements,
  processInstances,
  serviceChanges,
  slaPauses,
  troubleTickets,
} from '../../../db/schema.ts';

export type SubjectKind = 'order' | 'change' | 'line' | 'ticket' | 'complaint';
/** A stage with the English name its model gives it (`name.en`). */
export type StageRow = typeof instanceStages.$inferSelect & { nameEn: string | null };
export type EscalationRow = typeof escalations.$inferSelect;

/** A business object with a long process behind it, as far as progress is concerned. */
export interface SubjectRecord {
  id: string;
  kind: SubjectKind;
  /** The process the object runs in (KIND_LABELS key). */
  process: string;
  customerId: string | null;
  customerName: string;
  customerLevel: string;
  /** The state column as the workers keep it. */
  storedState: string;
  stateReason: string | null;
  createdAt: Date;
  closedAt: Date | null;
  processInstanceKey: string | null;
  row:
    | { kind: 'order'; value: typeof orders.$inferSelect }
    | { kind: 'change'; value: typeof serviceChanges.$inferSelect; order: typeof orders.$inferSelect }
    | { kind: 'line'; value: typeof lineOrders.$inferSelect }
    | { kind: 'ticket'; value: typeof troubleTickets.$inferSelect }
    | { kind: 'complaint'; value: typeof complaints.$inferSelect };
}

export interface SubjectProgress {
  subject: SubjectRecord;
  /** Every stage of the instance and of the instances it called, in order. */
  stages: StageRow[];
  escalations: EscalationRow[];
  /** Process-level variables of the top-level instance (repairDueAt, guide, …). */
  variables: Record<string, unknown>;
  cancellationRequests: (typeof cancelProductOrders.$inferSelect)[];
  /** A ticket's customer-caused waits (SLA pauses), oldest first (docs/sla-pauses.md). */
  slaPauses?: (typeof slaPauses.$inferSelect)[];
}

const PREFIX_KIND: Record<string, SubjectKind> = { HB: 'order', CH: 'change', DL: 'line', FT: 'ticket', CP: 'complaint' };

export function kindOf(id: string): SubjectKind | undefined {
  return PREFIX_KIND[id.slice(0, 2).toUpperCase()];
}

const VIEW_KINDS = ['status', 'productOrder', 'troubleTicket'] as const;

export function createProgressRepository({ db, readCacheMs = 0 }: { db: Db; readCacheMs?: number }) {
  const subjects = readThrough<SubjectRecord | undefined>(readCacheMs);
  const progresses = readThrough<SubjectProgress>(readCacheMs);
  const views = readThrough<string>(readCacheMs);

  async function findSubject(id: string): Promise<SubjectRecord | undefined> {
    return readCacheMs > 0 ? subjects.get(id.toUpperCase(), () => loadSubject(id)) : loadSubject(id);
  }

  async function loadSubject(id: string): Promise<SubjectRecord | undefined> {
    switch (kindOf(id)) {
      case 'order': {
        const [o] = await db.select().from(orders).where(eq(orders.id, id));
        if (!o) return undefined;
        return {
          id: o.id,
          kind: 'order',
          process: o.kind,
          customerId: o.customerId,
          customerName: o.customerName,
          customerLevel: o.customerLevel,
          storedState: o.state,
          stateReason: o.stateReason,
          createdAt: o.createdAt,
          closedAt: o.completedAt,
          processInstanceKey: o.processInstanceKey,
          row: { kind: 'order', value: o },
        };
      }
      case 'change': {
        const [c] = await db.select().from(serviceChanges).where(eq(serviceChanges.id, id));
        const [o] = c ? await db.select().from(orders).where(eq(orders.id, c.orderId)) : [];
        if (!c || !o) return undefined;
        return {
          id: c.id,
          kind: 'change',
          process: 'home-broadband-change',
          customerId: o.customerId,
          customerName: o.customerName,
          customerLevel: o.customerLevel,
          storedState: c.state,
          stateReason: c.stateReason,
          createdAt: c.createdAt,
          closedAt: c.closedAt,
          processInstanceKey: c.processInstanceKey,
          row: { kind: 'change', value: c, order: o },
        };
      }
      case 'line': {
        const [l] = await db.select().from(lineOrders).where(eq(lineOrders.id, id));
        if (!l) return undefined;
        return {
          id: l.id,
          kind: 'line',
          process: 'enterprise-line-new-install',
          customerId: l.customerId,
          customerName: l.customer,
          customerLevel: l.customerLevel,
          storedState: l.state,
          stateReason: l.stateReason,
          createdAt: l.createdAt,
          closedAt: l.completedAt,
          processInstanceKey: l.processInstanceKey,
          row: { kind: 'line', value: l },
        };
      }
      case 'ticket': {
        const [t] = await db.select().from(troubleTickets).where(eq(troubleTickets.id, id));
        if (!t) return undefined;
        return {
          id: t.id,
          kind: 'ticket',
          process: 'fault',
          customerId: t.customerId,
          customerName: t.customerName,
          customerLevel: t.customerLevel,
          storedState: t.state,
          stateReason: t.stateReason,
          createdAt: t.createdAt,
          closedAt: t.closedAt,
          processInstanceKey: t.processInstanceKey,
          row: { kind: 'ticket', value: t },
        };
      }
      case 'complaint': {
        const [c] = await db.select().from(complaints).where(eq(complaints.id, id));
        if (!c) return undefined;
        return {
          id: c.id,
          kind: 'complaint',
          process: 'complaint',
          customerId: c.customerId,
          customerName: c.customerName,
          customerLevel: c.customerLevel,
          storedState: c.state,
          stateReason: c.stateReason,
          createdAt: c.createdAt,
          closedAt: c.closedAt,
          processInstanceKey: c.processInstanceKey,
          row: { kind: 'complaint', value: c },
        };
      }
      default:
        return undefined;
    }
  }

  const medians = new Map<string, { value: number | null; until: number }>();
  async function computeMedianMs(bpmnProcessId: string): Promise<number | null> {
    const [row] = await db
      .select({
        n: sql<number>`count(*)::int`,
        p50: sql<
          number | null
        >`percentile_cont(0.5) within group (order by extract(epoch from (${processInstances.endedAt} - ${processInstances.startedAt})) * 1000)`,
      })
      .from(processInstances)
      .where(and(eq(processInstances.bpmnProcessId, bpmnProcessId), eq(processInstances.state, 'completed')));
    return row && row.n >= 3 && row.p50 !== null ? Number(row.p50) : null;
  }

  async function progress(subject: SubjectRecord): Promise<SubjectProgress> {
    return readCacheMs > 0 ? progresses.get(subject.id, () => loadProgress(subject)) : loadProgress(subject);
  }

  return {
    findSubject,
    progress,
    /** Drops what the read cache holds of a subject (after a write through the API). */
    forget(id: string) {
      const key = id.toUpperCase();
      subjects.forget(key);
      progresses.forget(key);
      for (const kind of VIEW_KINDS) for (const lang of ['zh', 'en']) views.forget(`${kind}:${lang}:${key}`);
    },
    /**
     * A whole answer, serialised, reused like the rest for the cache period: the same for every
     * caller allowed to see the subject (the route checks that before asking).
     */
    view(kind: (typeof VIEW_KINDS)[number], id: string, lang: Language, build: () => Promise<string>): Promise<string> {
      return readCacheMs > 0 ? views.get(`${kind}:${lang}:${id.toUpperCase()}`, build) : build();
    },

    /** Median duration in ms of the completed top-level instances of a process (null with fewer than 3). */
    medianDurationMs,

    /** A crew group's duty phone (值班电话), the one its dispatches are sent to; undefined if it has none. */
    async dutyContact(groupId: string): Promise<{ name: string; phone: string } | undefined> {
      const [row] = await db
        .select({ name: noticeContacts.name, phone: noticeContacts.phone })
        .from(noticeContacts)
        .where(and(eq(noticeContacts.groupId, groupId), eq(noticeContacts.onDispatch, true)))
        .orderBy(asc(noticeContacts.id))
        .limit(1);
      return row;
    },

    /** Which business object a process instance (or one it called) works for. */
    subjectIdOfInstance,
  };

  async function loadProgress(subject: SubjectRecord): Promise<SubjectProgress> {
    {
      const key = subject.processInstanceKey;
      const [stages, escalated, variables, cancellationRequests, pauses] = await Promise.all([
        key
          ? db
              .select({ ...getTableColumns(instanceStages), nameEn: processElements.nameEn })
              .from(instanceStages)
              .leftJoin(
                processElements,
                and(
                  eq(processElements.processDefinitionKey, instanceStages.processDefinitionKey),
                  eq(processElements.elementId, instanceStages.elementId),
                ),
              )
              // One IN over a union, not `= key OR IN (subquery)`: PostgreSQL turns that OR into a filter
              // over every stage ever recorded (a sequential scan growing with history; found by the benchmark).
              .where(
                sql`${instanceStages.processInstanceKey} in (select ${key}::bigint union all select ${processInstances.processInstanceKey} from ${processInstances} where ${processInstances.rootProcessInstanceKey} = ${key})`,
              )
              .orderBy(asc(instanceStages.startedAt), asc(instanceStages.elementInstanceKey))
          : Promise.resolve([]),
        db.select().from(escalations).where(eq(escalations.subjectId, subject.id)).orderBy(asc(escalations.id)),
        key
          ? db
              .select({ name: instanceVariables.name, value: instanceVariables.value })
              .from(instanceVariables)
              .where(and(eq(instanceVariables.scopeKey, key), eq(instanceVariables.processInstanceKey, key)))
          : Promise.resolve([]),
        subject.kind === 'order' || subject.kind === 'line'
          ? db
              .select()
              .from(cancelProductOrders)
              .where(eq(cancelProductOrders.orderId, subject.id))
              .orderBy(asc(cancelProductOrders.createdAt))
          : Promise.resolve([]),
        subject.kind === 'ticket'
          ? db.select().from(slaPauses).where(eq(slaPauses.ticketId, subject.id)).orderBy(asc(slaPauses.id))
          : subject.kind === 'order'
            ? db.select().from(slaPauses).where(eq(slaPauses.orderId, subject.id)).orderBy(asc(slaPauses.id))
            : Promise.resolve([]),
      ]);
      return {
        subject,
        stages,
        escalations: escalated,
        variables: Object.fromEntries(variables.map((v) => [v.name, v.value])),
        cancellationRequests,
        slaPauses: pauses,
      };
    }
  }

  async function medianDurationMs(bpmnProcessId: string): Promise<number | null> {
    // An ETA needs no second-by-second precision: the median over all history is computed at most once a minute.
    const cached = medians.get(bpmnProcessId);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = await computeMedianMs(bpmnProcessId);
    medians.set(bpmnProcessId, { value, until: Date.now() + 60_000 });
    return value;
  }

  async function subjectIdOfInstance(processInstanceKey: string): Promise<string | undefined> {
    const [instance] = await db
      .select({ root: processInstances.rootProcessInstanceKey })
      .from(processInstances)
      .where(eq(processInstances.processInstanceKey, processInstanceKey));
    const root = instance?.root ?? processInstanceKey;
    const rows = await db.execute<{ id: string }>(sql`
        select id from orders where process_instance_key = ${root}
        union all select id from service_change where process_instance_key = ${root}
        union all select id from line_order where process_instance_key = ${root}
        union all select id from trouble_ticket where process_instance_key = ${root}
        union all select id from complaint where process_instance_key = ${root}
        limit 1`);
    return rows[0]?.id;
  }
}
export type ProgressRepository = ReturnType<typeof createProgressRepository>;
