ALTER TABLE "complaint" ADD COLUMN "state_reason" text;--> statement-breakpoint
ALTER TABLE "line_order" ADD COLUMN "state_reason" text;--> statement-breakpoint
ALTER TABLE "service_change" ADD COLUMN "state_reason" text;--> statement-breakpoint
ALTER TABLE "trouble_ticket" ADD COLUMN "state_reason" text;