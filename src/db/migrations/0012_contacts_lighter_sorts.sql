-- Decision 004 (issue 8): a sort btree with random keys is what makes a 1M-row import slow. Only the
-- default (created), updated and last-name sorts keep theirs; first name, email, company and job
-- title sort by a parallel scan and top-N heapsort of the organisation (about 0.3 s warm at 1M here).
DROP INDEX "contacts_org_first_name_idx";--> statement-breakpoint
DROP INDEX "contacts_org_email_sort_idx";--> statement-breakpoint
DROP INDEX "contacts_org_company_name_idx";--> statement-breakpoint
DROP INDEX "contacts_org_job_title_idx";--> statement-breakpoint
-- Search never ranks, so the stored vector drops its word positions (about 55 of a row's ~580
-- bytes): a narrower row is a faster scan for the sorts above. Existing rows keep theirs until they
-- change; both forms match the same queries.
CREATE OR REPLACE FUNCTION contacts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := strip(contacts_search_vector_of(
    NEW.first_name, NEW.last_name, NEW.email, NEW.emails, NEW.company_name, NEW.phones));
  RETURN NEW;
END $$;
