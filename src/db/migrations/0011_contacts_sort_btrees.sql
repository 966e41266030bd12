-- Decision 004: migration 0009 dropped the first-name, email and company-name sort btrees on the
-- expectation that a top-N heapsort of the organisation meets the 300 ms target; at 1M contacts it
-- took 0.6-1.8 s (p95) here, so they come back, and the job-title sort gets one for the same reason.
CREATE INDEX "contacts_org_first_name_idx" ON "contacts" USING btree ("org_id",lower("first_name"),"id");--> statement-breakpoint
CREATE INDEX "contacts_org_email_sort_idx" ON "contacts" USING btree ("org_id",coalesce(lower("email"), ''),"id");--> statement-breakpoint
CREATE INDEX "contacts_org_company_name_idx" ON "contacts" USING btree ("org_id",lower("company_name"),"id");--> statement-breakpoint
CREATE INDEX "contacts_org_job_title_idx" ON "contacts" USING btree ("org_id",lower("job_title"),"id");