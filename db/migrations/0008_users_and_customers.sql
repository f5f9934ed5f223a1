CREATE TABLE "app_user" (
	"id" serial PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"customer_id" text,
	"groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"branch" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "complaint" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "line_order" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "trouble_ticket" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "user_task" ADD COLUMN "completed_by" text;--> statement-breakpoint
CREATE UNIQUE INDEX "app_user_username_idx" ON "app_user" USING btree ("username");