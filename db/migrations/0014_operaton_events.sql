-- The engine (Operaton) keeps its tables in a schema of its own, apart from ours.
CREATE SCHEMA IF NOT EXISTS "operaton";
--> statement-breakpoint
CREATE TABLE "engine_event_checkpoint" (
	"projection" text PRIMARY KEY NOT NULL,
	"tx_id" "xid8" NOT NULL,
	"event_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engine_event" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "engine_event_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tx_id" "xid8" NOT NULL,
	"kind" text NOT NULL,
	"event_type" text NOT NULL,
	"process_instance_id" text,
	"payload" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "engine_event_tx_idx" ON "engine_event" USING btree ("tx_id","id");--> statement-breakpoint
CREATE INDEX "engine_event_instance_idx" ON "engine_event" USING btree ("process_instance_id");