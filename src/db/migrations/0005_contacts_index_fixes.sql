DROP INDEX "contact_events_contact_idx";--> statement-breakpoint
DROP INDEX "contacts_org_created_idx";--> statement-breakpoint
DROP INDEX "contacts_org_updated_idx";--> statement-breakpoint
CREATE INDEX "contacts_custom_gin_idx" ON "contacts" USING gin ("custom" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "contact_events_contact_idx" ON "contact_events" USING btree ("org_id","contact_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "contacts_org_created_idx" ON "contacts" USING btree ("org_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "contacts_org_updated_idx" ON "contacts" USING btree ("org_id","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);