CREATE SEQUENCE "public"."cancel_order_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "cancel_product_order" (
	"id" text PRIMARY KEY DEFAULT 'CX' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('cancel_order_number_seq')::text, 6, '0') NOT NULL,
	"order_id" text NOT NULL,
	"customer_id" text,
	"reason" text,
	"requested_cancellation_date" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tmf_change" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tmf_change_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tmf_delivery" (
	"hub_id" text NOT NULL,
	"event_id" bigint NOT NULL,
	"resource_id" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"gave_up_at" timestamp with time zone,
	CONSTRAINT "tmf_delivery_hub_id_event_id_pk" PRIMARY KEY("hub_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "tmf_event_mark" (
	"resource_id" text PRIMARY KEY NOT NULL,
	"marks" text[] DEFAULT '{}'::text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tmf_event" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tmf_event_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"api" text NOT NULL,
	"event_type" text NOT NULL,
	"resource_id" text NOT NULL,
	"customer_id" text,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tmf_hub" (
	"id" text PRIMARY KEY NOT NULL,
	"api" text NOT NULL,
	"callback" text NOT NULL,
	"query" text,
	"secret" text NOT NULL,
	"owner_sub" text NOT NULL,
	"customer_id" text,
	"idempotency_key" text,
	"cursor" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tmf_request" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"resource_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "tmf_delivery_open_idx" ON "tmf_delivery" USING btree ("hub_id","resource_id","event_id");--> statement-breakpoint
CREATE INDEX "tmf_event_resource_idx" ON "tmf_event" USING btree ("resource_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tmf_hub_idempotency_idx" ON "tmf_hub" USING btree ("idempotency_key");--> statement-breakpoint
-- The outbox is filled where state changes are recorded: one row per change, in the same transaction.
CREATE FUNCTION tmf_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'instance_stage' THEN
    INSERT INTO tmf_change (kind, ref) VALUES ('instance', NEW.process_instance_key::text);
  ELSIF TG_TABLE_NAME = 'escalation' THEN
    INSERT INTO tmf_change (kind, ref) VALUES ('subject', NEW.subject_id);
  ELSE
    INSERT INTO tmf_change (kind, ref) VALUES (TG_ARGV[0], NEW.id);
  END IF;
  PERFORM pg_notify('tmf_change', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER tmf_orders_change AFTER INSERT OR UPDATE OF state ON orders FOR EACH ROW EXECUTE FUNCTION tmf_record_change('order');--> statement-breakpoint
CREATE TRIGGER tmf_trouble_ticket_change AFTER INSERT OR UPDATE OF state ON trouble_ticket FOR EACH ROW EXECUTE FUNCTION tmf_record_change('ticket');--> statement-breakpoint
CREATE TRIGGER tmf_complaint_change AFTER INSERT OR UPDATE OF state ON complaint FOR EACH ROW EXECUTE FUNCTION tmf_record_change('complaint');--> statement-breakpoint
CREATE TRIGGER tmf_service_change_change AFTER INSERT OR UPDATE OF state ON service_change FOR EACH ROW EXECUTE FUNCTION tmf_record_change('change');--> statement-breakpoint
CREATE TRIGGER tmf_line_order_change AFTER INSERT OR UPDATE OF state ON line_order FOR EACH ROW EXECUTE FUNCTION tmf_record_change('line');--> statement-breakpoint
CREATE TRIGGER tmf_cancel_product_order_change AFTER INSERT ON cancel_product_order FOR EACH ROW EXECUTE FUNCTION tmf_record_change('cancel');--> statement-breakpoint
CREATE TRIGGER tmf_instance_stage_change AFTER INSERT OR UPDATE OF state ON instance_stage FOR EACH ROW EXECUTE FUNCTION tmf_record_change();--> statement-breakpoint
CREATE TRIGGER tmf_escalation_change AFTER INSERT ON escalation FOR EACH ROW EXECUTE FUNCTION tmf_record_change();
