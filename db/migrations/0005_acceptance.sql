CREATE TABLE "acceptance_score" (
	"month" text NOT NULL,
	"branch" text NOT NULL,
	"lines" integer NOT NULL,
	"passed_first_time" integer NOT NULL,
	"rectified_on_time" integer NOT NULL,
	"score" real NOT NULL,
	CONSTRAINT "acceptance_score_month_branch_pk" PRIMARY KEY("month","branch")
);
--> statement-breakpoint
CREATE TABLE "enterprise_line" (
	"line_id" text PRIMARY KEY NOT NULL,
	"customer" text NOT NULL,
	"branch" text NOT NULL,
	"service" text NOT NULL,
	"a_end" text NOT NULL,
	"z_end" text NOT NULL,
	"in_inventory_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "line_acceptance" (
	"month" text NOT NULL,
	"line_id" text NOT NULL,
	"branch" text NOT NULL,
	"rectifications" integer NOT NULL,
	"rectified_on_time" boolean,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "line_acceptance_month_line_id_pk" PRIMARY KEY("month","line_id")
);
