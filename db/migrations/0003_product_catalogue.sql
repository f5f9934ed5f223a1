CREATE TABLE "product_catalogue" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"bandwidth_mbps" integer NOT NULL,
	"monthly_fee_cents" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
