CREATE SEQUENCE "public"."line_order_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "line_order" (
	"id" text PRIMARY KEY DEFAULT 'DL' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('line_order_number_seq')::text, 6, '0') NOT NULL,
	"customer" text NOT NULL,
	"customer_level" text NOT NULL,
	"service" text NOT NULL,
	"a_end" jsonb NOT NULL,
	"z_end" jsonb NOT NULL,
	"protection_level" text NOT NULL,
	"circuits" integer NOT NULL,
	"monthly_fee_cents" integer NOT NULL,
	"state" text DEFAULT 'acknowledged' NOT NULL,
	"process_instance_key" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
