CREATE SEQUENCE "public"."order_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "billing_start" (
	"id" serial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"order_id" text NOT NULL,
	"product_code" text NOT NULL,
	"monthly_fee_cents" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	CONSTRAINT "billing_start_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "engine_record" (
	"partition_id" integer NOT NULL,
	"position" bigint NOT NULL,
	"value_type" text NOT NULL,
	"intent" text NOT NULL,
	"record_key" bigint NOT NULL,
	"process_instance_key" bigint,
	"occurred_at" timestamp with time zone NOT NULL,
	"record" jsonb NOT NULL,
	CONSTRAINT "engine_record_partition_id_position_pk" PRIMARY KEY("partition_id","position")
);
--> statement-breakpoint
CREATE TABLE "form" (
	"form_key" bigint PRIMARY KEY NOT NULL,
	"form_id" text NOT NULL,
	"version" integer NOT NULL,
	"schema" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_stage" (
	"element_instance_key" bigint PRIMARY KEY NOT NULL,
	"process_instance_key" bigint NOT NULL,
	"process_definition_key" bigint NOT NULL,
	"bpmn_process_id" text NOT NULL,
	"element_id" text NOT NULL,
	"element_type" text NOT NULL,
	"name" text,
	"state" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY DEFAULT 'HB' || to_char(now() at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('order_number_seq')::text, 6, '0') NOT NULL,
	"kind" text DEFAULT 'home-broadband-new-install' NOT NULL,
	"customer_name" text NOT NULL,
	"customer_phone" text NOT NULL,
	"customer_level" text NOT NULL,
	"address" text NOT NULL,
	"grid" text NOT NULL,
	"product" jsonb NOT NULL,
	"state" text DEFAULT 'acknowledged' NOT NULL,
	"state_reason" text,
	"process_instance_key" bigint,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "process_definition" (
	"process_definition_key" bigint PRIMARY KEY NOT NULL,
	"bpmn_process_id" text NOT NULL,
	"version" integer NOT NULL,
	"resource_name" text NOT NULL,
	"xml" text NOT NULL,
	"deployed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "process_element" (
	"process_definition_key" bigint NOT NULL,
	"bpmn_process_id" text NOT NULL,
	"version" integer NOT NULL,
	"element_id" text NOT NULL,
	"name" text,
	"element_type" text NOT NULL,
	"form_id" text,
	CONSTRAINT "process_element_process_definition_key_element_id_pk" PRIMARY KEY("process_definition_key","element_id")
);
--> statement-breakpoint
CREATE TABLE "process_instance" (
	"process_instance_key" bigint PRIMARY KEY NOT NULL,
	"process_definition_key" bigint NOT NULL,
	"bpmn_process_id" text NOT NULL,
	"version" integer NOT NULL,
	"state" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "projection_checkpoint" (
	"partition_id" integer PRIMARY KEY NOT NULL,
	"position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_port" (
	"id" serial PRIMARY KEY NOT NULL,
	"grid" text NOT NULL,
	"olt" text NOT NULL,
	"pon_port" text NOT NULL,
	"splitter_port" smallint NOT NULL,
	"status" text DEFAULT 'free' NOT NULL,
	"order_id" text,
	"reservation_key" text,
	"reserved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "revisit" (
	"order_id" text PRIMARY KEY NOT NULL,
	"satisfaction" smallint NOT NULL,
	"comment" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_task" (
	"user_task_key" bigint PRIMARY KEY NOT NULL,
	"process_instance_key" bigint NOT NULL,
	"element_instance_key" bigint NOT NULL,
	"bpmn_process_id" text NOT NULL,
	"process_definition_key" bigint NOT NULL,
	"element_id" text NOT NULL,
	"name" text,
	"candidate_groups" text[] NOT NULL,
	"assignee" text,
	"form_id" text,
	"due_date" text,
	"state" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"variables" jsonb
);
--> statement-breakpoint
CREATE INDEX "billing_start_order_idx" ON "billing_start" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "engine_record_instance_idx" ON "engine_record" USING btree ("process_instance_key");--> statement-breakpoint
CREATE UNIQUE INDEX "form_id_version_idx" ON "form" USING btree ("form_id","version");--> statement-breakpoint
CREATE INDEX "instance_stage_instance_idx" ON "instance_stage" USING btree ("process_instance_key","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_instance_idx" ON "orders" USING btree ("process_instance_key");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_idempotency_idx" ON "orders" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "process_definition_version_idx" ON "process_definition" USING btree ("bpmn_process_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "resource_port_reservation_idx" ON "resource_port" USING btree ("reservation_key");--> statement-breakpoint
CREATE UNIQUE INDEX "resource_port_label_idx" ON "resource_port" USING btree ("olt","pon_port","splitter_port");--> statement-breakpoint
CREATE INDEX "resource_port_free_idx" ON "resource_port" USING btree ("grid","status");--> statement-breakpoint
CREATE INDEX "user_task_open_idx" ON "user_task" USING btree ("state");