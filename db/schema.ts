import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Engine keys are 64-bit; they travel as decimal strings everywhere in our code (postgres.js returns int8 as text). */
const engineKey = customType<{ data: string; driverData: string }>({ dataType: () => 'bigint' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

// ── Engine events ─────────────────────────────────────────────────────────────
/**
 * Operaton's events, written by our engine plugin (engine/src/.../EngineEventOutbox.java) in the
 * engine's own transaction, read by the projector in (tx_id, id) order: it reads only transactions
 * older than every transaction still running, so none is skipped.
 */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });
export const engineEvents = pgTable(
  'engine_event',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txId: xid8('tx_id').notNull(),
    kind: text('kind').notNull(),
    eventType: text('event_type').notNull(),
    processInstanceId: text('process_instance_id'),
    payload: jsonb('payload').notNull(),
    recordedAt: at('recorded_at').notNull().defaultNow(),
  },
  (t) => [index('engine_event_tx_idx').on(t.txId, t.id), index('engine_event_instance_idx').on(t.processInstanceId)],
);

/** How far the projector has read engine_event: the last (tx_id, id) applied. */
export const engineEventCheckpoint = pgTable('engine_event_checkpoint', {
  projection: text('projection').primaryKey(),
  txId: xid8('tx_id').notNull(),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
});

/**
 * Customers' messages to a process (a confirmation, a cancellation). Operaton keeps no message for
 * later, so the intent is recorded here first: delivered at once when the process waits for it,
 * otherwise as soon as it does (the API's message relay), never twice (one row per business object
 * and message), expired when the process ended without waiting for it.
 */
export const engineMessages = pgTable(
  'engine_message',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    businessKey: text('business_key').notNull(),
    messageName: text('message_name').notNull(),
    processInstanceKey: engineKey('process_instance_key'),
    variables: jsonb('variables').notNull().default({}),
    /** pending | delivered | expired */
    state: text('state').notNull().default('pending'),
    requestedAt: at('requested_at').notNull().defaultNow(),
    deliveredAt: at('delivered_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [uniqueIndex('engine_message_once').on(t.businessKey, t.messageName), index('engine_message_pending_idx').on(t.state)],
);

// ── Read model ────────────────────────────────────────────────────────────────
export const orderNumberSeq = pgSequence('order_number_seq', { startWith: 1 });

export const orders = pgTable(
  'orders',
  {
    id: text('id')
      .primaryKey()
      .default(sql`'HB' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('order_number_seq')::text, 6, '0')`),
    kind: text('kind').notNull().default('home-broadband-new-install'),
    customerName: text('customer_name').notNull(),
    /** The customer account (CRM party id) the order belongs to; customers see only their own. */
    customerId: text('customer_id'),
    customerPhone: text('customer_phone').notNull(),
    customerLevel: text('customer_level').notNull(),
    address: text('address').notNull(),
    grid: text('grid').notNull(),
    product: jsonb('product').notNull(),
    /** acknowledged → inProgress → completed | failed | cancelled (TMF622 state names). */
    state: text('state').notNull().default('acknowledged'),
    stateReason: text('state_reason'),
    processInstanceKey: engineKey('process_instance_key'),
    idempotencyKey: text('idempotency_key'),
    /** A fingerprint of the request that first used the key: a retry with another body is refused (422). */
    requestHash: text('request_hash'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    completedAt: at('completed_at'),
  },
  (t) => [uniqueIndex('orders_instance_idx').on(t.processInstanceKey), uniqueIndex('orders_idempotency_idx').on(t.idempotencyKey)],
);

/** Deployed process versions with their BPMN XML (diagrams in the UI), from the engine's PROCESS events. */
export const processDefinitions = pgTable(
  'process_definition',
  {
    processDefinitionKey: engineKey('process_definition_key').primaryKey(),
    bpmnProcessId: text('bpmn_process_id').notNull(),
    version: integer('version').notNull(),
    resourceName: text('resource_name').notNull(),
    xml: text('xml').notNull(),
    deployedAt: at('deployed_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('process_definition_version_idx').on(t.bpmnProcessId, t.version)],
);

/** Names and kinds of the elements of each deployed process version, from the engine's PROCESS events. */
export const processElements = pgTable(
  'process_element',
  {
    processDefinitionKey: engineKey('process_definition_key').notNull(),
    bpmnProcessId: text('bpmn_process_id').notNull(),
    version: integer('version').notNull(),
    elementId: text('element_id').notNull(),
    name: text('name'),
    /** The English name (`name.en` extension property); null when the model has none (the name is shown). */
    nameEn: text('name_en'),
    elementType: text('element_type').notNull(),
    formId: text('form_id'),
  },
  (t) => [primaryKey({ columns: [t.processDefinitionKey, t.elementId] })],
);

/** One row per stage (task, call activity, end event) an instance went through. */
export const instanceStages = pgTable(
  'instance_stage',
  {
    elementInstanceKey: engineKey('element_instance_key').primaryKey(),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    processDefinitionKey: engineKey('process_definition_key').notNull(),
    bpmnProcessId: text('bpmn_process_id').notNull(),
    elementId: text('element_id').notNull(),
    elementType: text('element_type').notNull(),
    name: text('name'),
    /** The element instance that contains this one (a sub-process, a multi-instance branch, or the process). */
    flowScopeKey: engineKey('flow_scope_key'),
    /** active | completed | terminated */
    state: text('state').notNull(),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
  },
  (t) => [index('instance_stage_instance_idx').on(t.processInstanceKey, t.startedAt)],
);

/** Process instances and how they ended. */
export const processInstances = pgTable(
  'process_instance',
  {
    processInstanceKey: engineKey('process_instance_key').primaryKey(),
    processDefinitionKey: engineKey('process_definition_key').notNull(),
    bpmnProcessId: text('bpmn_process_id').notNull(),
    version: integer('version').notNull(),
    /** The instance whose call activity started this one (null for a top-level instance). */
    parentProcessInstanceKey: engineKey('parent_process_instance_key'),
    /** The top-level instance of a call hierarchy (itself when top-level): its order or ticket owns the work. */
    rootProcessInstanceKey: engineKey('root_process_instance_key'),
    /** active | completed | terminated */
    state: text('state').notNull(),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
  },
  (t) => [index('process_instance_root_idx').on(t.rootProcessInstanceKey)],
);

/**
 * The latest value of each variable per scope, from the engine's VARIABLE events: the business
 * context (order id, customer level, branch, the line of a multi-instance branch, …) that task
 * lists and dashboards filter on. Process-level variables have scope = the instance.
 */
export const instanceVariables = pgTable(
  'instance_variable',
  {
    /** The element instance (or process instance) the variable belongs to. */
    scopeKey: engineKey('scope_key').notNull(),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    name: text('name').notNull(),
    value: jsonb('value'),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scopeKey, t.name] }), index('instance_variable_instance_idx').on(t.processInstanceKey)],
);

/** Incidents (failed jobs out of retries, unresolvable expressions, …), from the engine's INCIDENT events. */
export const incidents = pgTable(
  'incident',
  {
    incidentKey: engineKey('incident_key').primaryKey(),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    elementInstanceKey: engineKey('element_instance_key').notNull(),
    bpmnProcessId: text('bpmn_process_id').notNull(),
    elementId: text('element_id').notNull(),
    errorType: text('error_type').notNull(),
    errorMessage: text('error_message'),
    /** The failed job, when the incident is a job's (its retries are restored on resolve). */
    jobKey: engineKey('job_key'),
    /** active | resolved */
    state: text('state').notNull(),
    createdAt: at('created_at').notNull(),
    resolvedAt: at('resolved_at'),
  },
  (t) => [index('incident_instance_idx').on(t.processInstanceKey), index('incident_state_idx').on(t.state)],
);

export const userTasks = pgTable(
  'user_task',
  {
    userTaskKey: engineKey('user_task_key').primaryKey(),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    elementInstanceKey: engineKey('element_instance_key').notNull(),
    bpmnProcessId: text('bpmn_process_id').notNull(),
    processDefinitionKey: engineKey('process_definition_key').notNull(),
    elementId: text('element_id').notNull(),
    name: text('name'),
    candidateGroups: text('candidate_groups').array().notNull(),
    assignee: text('assignee'),
    /** The user who completed it through the API (the engine does not record who). */
    completedBy: text('completed_by'),
    formId: text('form_id'),
    dueDate: text('due_date'),
    /** 0-100, higher first (camunda:priority; the engine's default is 50). */
    priority: integer('priority').notNull().default(50),
    /** created | completed | canceled */
    state: text('state').notNull(),
    createdAt: at('created_at').notNull(),
    endedAt: at('ended_at'),
    variables: jsonb('variables'),
  },
  (t) => [index('user_task_open_idx').on(t.state)],
);

/** Deployed Camunda forms (form-js JSON), by form id and version, from the engine's FORM events. */
export const forms = pgTable(
  'form',
  {
    formKey: engineKey('form_key').primaryKey(),
    formId: text('form_id').notNull(),
    version: integer('version').notNull(),
    schema: jsonb('schema').notNull(),
  },
  (t) => [uniqueIndex('form_id_version_idx').on(t.formId, t.version)],
);

// ── Simulated outside systems (adapters in workers/adapters) ──────────────────
/** Resource inventory: access ports per grid (simulates the operator's resource management system). */
export const resourcePorts = pgTable(
  'resource_port',
  {
    id: serial('id').primaryKey(),
    grid: text('grid').notNull(),
    olt: text('olt').notNull(),
    ponPort: text('pon_port').notNull(),
    splitterPort: smallint('splitter_port').notNull(),
    /** free | reserved | in-service */
    status: text('status').notNull().default('free'),
    /** The order holding the port and the engine identity that reserved it (idempotency). */
    orderId: text('order_id'),
    reservationKey: text('reservation_key'),
    reservedAt: at('reserved_at'),
  },
  (t) => [
    uniqueIndex('resource_port_reservation_idx').on(t.reservationKey),
    uniqueIndex('resource_port_label_idx').on(t.olt, t.ponPort, t.splitterPort),
    index('resource_port_free_idx').on(t.grid, t.status),
  ],
);

/** Billing system: one row per started charge (simulates BOSS). */
export const billingStarts = pgTable(
  'billing_start',
  {
    id: serial('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    orderId: text('order_id').notNull(),
    productCode: text('product_code').notNull(),
    monthlyFeeCents: integer('monthly_fee_cents').notNull(),
    startedAt: at('started_at').notNull(),
  },
  (t) => [index('billing_start_order_idx').on(t.orderId)],
);

/** Revisit outcomes (satisfaction 1–10), for the satisfaction KPI. */
export const revisits = pgTable('revisit', {
  orderId: text('order_id').primaryKey(),
  satisfaction: smallint('satisfaction').notNull(),
  comment: text('comment'),
  recordedAt: at('recorded_at').notNull().defaultNow(),
  archived: boolean('archived').notNull().default(true),
});

// ── Faults (trouble tickets) ──────────────────────────────────────────────────
export const ticketNumberSeq = pgSequence('ticket_number_seq', { startWith: 1 });

export const troubleTickets = pgTable(
  'trouble_ticket',
  {
    id: text('id')
      .primaryKey()
      .default(sql`'FT' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('ticket_number_seq')::text, 6, '0')`),
    account: text('account').notNull(),
    customerName: text('customer_name').notNull(),
    /** The customer account (CRM party id) the order belongs to; customers see only their own. */
    customerId: text('customer_id'),
    customerLevel: text('customer_level').notNull(),
    service: text('service').notNull(),
    /** hotline | customer-manager | monitoring-alarm */
    source: text('source').notNull(),
    description: text('description').notNull(),
    /** TMF621 states: acknowledged → inProgress → resolved → closed */
    state: text('state').notNull().default('acknowledged'),
    /** Why it was closed that way when that is not obvious (refused, cancelled): shown to the customer. */
    stateReason: text('state_reason'),
    diagnosis: jsonb('diagnosis'),
    /** online | field */
    resolutionPath: text('resolution_path'),
    /** Another fault of the same account within 30 days before this one. */
    repeated: boolean('repeated').notNull().default(false),
    processInstanceKey: engineKey('process_instance_key'),
    createdAt: at('created_at').notNull().defaultNow(),
    resolvedAt: at('resolved_at'),
    closedAt: at('closed_at'),
  },
  (t) => [
    index('trouble_ticket_account_idx').on(t.account, t.createdAt),
    uniqueIndex('trouble_ticket_instance_idx').on(t.processInstanceKey),
  ],
);

/** Escalations to the customer response center (county → branch → region), one per timer firing. */
export const escalations = pgTable(
  'escalation',
  {
    id: serial('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    subjectId: text('subject_id').notNull(),
    /** county | branch | region */
    level: text('level').notNull(),
    reason: text('reason').notNull(),
    processInstanceKey: engineKey('process_instance_key').notNull(),
    elementId: text('element_id').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('escalation_subject_idx').on(t.subjectId)],
);

// ── Simulated network systems queried by fault pre-diagnosis (workers/adapters/diagnosis) ──
/** Resource inventory: which access line serves an account. */
export const simLines = pgTable('sim_line', {
  account: text('account').primaryKey(),
  grid: text('grid').notNull(),
  olt: text('olt').notNull(),
  ponPort: text('pon_port').notNull(),
  onuId: text('onu_id').notNull(),
  service: text('service').notNull(),
});

/** Access platform (综合业务接入平台): ONU state and optical level. */
export const simOnuStates = pgTable('sim_onu_state', {
  onuId: text('onu_id').primaryKey(),
  /** online | offline | los | dying-gasp */
  status: text('status').notNull(),
  rxPowerDbm: real('rx_power_dbm'),
  changedAt: at('changed_at').notNull().defaultNow(),
});

/** RADIUS: last authentication result and the online session. */
export const simRadius = pgTable('sim_radius', {
  account: text('account').primaryKey(),
  /** accept | reject-password | reject-arrears */
  lastAuthResult: text('last_auth_result').notNull(),
  online: boolean('online').notNull(),
  sessionStartedAt: at('session_started_at'),
});

/** Network management: active alarms per OLT and PON port. */
export const simAlarms = pgTable(
  'sim_alarm',
  {
    id: serial('id').primaryKey(),
    olt: text('olt').notNull(),
    ponPort: text('pon_port'),
    /** fibre-cut | pon-los | olt-power | board-fault */
    kind: text('kind').notNull(),
    raisedAt: at('raised_at').notNull().defaultNow(),
    clearedAt: at('cleared_at'),
  },
  (t) => [index('sim_alarm_active_idx').on(t.olt, t.clearedAt)],
);

/** How each simulated source behaves (latency, hanging), so tests and benchmarks can shape it. */
export const simSourceBehaviour = pgTable('sim_source_behaviour', {
  source: text('source').primaryKey(),
  latencyMs: integer('latency_ms').notNull().default(0),
  hang: boolean('hang').notNull().default(false),
});

// ── Business calendar ─────────────────────────────────────────────────────────
/**
 * Administrators' corrections to the Chinese public-holiday calendar: the State Council announces
 * each year's holidays and make-up workdays (调休) late in the year before, so the package's data
 * can lag. A row here wins over the package for its date.
 */
export const calendarDays = pgTable('calendar_day', {
  /** Local date in China, YYYY-MM-DD. */
  date: text('date').primaryKey(),
  /** holiday | workday */
  kind: text('kind').notNull(),
  name: text('name').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** Product catalogue (simulates the CRM/BOSS catalogue): what an order may name. */
export const productCatalogue = pgTable('product_catalogue', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  bandwidthMbps: integer('bandwidth_mbps').notNull(),
  monthlyFeeCents: integer('monthly_fee_cents').notNull(),
  active: boolean('active').notNull().default(true),
});

// ── Complaints ────────────────────────────────────────────────────────────────
export const complaintNumberSeq = pgSequence('complaint_number_seq', { startWith: 1 });

export const complaints = pgTable(
  'complaint',
  {
    id: text('id')
      .primaryKey()
      .default(sql`'CP' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('complaint_number_seq')::text, 6, '0')`),
    account: text('account').notNull(),
    customerName: text('customer_name').notNull(),
    /** The customer account (CRM party id) the order belongs to; customers see only their own. */
    customerId: text('customer_id'),
    customerLevel: text('customer_level').notNull(),
    category: text('category').notNull(),
    description: text('description').notNull(),
    /** TMF621 states: acknowledged → inProgress → resolved → closed */
    state: text('state').notNull().default('acknowledged'),
    /** Why it was closed that way when that is not obvious (refused, cancelled): shown to the customer. */
    stateReason: text('state_reason'),
    dispatchInfo: jsonb('dispatch_info'),
    customerSatisfied: boolean('customer_satisfied'),
    processInstanceKey: engineKey('process_instance_key'),
    createdAt: at('created_at').notNull().defaultNow(),
    closedAt: at('closed_at'),
  },
  (t) => [index('complaint_category_idx').on(t.category, t.createdAt)],
);

// ── Acceptance and handover (enterprise lines) ────────────────────────────────
/** Enterprise dedicated lines in resource inventory (simulates the resource system's line register). */
export const enterpriseLines = pgTable('enterprise_line', {
  lineId: text('line_id').primaryKey(),
  customer: text('customer').notNull(),
  /** The branch (分公司) that accepts it, e.g. urumqi, xian. */
  branch: text('branch').notNull(),
  service: text('service').notNull(),
  aEnd: text('a_end').notNull(),
  zEnd: text('z_end').notNull(),
  inInventoryAt: at('in_inventory_at').notNull(),
});

/** One row per line and month: how its acceptance went. */
export const lineAcceptances = pgTable(
  'line_acceptance',
  {
    month: text('month').notNull(),
    lineId: text('line_id').notNull(),
    branch: text('branch').notNull(),
    rectifications: integer('rectifications').notNull(),
    /** null when no rectification was needed */
    rectifiedOnTime: boolean('rectified_on_time'),
    recordedAt: at('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.lineId] })],
);

/** Each branch's monthly acceptance score. */
export const acceptanceScores = pgTable(
  'acceptance_score',
  {
    month: text('month').notNull(),
    branch: text('branch').notNull(),
    lines: integer('lines').notNull(),
    passedFirstTime: integer('passed_first_time').notNull(),
    rectifiedOnTime: integer('rectified_on_time').notNull(),
    score: real('score').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.branch] })],
);

// ── Changes to home-broadband lines ───────────────────────────────────────────
export const changeNumberSeq = pgSequence('change_number_seq', { startWith: 1 });

export const serviceChanges = pgTable(
  'service_change',
  {
    id: text('id')
      .primaryKey()
      .default(sql`'CH' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('change_number_seq')::text, 6, '0')`),
    /** The order whose line changes. */
    orderId: text('order_id').notNull(),
    /** product-change | relocation | scheduled-cancellation | formal-cancellation | terminal-repair */
    changeType: text('change_type').notNull(),
    details: jsonb('details').notNull(),
    /** requested → done | refused */
    state: text('state').notNull().default('requested'),
    /** Why it was closed that way when that is not obvious (refused, cancelled): shown to the customer. */
    stateReason: text('state_reason'),
    processInstanceKey: engineKey('process_instance_key'),
    createdAt: at('created_at').notNull().defaultNow(),
    closedAt: at('closed_at'),
  },
  (t) => [index('service_change_order_idx').on(t.orderId)],
);

/** Billing system: changes and stops of a subscription's charge (simulates BOSS). */
export const billingChanges = pgTable('billing_change', {
  id: serial('id').primaryKey(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  orderId: text('order_id').notNull(),
  /** change | stop */
  action: text('action').notNull(),
  productCode: text('product_code').notNull(),
  monthlyFeeCents: integer('monthly_fee_cents').notNull(),
  effectiveAt: at('effective_at').notNull(),
});

export const lineOrderNumberSeq = pgSequence('line_order_number_seq', { startWith: 1 });

/** Enterprise dedicated-line orders (design commission to billing start). */
export const lineOrders = pgTable('line_order', {
  id: text('id')
    .primaryKey()
    .default(sql`'DL' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('line_order_number_seq')::text, 6, '0')`),
  customer: text('customer').notNull(),
  /** The customer account (CRM party id) the order belongs to; customers see only their own. */
  customerId: text('customer_id'),
  customerLevel: text('customer_level').notNull(),
  service: text('service').notNull(),
  aEnd: jsonb('a_end').notNull(),
  zEnd: jsonb('z_end').notNull(),
  protectionLevel: text('protection_level').notNull(),
  circuits: integer('circuits').notNull(),
  monthlyFeeCents: integer('monthly_fee_cents').notNull(),
  /** acknowledged → inProgress → completed | failed */
  state: text('state').notNull().default('acknowledged'),
  /** Why the order is where it is when that is not obvious (refused, cancelled): shown to the customer. */
  stateReason: text('state_reason'),
  processInstanceKey: engineKey('process_instance_key'),
  createdAt: at('created_at').notNull().defaultNow(),
  completedAt: at('completed_at'),
});

// ── Users and roles ───────────────────────────────────────────────────────────
/**
 * People who sign in: customers (their own orders and tickets), clerks (their groups' tasks in
 * their branch), process owners, leaders and administrators. Passwords are scrypt hashes.
 */
export const appUsers = pgTable(
  'app_user',
  {
    id: serial('id').primaryKey(),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    /** customer | clerk | process-owner | leader | admin */
    role: text('role').notNull(),
    /** For customers: the CRM party id their orders and tickets carry. */
    customerId: text('customer_id'),
    /** For clerks: the candidate groups whose tasks they work, e.g. order-center. */
    groups: text('groups')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** For clerks and leaders: the branch (分公司) they belong to; null means every branch. */
    branch: text('branch'),
    active: boolean('active').notNull().default(true),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('app_user_username_idx').on(t.username)],
);

// ── TMF Open API: event hubs, outbox, cancellation requests ───────────────────
/**
 * The transactional outbox of the TMF event hubs: triggers on the business tables (orders, tickets,
 * complaints, changes, line orders, cancellation requests), on instance_stage and on escalation
 * add one row in the same transaction as the change. The hub dispatcher (api/domain/hub) reads
 * them, works out which listener events the change means and delivers them; nothing here waits
 * for a subscriber.
 */
export const tmfChanges = pgTable('tmf_change', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  /** order | ticket | complaint | change | line | cancel | instance (a process instance key) | subject (an escalation's subject id) */
  kind: text('kind').notNull(),
  ref: text('ref').notNull(),
  recordedAt: at('recorded_at').notNull().defaultNow(),
});

/** Listener events the dispatcher rendered, in the order they happened per resource. */
export const tmfEvents = pgTable(
  'tmf_event',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** productOrdering | troubleTicket */
    api: text('api').notNull(),
    eventType: text('event_type').notNull(),
    resourceId: text('resource_id').notNull(),
    customerId: text('customer_id'),
    body: jsonb('body').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('tmf_event_resource_idx').on(t.resourceId, t.id)],
);

/** What was already announced per resource (state n, milestone x, jeopardy y), so each fact becomes one event. */
export const tmfEventMarks = pgTable('tmf_event_mark', {
  resourceId: text('resource_id').primaryKey(),
  marks: text('marks')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
});

/** Event subscriptions (TMF hub): a callback, an optional query, a secret that signs each delivery. */
export const tmfHubs = pgTable(
  'tmf_hub',
  {
    id: text('id').primaryKey(),
    api: text('api').notNull(),
    callback: text('callback').notNull(),
    query: text('query'),
    secret: text('secret').notNull(),
    /** The user who registered it; a customer's hub sees only events of that customer. */
    ownerSub: text('owner_sub').notNull(),
    customerId: text('customer_id'),
    idempotencyKey: text('idempotency_key'),
    /** Events with a larger id than this were not yet fanned out to the hub. */
    cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
    createdAt: at('created_at').notNull().defaultNow(),
    deletedAt: at('deleted_at'),
  },
  (t) => [uniqueIndex('tmf_hub_idempotency_idx').on(t.idempotencyKey)],
);

/** One row per hub and event: retried with exponential backoff, in order per resource. */
export const tmfDeliveries = pgTable(
  'tmf_delivery',
  {
    hubId: text('hub_id').notNull(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    resourceId: text('resource_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    deliveredAt: at('delivered_at'),
    /** Set when the attempts ran out; the next event of the resource may then go. */
    gaveUpAt: at('gave_up_at'),
  },
  (t) => [primaryKey({ columns: [t.hubId, t.eventId] }), index('tmf_delivery_open_idx').on(t.hubId, t.resourceId, t.eventId)],
);

export const cancelOrderNumberSeq = pgSequence('cancel_order_number_seq', { startWith: 1 });

/** TMF622 cancelProductOrder requests: the task that asks an order's process to cancel it. */
export const cancelProductOrders = pgTable('cancel_product_order', {
  id: text('id')
    .primaryKey()
    .default(
      sql`'CX' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('cancel_order_number_seq')::text, 6, '0')`,
    ),
  orderId: text('order_id').notNull(),
  customerId: text('customer_id'),
  reason: text('reason'),
  requestedCancellationDate: at('requested_cancellation_date'),
  createdAt: at('created_at').notNull().defaultNow(),
});

/**
 * Idempotency keys of the TMF create operations (product orders that become changes, tickets,
 * complaints, cancellations, hubs): claimed before the resource is created, so a retry never
 * starts a second process.
 */
export const tmfRequests = pgTable('tmf_request', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  /** Null while the first request is still creating it. */
  resourceId: text('resource_id'),
  /** A fingerprint of the request that first used the key: a retry with another body is refused (422). */
  requestHash: text('request_hash'),
  createdAt: at('created_at').notNull().defaultNow(),
});
export * from './schema-evidence.ts';
export * from './schema-chase-ups.ts';
export * from './schema-sla-pauses.ts';
export * from './schema-notices.ts';
