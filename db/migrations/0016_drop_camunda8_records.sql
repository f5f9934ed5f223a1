DROP TABLE "engine_record" CASCADE;--> statement-breakpoint
DROP TABLE "projection_checkpoint" CASCADE;