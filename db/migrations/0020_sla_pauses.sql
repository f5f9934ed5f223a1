-- SLA pauses for customer-caused waits (客户原因, docs/sla-pauses.md): one row per wait a crew or clerk
-- records on a trouble ticket. The process (fault-trouble-ticket) pauses the repair clock, and moves
-- repairDueAt / repairWarnAt by the paused working time when the wait ends; this table is what the
-- customer, the response center and the KPIs read of it.
CREATE TABLE "sla_pause" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY NOT NULL,
	"ticket_id" text NOT NULL REFERENCES "trouble_ticket" ("id") ON DELETE CASCADE,
	"process_instance_key" bigint NOT NULL,
	"reason" text NOT NULL,
	"note" text NOT NULL,
	"evidence_ref" text,
	"state" text DEFAULT 'requested' NOT NULL,
	"recorded_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	-- engine time (the process's clock) from here on
	"started_at" timestamp with time zone,
	"due_before" timestamp with time zone,
	"warn_before" timestamp with time zone,
	-- appointment-made | customer-reachable
	"end_outcome" text,
	"appointment_at" timestamp with time zone,
	"end_note" text,
	"ended_by" text,
	"ended_at" timestamp with time zone,
	"paused_working_ms" bigint,
	"confirmation_required" boolean,
	"decided_at" timestamp with time zone,
	"due_after" timestamp with time zone,
	"warn_after" timestamp with time zone,
	CONSTRAINT "sla_pause_state_check" CHECK ("state" IN ('requested', 'active', 'awaiting-confirmation', 'counted', 'refused')),
	CONSTRAINT "sla_pause_reason_check" CHECK ("reason" IN ('customer-not-home', 'customer-rescheduled', 'site-not-accessible', 'customer-equipment', 'customer-unreachable', 'property-approval')),
	CONSTRAINT "sla_pause_end_outcome_check" CHECK ("end_outcome" IS NULL OR "end_outcome" IN ('appointment-made', 'customer-reachable')),
	CONSTRAINT "sla_pause_paused_check" CHECK ("paused_working_ms" IS NULL OR "paused_working_ms" >= 0)
);--> statement-breakpoint
-- At most one open pause per ticket: a second one while the first runs is refused (409), also under concurrent requests.
CREATE UNIQUE INDEX "sla_pause_one_open" ON "sla_pause" ("ticket_id") WHERE "state" IN ('requested', 'active', 'awaiting-confirmation');--> statement-breakpoint
CREATE INDEX "sla_pause_ticket_idx" ON "sla_pause" ("ticket_id", "id");
