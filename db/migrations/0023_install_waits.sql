-- Customer-caused waits (客户原因) on home-broadband install orders (docs/sla-pauses.md): the same
-- sla_pause rows as trouble tickets, for an order instead. The install SLA is computed from the
-- order's creation (docs/decisions.md "Install SLA"), so the API moves it; the response center's
-- decision above the limit is recorded here (a ticket's is the process's user task).
ALTER TABLE "sla_pause" ADD COLUMN "order_id" text REFERENCES "orders" ("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "sla_pause" ALTER COLUMN "ticket_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sla_pause" ADD COLUMN "decided_by" text;--> statement-breakpoint
ALTER TABLE "sla_pause" ADD COLUMN "decision_note" text;--> statement-breakpoint
-- A wait belongs to exactly one ticket or one order.
ALTER TABLE "sla_pause" ADD CONSTRAINT "sla_pause_subject_check" CHECK (("ticket_id" IS NULL) <> ("order_id" IS NULL));--> statement-breakpoint
-- At most one open wait per order, as per ticket.
CREATE UNIQUE INDEX "sla_pause_one_open_order" ON "sla_pause" ("order_id") WHERE "state" IN ('requested', 'active', 'awaiting-confirmation');--> statement-breakpoint
CREATE INDEX "sla_pause_order_idx" ON "sla_pause" ("order_id", "id");
