import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { cancelProductOrders, tmfEventMarks, tmfEvents } from '../../../db/schema.ts';
import { ESCALATION_LABELS } from '../status/labels.ts';
import { jeopardies, milestones, stateHistory } from '../status/progress.ts';
import type { ProgressRepository, SubjectProgress } from '../status/repository.ts';
import { PRODUCT_ORDERING_BASE, toCancelProductOrder, toProductOrder } from '../tmf/product-order.ts';
import { toTroubleTicket, TROUBLE_TICKET_BASE } from '../tmf/trouble-ticket.ts';
import type { HubApi } from './schemas.ts';

/** One listener event a change of a resource means, keyed so that it is announced once. */
interface Fact {
  mark: string;
  at: Date;
  eventType: string;
  title: string;
  payload: () => Record<string, unknown>;
}

function productOrderFacts(p: SubjectProgress, now: Date): Fact[] {
  const facts: Fact[] = [
    {
      mark: 'created',
      at: p.subject.createdAt,
      eventType: 'ProductOrderCreateEvent',
      title: 'Product order created',
      payload: () => ({ productOrder: toProductOrder(p, now, 'acknowledged') }),
    },
  ];
  stateHistory(p).forEach((h, i) => {
    if (i === 0) return;
    facts.push({
      mark: `state:${i}:${h.state}`,
      at: h.at,
      eventType: 'ProductOrderStateChangeEvent',
      title: `Product order ${h.state}`,
      payload: () => ({ productOrder: toProductOrder(p, now, h.state) }),
    });
  });
  for (const m of milestones(p, now)) {
    if (m.status !== 'Completed' || !m.at) continue;
    facts.push({
      mark: `milestone:${m.id}`,
      at: m.at,
      eventType: 'ProductOrderMilestoneEvent',
      title: `Milestone reached: ${m.label.en}`,
      payload: () => ({ productOrder: toProductOrder(p, now) }),
    });
  }
  for (const j of jeopardies(p)) {
    facts.push({
      mark: `jeopardy:${j.id}`,
      at: j.at,
      eventType: 'ProductOrderJeopardyAlertEvent',
      title: `Jeopardy: ${ESCALATION_LABELS[j.level]!.en}`,
      payload: () => ({ productOrder: toProductOrder(p, now) }),
    });
  }
  for (const c of p.cancellationRequests) {
    const task = toCancelProductOrder(c, p);
    facts.push({
      mark: `cancel:${c.id}:created`,
      at: c.createdAt,
      eventType: 'CancelProductOrderCreateEvent',
      title: 'Cancellation requested',
      payload: () => ({ cancelProductOrder: { ...task, state: 'acknowledged' } }),
    });
    if (task.state !== 'acknowledged') {
      // When the task reached its state, by the clock of whatever recorded it; never the time of this
      // rendering, which a change recorded earlier but read later would then precede.
      const reacted = p.stages.find((s) => s.elementId === 'cancel-requested' || s.elementId === 'line-cancel-requested');
      const at = task.state === 'inProgress' ? reacted?.startedAt : (p.subject.closedAt ?? stateHistory(p).at(-1)?.at);
      facts.push({
        mark: `cancel:${c.id}:${task.state}`,
        at: at ?? c.createdAt,
        eventType: 'CancelProductOrderStateChangeEvent',
        title: `Cancellation ${task.state}`,
        payload: () => ({ cancelProductOrder: task }),
      });
    }
  }
  return facts;
}

function troubleTicketFacts(p: SubjectProgress): Fact[] {
  const facts: Fact[] = [
    {
      mark: 'created',
      at: p.subject.createdAt,
      eventType: 'TroubleTicketCreateEvent',
      title: 'Trouble ticket created',
      payload: () => ({ troubleTicket: toTroubleTicket(p, { state: 'acknowledged', at: p.subject.createdAt, reason: 'Received' }) }),
    },
  ];
  stateHistory(p).forEach((h, i) => {
    if (i === 0) return;
    facts.push({
      mark: `state:${i}:${h.state}`,
      at: h.at,
      eventType: 'TroubleTicketStatusChangeEvent',
      title: `Trouble ticket ${h.state}`,
      payload: () => ({ troubleTicket: toTroubleTicket(p, h) }),
    });
    if (h.state === 'resolved') {
      facts.push({
        mark: `resolved:${i}`,
        at: h.at,
        eventType: 'TroubleTicketResolvedEvent',
        title: 'Trouble ticket resolved',
        payload: () => ({ troubleTicket: toTroubleTicket(p, h) }),
      });
    }
  });
  return facts;
}

/**
 * Works out the listener events a resource's latest changes mean (against what was already
 * announced) and records them, in the order they happened, with the marks, in one transaction.
 */
export async function renderEvents({
  db,
  progress,
  resourceId,
  now = new Date(),
}: {
  db: Db;
  progress: ProgressRepository;
  resourceId: string;
  now?: Date;
}) {
  const subject = await progress.findSubject(resourceId);
  if (!subject) return 0;
  const p = await progress.progress(subject);
  const api: HubApi = subject.kind === 'ticket' || subject.kind === 'complaint' ? 'troubleTicket' : 'productOrdering';
  const facts = api === 'troubleTicket' ? troubleTicketFacts(p) : productOrderFacts(p, now);
  const ordered = facts.map((f, i) => ({ f, i })).sort((a, b) => a.f.at.getTime() - b.f.at.getTime() || a.i - b.i);
  return db.transaction(async (tx) => {
    // Serialise renderers of one resource (two API processes, or a slow tick overlapping the next).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`tmf:${resourceId}`}))`);
    const [row] = await tx.select().from(tmfEventMarks).where(eq(tmfEventMarks.resourceId, resourceId));
    const marks = new Set(row?.marks ?? []);
    const fresh = ordered.filter(({ f }) => !marks.has(f.mark));
    if (fresh.length === 0) return 0;
    const domain = api === 'troubleTicket' ? 'troubleTicket' : 'productOrderingManagement';
    const base = api === 'troubleTicket' ? TROUBLE_TICKET_BASE : PRODUCT_ORDERING_BASE;
    await tx.insert(tmfEvents).values(
      fresh.map(({ f }) => {
        const eventId = randomUUID();
        return {
          api,
          eventType: f.eventType,
          resourceId,
          customerId: subject.customerId,
          body: {
            '@type': f.eventType,
            eventId,
            eventType: f.eventType,
            eventTime: now.toISOString(),
            timeOccurred: f.at.toISOString(),
            correlationId: resourceId,
            domain,
            title: f.title,
            reportingSystem: { '@type': 'EntityRef', id: 'telecom-long-process', name: 'Long-process orchestration', href: base },
            event: f.payload(),
          },
        };
      }),
    );
    const all = [...marks, ...fresh.map(({ f }) => f.mark)];
    await tx
      .insert(tmfEventMarks)
      .values({ resourceId, marks: all })
      .onConflictDoUpdate({ target: tmfEventMarks.resourceId, set: { marks: all } });
    return fresh.length;
  });
}

/** The resource a recorded change is about (an instance's order or ticket, an escalation's subject, a cancellation's order). */
export async function resourceOfChange(db: Db, progress: ProgressRepository, kind: string, ref: string): Promise<string | undefined> {
  if (kind === 'instance') return progress.subjectIdOfInstance(ref);
  if (kind === 'cancel') {
    const [row] = await db
      .select({ orderId: cancelProductOrders.orderId })
      .from(cancelProductOrders)
      .where(eq(cancelProductOrders.id, ref));
    return row?.orderId;
  }
  return ref;
}
