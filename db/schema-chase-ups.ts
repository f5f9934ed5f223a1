import { bigint, customType, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Engine keys are 64-bit; they travel as decimal strings (as in db/schema.ts). */
const engineKey = customType<{ data: string; driverData: string }>({ dataType: () => 'bigint' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Chase-ups (催单): a customer or their customer manager pressing for progress on an order, change,
 * line order, trouble ticket or complaint (docs/chase-ups.md). One row per counted chase-up: presses
 * within 5 minutes of it fold into `repeatPresses`. Numbered within the step that was current when
 * it came (`sequenceInStep`); the 2nd escalates to the branch's response center, the 3rd to the region.
 */
export const chaseUps = pgTable(
  'chase_up',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    subjectId: text('subject_id').notNull(),
    /** order | change | line | ticket | complaint */
    subjectKind: text('subject_kind').notNull(),
    customerId: text('customer_id'),
    /** The branch (分公司) of the subject when it was chased: the KPIs count it there. */
    branch: text('branch'),
    processInstanceKey: engineKey('process_instance_key'),
    /** tracking-page | app | api | hotline | wechat | customer-manager */
    channel: text('channel').notNull(),
    note: text('note'),
    requestedBy: text('requested_by').notNull(),
    requestedByName: text('requested_by_name').notNull(),
    /** customer | customer-manager | admin */
    requestedByRole: text('requested_by_role').notNull(),
    /** The current step when it came: its elements, open user tasks and who held them (assignee or groups). */
    stepElementIds: text('step_element_ids').array().notNull().default([]),
    stepTaskKeys: text('step_task_keys').array().notNull().default([]),
    stepHolders: text('step_holders').array().notNull().default([]),
    stepStartedAt: at('step_started_at'),
    stepDueAt: at('step_due_at'),
    sequenceInStep: integer('sequence_in_step').notNull(),
    /** branch | region: the escalation this chase-up caused, if any. */
    escalationLevel: text('escalation_level'),
    escalationId: integer('escalation_id'),
    escalationProcessInstanceKey: engineKey('escalation_process_instance_key'),
    /** The response center's follow-up of an escalation (chase-up-escalation), which the customer sees. */
    handlingOutcome: text('handling_outcome'),
    handlingNote: text('handling_note'),
    handledAt: at('handled_at'),
    repeatPresses: integer('repeat_presses').notNull().default(0),
    lastPressedAt: at('last_pressed_at').notNull().defaultNow(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('chase_up_subject_idx').on(t.subjectId, t.createdAt), index('chase_up_created_idx').on(t.createdAt)],
);
