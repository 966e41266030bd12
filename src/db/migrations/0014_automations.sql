CREATE TABLE "automation_runs" (
	"id" uuid PRIMARY KEY DEFAULT uuid_v7() NOT NULL,
	"org_id" uuid NOT NULL,
	"automation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"contact_id" uuid NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"current_node" text,
	"wake_at" timestamp with time zone,
	"waiting_for" jsonb,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"trigger_key" text,
	"error" text,
	"exit_reason" text,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "automation_runs_state_ck" CHECK ("automation_runs"."state" in ('active','waiting','completed','exited','failed','canceled'))
);
--> statement-breakpoint
CREATE TABLE "automation_segment_members" (
	"automation_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	CONSTRAINT "automation_segment_members_automation_id_contact_id_pk" PRIMARY KEY("automation_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "automation_steps" (
	"id" uuid PRIMARY KEY DEFAULT uuid_v7() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"automation_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"node_type" text NOT NULL,
	"state" text NOT NULL,
	"outcome" text,
	"result" jsonb,
	"error" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "automation_steps_state_ck" CHECK ("automation_steps"."state" in ('running','waiting','done','failed','skipped'))
);
--> statement-breakpoint
CREATE TABLE "automation_versions" (
	"automation_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "automation_versions_automation_id_version_pk" PRIMARY KEY("automation_id","version")
);
--> statement-breakpoint
CREATE TABLE "automations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"latest_version" integer DEFAULT 1 NOT NULL,
	"active_version" integer,
	"trigger_type" text,
	"trigger" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "automations_status_ck" CHECK ("automations"."status" in ('draft','active','paused'))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT uuid_v7() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"link" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "contact_events" DROP CONSTRAINT "contact_events_type_ck";--> statement-breakpoint
ALTER TABLE "email_sends" DROP CONSTRAINT "email_sends_kind_ck";--> statement-breakpoint
DROP INDEX "email_sends_retry_idx";--> statement-breakpoint
ALTER TABLE "automation_runs" ADD CONSTRAINT "automation_runs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_runs" ADD CONSTRAINT "automation_runs_automation_id_automations_id_fk" FOREIGN KEY ("automation_id") REFERENCES "public"."automations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_runs" ADD CONSTRAINT "automation_runs_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_segment_members" ADD CONSTRAINT "automation_segment_members_automation_id_automations_id_fk" FOREIGN KEY ("automation_id") REFERENCES "public"."automations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_segment_members" ADD CONSTRAINT "automation_segment_members_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_segment_members" ADD CONSTRAINT "automation_segment_members_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_steps" ADD CONSTRAINT "automation_steps_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_steps" ADD CONSTRAINT "automation_steps_run_id_automation_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."automation_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_versions" ADD CONSTRAINT "automation_versions_automation_id_automations_id_fk" FOREIGN KEY ("automation_id") REFERENCES "public"."automations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_versions" ADD CONSTRAINT "automation_versions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automation_versions" ADD CONSTRAINT "automation_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automations" ADD CONSTRAINT "automations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "automations" ADD CONSTRAINT "automations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "automation_runs_one_open_idx" ON "automation_runs" USING btree ("automation_id","contact_id") WHERE "automation_runs"."state" in ('active','waiting');--> statement-breakpoint
CREATE UNIQUE INDEX "automation_runs_trigger_key_idx" ON "automation_runs" USING btree ("automation_id","contact_id","trigger_key") WHERE "automation_runs"."trigger_key" is not null;--> statement-breakpoint
CREATE INDEX "automation_runs_list_idx" ON "automation_runs" USING btree ("org_id","automation_id","state","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "automation_runs_contact_idx" ON "automation_runs" USING btree ("contact_id","automation_id");--> statement-breakpoint
CREATE INDEX "automation_runs_wake_idx" ON "automation_runs" USING btree ("wake_at") WHERE "automation_runs"."state" = 'waiting';--> statement-breakpoint
CREATE INDEX "automation_runs_stuck_idx" ON "automation_runs" USING btree ("updated_at") WHERE "automation_runs"."state" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "automation_steps_run_node_idx" ON "automation_steps" USING btree ("run_id","node_id");--> statement-breakpoint
CREATE INDEX "automation_steps_automation_idx" ON "automation_steps" USING btree ("automation_id","node_id","state");--> statement-breakpoint
CREATE INDEX "automations_org_idx" ON "automations" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "automations_trigger_idx" ON "automations" USING btree ("org_id","trigger_type") WHERE "automations"."status" = 'active';--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","org_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "email_sends_retry_idx" ON "email_sends" USING btree ("next_attempt_at") WHERE "email_sends"."state" in ('queued','sending') and "email_sends"."kind" in ('transactional','automation');--> statement-breakpoint
ALTER TABLE "contact_events" ADD CONSTRAINT "contact_events_type_ck" CHECK ("contact_events"."type" in ('contact.created','contact.updated','contact.deleted','tag.added','tag.removed','contact.merged','note.added','email.sent','email.failed','email.delivered','email.opened','email.clicked','email.bounced','email.complained','email.unsubscribed','email.resubscribed','event.custom','automation.enrolled','automation.step','automation.ended'));--> statement-breakpoint
ALTER TABLE "email_sends" ADD CONSTRAINT "email_sends_kind_ck" CHECK ("email_sends"."kind" in ('campaign','transactional','test','automation'));