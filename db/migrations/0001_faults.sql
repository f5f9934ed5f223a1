CREATE SEQUENCE "public"."ticket_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "escalation" (
	"id" serial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"subject_id" text NOT NULL,
	"level" text NOT NULL,
	"reason" text NOT NULL,
	"process_instance_key" bigint NOT NULL,
	"element_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "escalation_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "sim_alarm" (
	"id" serial PRIMARY KEY NOT NULL,
	"olt" text NOT NULL,
	"pon_port" text,
	"kind" text NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sim_line" (
	"account" text PRIMARY KEY NOT NULL,
	"grid" text NOT NULL,
	"olt" text NOT NULL,
	"pon_port" text NOT NULL,
	"onu_id" text NOT NULL,
	"service" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sim_onu_state" (
	"onu_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"rx_power_dbm" real,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sim_radius" (
	"account" text PRIMARY KEY NOT NULL,
	"last_auth_result" text NOT NULL,
	"online" boolean NOT NULL,
	"session_started_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sim_source_behaviour" (
	"source" text PRIMARY KEY NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"hang" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trouble_ticket" (
	"id" text PRIMARY KEY DEFAULT 'FT' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('ticket_number_seq')::text, 6, '0') NOT NULL,
	"account" text NOT NULL,
	"customer_name" text NOT NULL,
	"customer_level" text NOT NULL,
	"service" text NOT NULL,
	"source" text NOT NULL,
	"description" text NOT NULL,
	"state" text DEFAULT 'acknowledged' NOT NULL,
	"diagnosis" jsonb,
	"resolution_path" text,
	"repeated" boolean DEFAULT false NOT NULL,
	"process_instance_key" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "escalation_subject_idx" ON "escalation" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "sim_alarm_active_idx" ON "sim_alarm" USING btree ("olt","cleared_at");--> statement-breakpoint
CREATE INDEX "trouble_ticket_account_idx" ON "trouble_ticket" USING btree ("account","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "trouble_ticket_instance_idx" ON "trouble_ticket" USING btree ("process_instance_key");