-- search_text: one lower-cased, trigram-indexed string per contact (names, emails, company, phones),
-- maintained by the database so every writer (API, import COPY, company rename) agrees.
CREATE OR REPLACE FUNCTION contacts_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := lower(
    NEW.first_name || ' ' || NEW.last_name || ' ' || coalesce(NEW.email, '') || ' ' ||
    array_to_string(NEW.emails, ' ') || ' ' || NEW.company_name || ' ' || array_to_string(NEW.phones, ' ')
  );
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER contacts_search_text_trg BEFORE INSERT OR UPDATE OF first_name, last_name, email, emails, company_name, phones
  ON contacts FOR EACH ROW EXECUTE FUNCTION contacts_search_text();
