-- Decision 004 (index design for a million contacts per organisation).
--
-- 1. Time-ordered ids. PostgreSQL 15–17 have no uuidv7(): uuid_v7() is a random v4 UUID whose first
--    48 bits are overwritten with the Unix time in milliseconds and whose version nibble is set to 7
--    (the variant bits of the v4 UUID are already RFC 9562's). Rows inserted one after another get
--    ascending ids, so a bulk load appends to the primary key's right-hand edge instead of dirtying
--    random leaf pages. Existing ids stay as they are (they are opaque; only new rows are ordered).
CREATE OR REPLACE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
        FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;--> statement-breakpoint
ALTER TABLE "bulk_operations" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "companies" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "contact_events" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "notes" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "exports" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "imports" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
-- 2. Sort btrees only where they earn their cost: created, updated and last name stay; first name,
--    email and company sorts are a top-N heapsort over the organisation (measured in decision 004).
DROP INDEX "contacts_org_first_name_idx";--> statement-breakpoint
DROP INDEX "contacts_org_email_sort_idx";--> statement-breakpoint
DROP INDEX "contacts_org_company_name_idx";--> statement-breakpoint
-- 3. Word-prefix search on a tsvector instead of trigram substrings on search_text.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
-- The words of a search text or a search query, the same way on both sides: unaccented, lower-cased,
-- split at the separators of emails, phones and compound names (the 'simple' parser does the rest).
CREATE OR REPLACE FUNCTION contacts_search_words(t text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT translate(lower(unaccent(t)), '@.+_-/()''"\', '            ')
$$;--> statement-breakpoint
-- The search vector of a contact: names, emails, company, phones as written, and each phone's digits
-- run together with their last 10, 7 and 4 digits (so "+1 555 0199", "15550199", "5550199" and
-- "0199" all find it by prefix).
CREATE OR REPLACE FUNCTION contacts_search_vector_of(
  first_name text, last_name text, email text, emails text[], company_name text, phones text[]
) RETURNS tsvector LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  p text;
  d text;
  digits text := '';
BEGIN
  FOREACH p IN ARRAY phones LOOP
    d := regexp_replace(p, '[^0-9]+', '', 'g');
    IF d <> '' THEN
      digits := digits || ' ' || d;
      IF length(d) > 10 THEN digits := digits || ' ' || right(d, 10); END IF;
      IF length(d) > 7 THEN digits := digits || ' ' || right(d, 7); END IF;
      IF length(d) > 4 THEN digits := digits || ' ' || right(d, 4); END IF;
    END IF;
  END LOOP;
  RETURN to_tsvector('simple', contacts_search_words(
    first_name || ' ' || last_name || ' ' || coalesce(email, '') || ' ' || array_to_string(emails, ' ') || ' ' ||
    company_name || ' ' || array_to_string(phones, ' ') || digits));
END $$;--> statement-breakpoint
-- A search string as a tsquery: every word a prefix, all ANDed. Built from the lexemes (each one
-- quoted and escaped), never by handing user text to to_tsquery's syntax. NULL (matches nothing)
-- when the string has no words.
CREATE OR REPLACE FUNCTION contacts_search_query(q text) RETURNS tsquery LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''':*', ' & ')::tsquery
  FROM unnest(to_tsvector('simple', contacts_search_words(q)))
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION contacts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := contacts_search_vector_of(
    NEW.first_name, NEW.last_name, NEW.email, NEW.emails, NEW.company_name, NEW.phones);
  RETURN NEW;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS contacts_search_text_trg ON contacts;--> statement-breakpoint
DROP FUNCTION IF EXISTS contacts_search_text();--> statement-breakpoint
DROP INDEX "contacts_search_trgm_idx";--> statement-breakpoint
ALTER TABLE "contacts" DROP COLUMN "search_text";--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "search_vector" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
UPDATE contacts SET search_vector = contacts_search_vector_of(first_name, last_name, email, emails, company_name, phones);--> statement-breakpoint
CREATE TRIGGER contacts_search_vector_trg BEFORE INSERT OR UPDATE OF first_name, last_name, email, emails, company_name, phones
  ON contacts FOR EACH ROW EXECUTE FUNCTION contacts_search_vector();--> statement-breakpoint
CREATE INDEX "contacts_search_idx" ON "contacts" USING gin ("search_vector");
