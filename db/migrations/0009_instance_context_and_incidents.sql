CREATE TABLE "incident" (
	"incident_key" bigint PRIMARY KEY NOT NULL,
	"process_instance_key" bigint NOT NULL,
	"element_instance_key" bigint NOT NULL,
	"bpmn_process_id" text NOT NULL,
	"element_id" text NOT NULL,
	"error_type" text NOT NULL,
	"error_message" text,
	"job_key" bigint,
	"state" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "instance_variable" (
	"process_instance_key" bigint NOT NULL,
	"name" text NOT NULL,
	"value" jsonb,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "instance_variable_process_instance_key_name_pk" PRIMARY KEY("process_instance_key","name")
);
--> statement-breakpoint
ALTER TABLE "process_instance" ADD COLUMN "parent_process_instance_key" bigint;--> statement-breakpoint
ALTER TABLE "process_instance" ADD COLUMN "root_process_instance_key" bigint;--> statement-breakpoint
CREATE INDEX "incident_instance_idx" ON "incident" USING btree ("process_instance_key");--> statement-breakpoint
CREATE INDEX "incident_state_idx" ON "incident" USING btree ("state");--> statement-breakpoint
CREATE INDEX "process_instance_root_idx" ON "process_instance" USING btree ("root_process_instance_key");