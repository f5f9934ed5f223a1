import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

// ── SMS notices (docs/sms.md) ─────────────────────────────────────────────────
/**
 * The notices' transactional outbox: triggers on instance_stage (a stage started or ended), user_task (created,
 * claimed) and escalation add one row in the same transaction as the fact. The notice dispatcher (workers
 * process, workers/notices/) reads them, composes the notices each fact means and deletes them.
 */
export const noticeChanges = pgTable('notice_change', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  /** stage (ref: element instance key) | task (ref: user task key) | escalation (ref: escalation id) */
  kind: text('kind').notNull(),
  ref: text('ref').notNull(),
  /** stage: active | completed | terminated; task: created | claimed; escalation: created */
  fact: text('fact').notNull(),
  recordedAt: at('recorded_at').notNull().defaultNow(),
});

/**
 * One SMS per event, template and recipient (the unique key makes an event processed twice one message),
 * sent by the dispatcher through the gateway adapter: claimed before it is sent, retried with back-off,
 * held by the per-phone rate limit, suppressed when the customer opted out. Staff read them per order or ticket.
 */
export const smsNotices = pgTable(
  'sms_notice',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** What happened, e.g. stage:2251799813685290, task:2251799813685301:claimed, escalation:12. */
    eventKey: text('event_key').notNull(),
    template: text('template').notNull(),
    /** The phone number ('' when none is on record: the notice is kept as skipped, for the timeline). */
    recipient: text('recipient').notNull(),
    /** customer | crew | response-center */
    audience: text('audience').notNull(),
    recipientName: text('recipient_name'),
    /** The order, ticket, change, … the event is about. */
    subjectId: text('subject_id'),
    customerId: text('customer_id'),
    /** The values of the template's placeholders. */
    params: jsonb('params').notNull().default({}),
    /** The text as sent (rendered from the template current at the first send attempt). */
    body: text('body'),
    /** queued | sending | sent | delivered | undelivered | failed | suppressed | skipped */
    status: text('status').notNull().default('queued'),
    /** Why it is held, suppressed, skipped or failed (Chinese / English). */
    statusReason: text('status_reason'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    /** A dispatcher holds it until then (claim before send); another takes it up only after. */
    claimedUntil: at('claimed_until'),
    lastError: text('last_error'),
    gatewayMessageId: text('gateway_message_id'),
    eventAt: at('event_at').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    sentAt: at('sent_at'),
    deliveredAt: at('delivered_at'),
  },
  (t) => [
    uniqueIndex('sms_notice_once_idx').on(t.eventKey, t.template, t.recipient),
    index('sms_notice_due_idx').on(t.status, t.nextAttemptAt),
    index('sms_notice_subject_idx').on(t.subjectId, t.id),
    index('sms_notice_recipient_idx').on(t.recipient, t.sentAt),
  ],
);

/** The Chinese SMS templates process owners edit (seeded with the defaults; placeholders per key in contracts/notices.ts). */
export const smsTemplates = pgTable('sms_template', {
  key: text('key').primaryKey(),
  body: text('body').notNull(),
  defaultBody: text('default_body').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  updatedBy: text('updated_by'),
});

/** A customer account's choice about SMS notices (退订): opted out customers get none. */
export const customerSmsPreferences = pgTable('customer_sms_preference', {
  customerId: text('customer_id').primaryKey(),
  optedOut: boolean('opted_out').notNull().default(false),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/**
 * Duty phones of groups (值班电话): a crew group told of each dispatch, a response center of each escalation
 * at its level. branch / level null: every branch / level.
 */
export const noticeContacts = pgTable(
  'notice_contact',
  {
    id: serial('id').primaryKey(),
    groupId: text('group_id').notNull(),
    branch: text('branch'),
    /** county | branch | region (response centers) */
    level: text('level'),
    name: text('name').notNull(),
    phone: text('phone').notNull(),
    onDispatch: boolean('on_dispatch').notNull().default(false),
    onEscalation: boolean('on_escalation').notNull().default(false),
  },
  (t) => [uniqueIndex('notice_contact_unique_idx').on(t.groupId, sql`coalesce(${t.branch}, '')`, sql`coalesce(${t.level}, '')`, t.phone)],
);

// ── Simulated SMS gateway and CRM contact directory (workers/adapters) ────────
/** What the simulated SMS gateway accepted (one per client reference: a resubmission is the same message). */
export const simSmsMessages = pgTable(
  'sim_sms_message',
  {
    id: text('id').primaryKey(),
    clientRef: text('client_ref').notNull(),
    phone: text('phone').notNull(),
    body: text('body').notNull(),
    /** accepted | delivered | failed */
    status: text('status').notNull().default('accepted'),
    error: text('error'),
    /** How often it was submitted: more than 1 means a resubmission the client reference caught. */
    submissions: integer('submissions').notNull().default(1),
    submittedAt: at('submitted_at').notNull().defaultNow(),
    reportedAt: at('reported_at'),
  },
  (t) => [uniqueIndex('sim_sms_message_client_ref_idx').on(t.clientRef), index('sim_sms_message_phone_idx').on(t.phone, t.submittedAt)],
);

/**
 * Failure injection for the simulated gateway: per phone, or '*' for every phone (an outage).
 * reject: submissions refused (transient); invalid: refused for good; undeliverable: accepted, then reported failed.
 * remaining: how many submissions it still affects (null: until the row is removed).
 */
export const simSmsFaults = pgTable('sim_sms_fault', {
  phone: text('phone').primaryKey(),
  mode: text('mode').notNull().default('reject'),
  remaining: integer('remaining'),
  error: text('error').notNull().default('网关繁忙 / gateway busy'),
});

/** CRM contact directory (simulated): the registered mobile of an account, for tickets that carry none. */
export const simCrmContacts = pgTable('sim_crm_contact', {
  account: text('account').primaryKey(),
  customerName: text('customer_name').notNull(),
  phone: text('phone').notNull(),
});
