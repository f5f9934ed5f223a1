-- Photo and document evidence (docs/evidence.md). Content lives in PostgreSQL, keyed by its SHA-256:
-- one backup (pg_dump) holds files and metadata together, the compose stack needs no volume for them,
-- and a file is stored in the same transaction as the row that links it to its task. The same bytes
-- uploaded twice are stored once.
CREATE TABLE "evidence_content" (
	"sha256" text PRIMARY KEY NOT NULL,
	"media_type" text NOT NULL,
	"byte_size" integer NOT NULL,
	"content" bytea NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_content_sha256_check" CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "evidence_content_size_check" CHECK (octet_length("content") = "byte_size")
);--> statement-breakpoint
-- Photos and PDFs are compressed already: TOAST stores them out of line without trying again.
ALTER TABLE "evidence_content" ALTER COLUMN "content" SET STORAGE EXTERNAL;--> statement-breakpoint
CREATE TABLE "evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_task_key" bigint NOT NULL,
	"element_id" text NOT NULL,
	"form_id" text,
	"process_instance_key" bigint NOT NULL,
	"root_process_instance_key" bigint,
	"business_key" text,
	"branch" text,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"media_type" text NOT NULL,
	"byte_size" integer NOT NULL,
	"width" integer,
	"height" integer,
	"sha256" text NOT NULL REFERENCES "evidence_content" ("sha256"),
	"thumbnail_sha256" text REFERENCES "evidence_content" ("sha256"),
	"original_sha256" text NOT NULL,
	"metadata_stripped" boolean NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rejected_at" timestamp with time zone,
	"rejected_by" text,
	"rejection_reason" text,
	"rejected_in_task_key" bigint,
	CONSTRAINT "evidence_rejection_check" CHECK (("rejected_at" IS NULL) = ("rejection_reason" IS NULL))
);--> statement-breakpoint
CREATE INDEX "evidence_instance_idx" ON "evidence" USING btree ("process_instance_key","business_key","branch");--> statement-breakpoint
CREATE INDEX "evidence_task_idx" ON "evidence" USING btree ("user_task_key");
