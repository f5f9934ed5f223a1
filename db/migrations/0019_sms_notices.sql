-- SMS notices (docs/sms.md): an outbox filled by triggers in the same transaction as the event, the notices
-- composed from it (one per event, template and recipient), editable templates, customers' opt-out, the duty
-- phones of crews and response centers, and the simulated SMS gateway and CRM contact directory.
CREATE TABLE "notice_change" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notice_change_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"fact" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_notice" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sms_notice_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_key" text NOT NULL,
	"template" text NOT NULL,
	"recipient" text NOT NULL,
	"audience" text NOT NULL,
	"recipient_name" text,
	"subject_id" text,
	"customer_id" text,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"body" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"status_reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"last_error" text,
	"gateway_message_id" text,
	"event_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sms_notice_once_idx" ON "sms_notice" USING btree ("event_key","template","recipient");--> statement-breakpoint
CREATE INDEX "sms_notice_due_idx" ON "sms_notice" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "sms_notice_subject_idx" ON "sms_notice" USING btree ("subject_id","id");--> statement-breakpoint
CREATE INDEX "sms_notice_recipient_idx" ON "sms_notice" USING btree ("recipient","sent_at");--> statement-breakpoint
CREATE TABLE "sms_template" (
	"key" text PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"default_body" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "customer_sms_preference" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"opted_out" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notice_contact" (
	"id" serial PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"branch" text,
	"level" text,
	"name" text NOT NULL,
	"phone" text NOT NULL,
	"on_dispatch" boolean DEFAULT false NOT NULL,
	"on_escalation" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notice_contact_unique_idx" ON "notice_contact" USING btree ("group_id",coalesce("branch", ''),coalesce("level", ''),"phone");--> statement-breakpoint
CREATE TABLE "sim_sms_message" (
	"id" text PRIMARY KEY NOT NULL,
	"client_ref" text NOT NULL,
	"phone" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'accepted' NOT NULL,
	"error" text,
	"submissions" integer DEFAULT 1 NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reported_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sim_sms_message_client_ref_idx" ON "sim_sms_message" USING btree ("client_ref");--> statement-breakpoint
CREATE INDEX "sim_sms_message_phone_idx" ON "sim_sms_message" USING btree ("phone","submitted_at");--> statement-breakpoint
CREATE TABLE "sim_sms_fault" (
	"phone" text PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'reject' NOT NULL,
	"remaining" integer,
	"error" text DEFAULT '网关繁忙 / gateway busy' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sim_crm_contact" (
	"account" text PRIMARY KEY NOT NULL,
	"customer_name" text NOT NULL,
	"phone" text NOT NULL
);
--> statement-breakpoint
-- The outbox is filled where the read model records what happened: one row per fact, in the same transaction.
CREATE FUNCTION notice_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'instance_stage' THEN
    INSERT INTO notice_change (kind, ref, fact) VALUES ('stage', NEW.element_instance_key::text, NEW.state);
  ELSIF TG_TABLE_NAME = 'user_task' THEN
    INSERT INTO notice_change (kind, ref, fact) VALUES ('task', NEW.user_task_key::text, CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'claimed' END);
  ELSIF TG_TABLE_NAME = 'escalation' THEN
    INSERT INTO notice_change (kind, ref, fact) VALUES ('escalation', NEW.id::text, 'created');
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER notice_instance_stage_insert AFTER INSERT ON instance_stage FOR EACH ROW EXECUTE FUNCTION notice_record_change();--> statement-breakpoint
CREATE TRIGGER notice_instance_stage_update AFTER UPDATE OF state ON instance_stage FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION notice_record_change();--> statement-breakpoint
CREATE TRIGGER notice_user_task_insert AFTER INSERT ON user_task FOR EACH ROW EXECUTE FUNCTION notice_record_change();--> statement-breakpoint
CREATE TRIGGER notice_user_task_claim AFTER UPDATE OF assignee ON user_task FOR EACH ROW WHEN (OLD.assignee IS NULL AND NEW.assignee IS NOT NULL) EXECUTE FUNCTION notice_record_change();--> statement-breakpoint
CREATE TRIGGER notice_escalation_insert AFTER INSERT ON escalation FOR EACH ROW EXECUTE FUNCTION notice_record_change();--> statement-breakpoint
INSERT INTO sms_template (key, body, default_body) SELECT k, b, b FROM (VALUES
  ('order-accepted', '【宽带服务】尊敬的{customerName}，您的宽带订单{orderId}已受理，装维人员将尽快与您预约上门时间。'),
  ('visit-booked', '【宽带服务】{customerName}您好，已为您预约{appointmentTime}上门安装宽带（订单{orderId}），地址：{address}。如需改约请致电10086。'),
  ('crew-on-the-way', '【宽带服务】{customerName}您好，装维人员{engineer}已出发前往{address}为您安装宽带（订单{orderId}），请保持电话畅通。'),
  ('service-active', '【宽带服务】{customerName}您好，您的{productName}已开通（订单{orderId}），即日起计费，感谢您的选择！'),
  ('fault-accepted', '【宽带服务】{customerName}您好，您的故障申告已受理，工单号{ticketId}，我们承诺在{promisedTime}前修复。'),
  ('repair-crew-on-the-way', '【宽带服务】{customerName}您好，维修人员已接单（工单{ticketId}），预计{arrivalTime}到达，请保持电话畅通。'),
  ('fault-resolved', '【宽带服务】{customerName}您好，您申告的故障（工单{ticketId}）已修复，请确认业务是否恢复正常；如仍有问题请致电10000。'),
  ('ticket-closed', '【宽带服务】{customerName}您好，您的故障工单{ticketId}已处理完毕并结单，感谢您的耐心等待。'),
  ('crew-dispatch', '【派单通知】{groupName}：新工单{subjectId}「{taskName}」，客户{customerName}，地址{address}，请在{dueTime}前处理。'),
  ('escalation', '【升级通知】{subjectId}已升级至{levelName}：{reason}。请及时协调处理。')
) AS t(k, b);
