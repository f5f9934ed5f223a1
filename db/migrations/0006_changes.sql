CREATE SEQUENCE "public"."change_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "billing_change" (
	"id" serial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"order_id" text NOT NULL,
	"action" text NOT NULL,
	"product_code" text NOT NULL,
	"monthly_fee_cents" integer NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	CONSTRAINT "billing_change_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "service_change" (
	"id" text PRIMARY KEY DEFAULT 'CH' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('change_number_seq')::text, 6, '0') NOT NULL,
	"order_id" text NOT NULL,
	"change_type" text NOT NULL,
	"details" jsonb NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"process_instance_key" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "service_change_order_idx" ON "service_change" USING btree ("order_id");