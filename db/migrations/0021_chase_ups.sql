-- Chase-ups (催单): a customer or their customer manager presses for progress on an order, change,
-- line order, trouble ticket or complaint. Presses within 5 minutes of a counted one fold into it
-- (repeat_presses); the counted ones are numbered within the current step (sequence_in_step), and
-- the 2nd and 3rd escalate (escalation_level, the escalation row, the response center's process).
CREATE TABLE "chase_up" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"subject_id" text NOT NULL,
	"subject_kind" text NOT NULL,
	"customer_id" text,
	"branch" text,
	"process_instance_key" bigint,
	"channel" text NOT NULL,
	"note" text,
	"requested_by" text NOT NULL,
	"requested_by_name" text NOT NULL,
	"requested_by_role" text NOT NULL,
	"step_element_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"step_task_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"step_holders" text[] DEFAULT '{}'::text[] NOT NULL,
	"step_started_at" timestamp with time zone,
	"step_due_at" timestamp with time zone,
	"sequence_in_step" integer NOT NULL,
	"escalation_level" text,
	"escalation_id" integer,
	"escalation_process_instance_key" bigint,
	"handling_outcome" text,
	"handling_note" text,
	"handled_at" timestamp with time zone,
	"repeat_presses" integer DEFAULT 0 NOT NULL,
	"last_pressed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chase_up_role_check" CHECK ("requested_by_role" in ('customer', 'customer-manager', 'admin')),
	CONSTRAINT "chase_up_level_check" CHECK ("escalation_level" is null or "escalation_level" in ('branch', 'region'))
);
--> statement-breakpoint
CREATE INDEX "chase_up_subject_idx" ON "chase_up" USING btree ("subject_id","created_at");
--> statement-breakpoint
CREATE INDEX "chase_up_created_idx" ON "chase_up" USING btree ("created_at");
--> statement-breakpoint
CREATE INDEX "complaint_created_idx" ON "complaint" USING btree ("created_at");
