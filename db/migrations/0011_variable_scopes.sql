ALTER TABLE "instance_variable" ADD COLUMN "scope_key" bigint;--> statement-breakpoint
UPDATE "instance_variable" SET "scope_key" = "process_instance_key";--> statement-breakpoint
ALTER TABLE "instance_variable" ALTER COLUMN "scope_key" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "instance_variable" DROP CONSTRAINT "instance_variable_process_instance_key_name_pk";--> statement-breakpoint
ALTER TABLE "instance_variable" ADD CONSTRAINT "instance_variable_scope_key_name_pk" PRIMARY KEY("scope_key","name");--> statement-breakpoint
ALTER TABLE "instance_stage" ADD COLUMN "flow_scope_key" bigint;--> statement-breakpoint
CREATE INDEX "instance_variable_instance_idx" ON "instance_variable" USING btree ("process_instance_key");
