CREATE SEQUENCE "public"."complaint_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "complaint" (
	"id" text PRIMARY KEY DEFAULT 'CP' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('complaint_number_seq')::text, 6, '0') NOT NULL,
	"account" text NOT NULL,
	"customer_name" text NOT NULL,
	"customer_level" text NOT NULL,
	"category" text NOT NULL,
	"description" text NOT NULL,
	"state" text DEFAULT 'acknowledged' NOT NULL,
	"dispatch_info" jsonb,
	"customer_satisfied" boolean,
	"process_instance_key" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "complaint_category_idx" ON "complaint" USING btree ("category","created_at");