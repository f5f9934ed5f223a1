-- What each Idempotency-Key was first used for: a retry must carry the same request (else 422).
-- Keys recorded before this column have none and are compared with nothing (a replay returns the resource).
ALTER TABLE "orders" ADD COLUMN "request_hash" text;--> statement-breakpoint
ALTER TABLE "tmf_request" ADD COLUMN "request_hash" text;
