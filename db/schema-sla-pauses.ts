import { sql } from 'drizzle-orm';
import { bigint, boolean, check, customType, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { orders, troubleTickets } from './schema.ts';

const engineKey = customType<{ data: string; driverData: string }>({ dataType: () => 'bigint' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * SLA pauses for customer-caused waits (客户原因) on trouble tickets (docs/sla-pauses.md). Times from
 * `started_at` on are the engine's (the process's clock), so the paused time and the moved due time
 * agree with the timers.
 */
export const slaPauses = pgTable(
  'sla_pause',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The trouble ticket paused, or (migration 0023) the home-broadband install order: exactly one of them. */
    ticketId: text('ticket_id').references(() => troubleTickets.id, { onDelete: 'cascade' }),
    orderId: text('order_id').references(() => orders.id, { onDelete: 'cascade' }),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    /** contracts/sla-pause.ts CUSTOMER_WAIT_REASONS */
    reason: text('reason').notNull(),
    note: text('note').notNull(),
    evidenceRef: text('evidence_ref'),
    /** requested | active | awaiting-confirmation | counted | refused */
    state: text('state').notNull().default('requested'),
    recordedBy: text('recorded_by').notNull(),
    requestedAt: at('requested_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    dueBefore: at('due_before'),
    warnBefore: at('warn_before'),
    /** appointment-made | customer-reachable */
    endOutcome: text('end_outcome'),
    /** The new visit agreed with the customer, when the wait ended with one. */
    appointmentAt: at('appointment_at'),
    endNote: text('end_note'),
    endedBy: text('ended_by'),
    endedAt: at('ended_at'),
    pausedWorkingMs: bigint('paused_working_ms', { mode: 'number' }),
    confirmationRequired: boolean('confirmation_required'),
    decidedAt: at('decided_at'),
    dueAfter: at('due_after'),
    warnAfter: at('warn_after'),
    /** An install order's wait above the limit: who of the response center decided, and why (a ticket's decision is its process's task). */
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
  },
  (t) => [
    check('sla_pause_state_check', sql`${t.state} IN ('requested', 'active', 'awaiting-confirmation', 'counted', 'refused')`),
    check(
      'sla_pause_reason_check',
      sql`${t.reason} IN ('customer-not-home', 'customer-rescheduled', 'site-not-accessible', 'customer-equipment', 'customer-unreachable', 'property-approval')`,
    ),
    check('sla_pause_end_outcome_check', sql`${t.endOutcome} IS NULL OR ${t.endOutcome} IN ('appointment-made', 'customer-reachable')`),
    check('sla_pause_paused_check', sql`${t.pausedWorkingMs} IS NULL OR ${t.pausedWorkingMs} >= 0`),
    uniqueIndex('sla_pause_one_open')
      .on(t.ticketId)
      .where(sql`${t.state} IN ('requested', 'active', 'awaiting-confirmation')`),
    index('sla_pause_ticket_idx').on(t.ticketId, t.id),
    check('sla_pause_subject_check', sql`(${t.ticketId} IS NULL) <> (${t.orderId} IS NULL)`),
    uniqueIndex('sla_pause_one_open_order')
      .on(t.orderId)
      .where(sql`${t.state} IN ('requested', 'active', 'awaiting-confirmation')`),
    index('sla_pause_order_idx').on(t.orderId, t.id),
  ],
);
