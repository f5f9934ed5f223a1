CREATE TABLE "engine_message" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "engine_message_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"business_key" text NOT NULL,
	"message_name" text NOT NULL,
	"process_instance_key" bigint,
	"variables" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "engine_message_once" ON "engine_message" USING btree ("business_key","message_name");--> statement-breakpoint
CREATE INDEX "engine_message_pending_idx" ON "engine_message" USING btree ("state");