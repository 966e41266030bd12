-- Issue 11: row-level security, the second wall behind the services' own org_id conditions.
-- Two runtime roles, neither owner nor superuser nor BYPASSRLS (decision 012):
--   moxora_app    everything done for one organisation (API requests, a job's work for its
--                 organisation); sees only rows whose org_id is the transaction's app.org_id.
--   moxora_worker the cross-organisation machinery (event bus, send runner, automation engine's
--                 dispatch, tracking and unsubscribe links, provider webhooks, purges, sign-in);
--                 owns the job runner's schema (pgboss).
-- Both LOGIN with a password set at start-up by the owner (lib/db-roles.ts).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'moxora_app') THEN
		CREATE ROLE moxora_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'moxora_worker') THEN
		CREATE ROLE moxora_worker NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
	END IF;
END $$;
--> statement-breakpoint
-- The organisation bound to the current transaction (set_config('app.org_id', $1, true)); null
-- when unset, so every policy below fails closed.
CREATE OR REPLACE FUNCTION moxora_org() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT nullif(current_setting('app.org_id', true), '')::uuid
$$;
--> statement-breakpoint
-- Puts every table of the public schema that has an org_id column behind row-level security
-- (enabled, forced, one policy per runtime role) and grants the runtime roles what they use.
-- Idempotent and cheap when nothing is missing: it only alters what lacks it (ALTER TABLE locks
-- the table, so start-ups of a running installation must not repeat it needlessly). Called by
-- this migration, by every start (new tables of later migrations and new partitions are covered
-- at once) and by email_events_ensure_partitions.
CREATE OR REPLACE FUNCTION moxora_secure_tables() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	t record;
	n int := 0;
BEGIN
	FOR t IN
		SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
		FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
		WHERE c.relkind IN ('r', 'p')
	LOOP
		IF NOT t.relrowsecurity THEN
			EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t.relname);
			n := n + 1;
		END IF;
		IF NOT t.relforcerowsecurity THEN
			EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t.relname);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = t.oid AND polname = 'org_isolation') THEN
			EXECUTE format(
				'CREATE POLICY org_isolation ON public.%I AS PERMISSIVE FOR ALL TO moxora_app USING (org_id = moxora_org()) WITH CHECK (org_id = moxora_org())',
				t.relname);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = t.oid AND polname = 'cross_org_worker') THEN
			EXECUTE format(
				'CREATE POLICY cross_org_worker ON public.%I AS PERMISSIVE FOR ALL TO moxora_worker USING (true) WITH CHECK (true)',
				t.relname);
		END IF;
	END LOOP;
	-- Table privileges: both roles read and write the public schema's tables (row-level security
	-- decides which rows); no DDL, no TRUNCATE, no ownership.
	FOR t IN
		SELECT c.oid, c.relname FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
		WHERE c.relkind IN ('r', 'p', 'v')
			AND (NOT has_table_privilege('moxora_app', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
				OR NOT has_table_privilege('moxora_worker', c.oid, 'SELECT,INSERT,UPDATE,DELETE'))
	LOOP
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO moxora_app, moxora_worker', t.relname);
	END LOOP;
	FOR t IN
		SELECT c.relname FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
		WHERE c.relkind = 'S'
			AND (NOT has_sequence_privilege('moxora_app', c.oid, 'USAGE,SELECT,UPDATE')
				OR NOT has_sequence_privilege('moxora_worker', c.oid, 'USAGE,SELECT,UPDATE'))
	LOOP
		EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.%I TO moxora_app, moxora_worker', t.relname);
	END LOOP;
	IF NOT has_schema_privilege('moxora_app', 'public', 'USAGE') OR NOT has_schema_privilege('moxora_worker', 'public', 'USAGE') THEN
		GRANT USAGE ON SCHEMA public TO moxora_app, moxora_worker;
	END IF;
	RETURN n;
END $$;
--> statement-breakpoint
-- Monthly partitions of email_events are created by a daily job running as moxora_worker, which
-- does not own email_events: the function runs as its owner (SECURITY DEFINER, fixed
-- search_path) and puts each new partition behind the same policies.
CREATE OR REPLACE FUNCTION email_events_ensure_partitions(months_ahead int) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	m date := date_trunc('month', now())::date;
	name text;
	created boolean := false;
BEGIN
	FOR i IN 0..months_ahead LOOP
		name := 'email_events_' || to_char(m, 'YYYY_MM');
		IF to_regclass(name) IS NULL THEN
			EXECUTE format('CREATE TABLE %I PARTITION OF email_events FOR VALUES FROM (%L) TO (%L)',
				name, m, (m + interval '1 month')::date);
			created := true;
		END IF;
		m := (m + interval '1 month')::date;
	END LOOP;
	IF created THEN
		PERFORM moxora_secure_tables();
	END IF;
END $$;
--> statement-breakpoint
-- Retention: partitions of email_events older than the given number of months are dropped whole
-- (as the owner; the job runs as moxora_worker). Returns the names dropped.
CREATE OR REPLACE FUNCTION email_events_drop_partitions_before(months int) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	p record;
BEGIN
	FOR p IN
		SELECT c.relname AS name FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class par ON par.oid = i.inhparent
		WHERE par.relname = 'email_events' AND c.relname ~ '^email_events_[0-9]{4}_[0-9]{2}$'
			AND to_date(substr(c.relname, 14), 'YYYY_MM') < date_trunc('month', now()) - make_interval(months => months)
	LOOP
		EXECUTE format('DROP TABLE IF EXISTS %I', p.name);
		RETURN NEXT p.name;
	END LOOP;
END $$;
--> statement-breakpoint
-- After a big import: merge the pending lists of the contacts' GIN indexes and refresh the
-- planner's statistics (both need the table's owner; the import runs as moxora_worker).
CREATE OR REPLACE FUNCTION contacts_refresh_statistics() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM gin_clean_pending_list(i.indexrelid) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
		WHERE i.indrelid = 'public.contacts'::regclass AND a.amname = 'gin';
	ANALYZE public.contacts;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION contacts_refresh_statistics() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION contacts_refresh_statistics() TO moxora_worker;
--> statement-breakpoint
REVOKE ALL ON FUNCTION email_events_ensure_partitions(int) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION email_events_drop_partitions_before(int) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION moxora_secure_tables() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION email_events_ensure_partitions(int) TO moxora_worker;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION email_events_drop_partitions_before(int) TO moxora_worker;
--> statement-breakpoint
SELECT moxora_secure_tables();
