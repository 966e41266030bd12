-- Import-style insert cost of the contacts index sets (decision 004): one `INSERT … SELECT` of
-- 1,000,000 generated contacts into one organisation, into a copy of the contacts table carrying
--   old   — the set before migration 0009: random v4 ids, six sort btrees, tags and custom GIN,
--           trigram GIN on search_text kept by the search_text trigger;
--   0009  — UUIDv7 ids, created/updated/last-name sort btrees, tags and custom GIN, tsvector GIN
--           on search_vector kept by the unaccent trigger;
--   0011  — the 0009 set plus first-name, email, company-name and job-title sort btrees (the set
--           adopted: every list sort has its btree).
--
-- Run on a database migrated to 0009 or later (it uses uuid_v7() and contacts_search_vector_of()),
-- never on one that holds real data (it works in its own schema and drops it at the end):
--   createdb moxora_bench_insert && <migrate it> &&
--   psql -v ON_ERROR_STOP=1 -f bench/contacts-insert-cost.sql postgres://postgres@127.0.0.1:5432/moxora_bench_insert
-- Each INSERT's time is printed by \timing after its label. ROWS overrides the row count.
\set ON_ERROR_STOP 1
\if :{?rows}
\else
  \set rows 1000000
\endif
set maintenance_work_mem = '256MB';
drop schema if exists insert_cost cascade;
create schema insert_cost;

-- The old search_text trigger (migration 0002), for the old set.
create function insert_cost.search_text() returns trigger language plpgsql as $$
begin
  new.search_text := lower(
    new.first_name || ' ' || new.last_name || ' ' || coalesce(new.email, '') || ' ' ||
    array_to_string(new.emails, ' ') || ' ' || new.company_name || ' ' || array_to_string(new.phones, ' ')
  );
  return new;
end $$;

-- The rows: random-keyed names, unique emails, a phone for most, 0–3 of 30 tags, a score and a plan.
create table insert_cost.tag_ids as select gen_random_uuid() as id from generate_series(1, 30);
create function insert_cost.load(target regclass, n int) returns void language plpgsql as $$
declare
  tags uuid[] := (select array_agg(id) from insert_cost.tag_ids);
begin
  execute format($q$
    insert into %s (org_id, first_name, last_name, email, phones, job_title, company_name, source, tag_ids, custom)
    select '00000000-0000-4000-8000-000000000001'::uuid,
      initcap(substr(md5('f' || g), 1, 3 + g %% 5)),
      initcap(substr(md5('l' || g), 1, 4 + g %% 6)),
      substr(md5('e' || g), 1, 8) || g || '@' || (array['gmail.com','example.org','acme.test','mail.co.uk'])[1 + g %% 4],
      case when g %% 5 = 0 then '{}'::text[] else array['+1 555 ' || lpad((g::bigint * 7919 %% 10000000)::text, 7, '0')] end,
      (array['Engineer','Sales Manager','CEO','Designer','Accountant','Nurse','Teacher'])[1 + g %% 7] || ' ' || (g %% 97),
      'Company ' || (g::bigint * 104729 %% 20000),
      'import',
      (select coalesce(array_agg($1[1 + (g::bigint * k * 31 %% 30)::int]), '{}') from generate_series(1, g %% 4) k),
      jsonb_build_object('score', g %% 1000, 'plan', (array['free','starter','pro','enterprise'])[1 + g %% 4])
    from generate_series(1, $2) g$q$, target) using tags, n;
end $$;

-- old set
create table insert_cost.old_set (like public.contacts including defaults);
alter table insert_cost.old_set alter column id set default gen_random_uuid();
alter table insert_cost.old_set drop column search_vector;
alter table insert_cost.old_set add column search_text text not null default '';
alter table insert_cost.old_set add primary key (id);
create unique index on insert_cost.old_set (org_id, lower(email));
create index on insert_cost.old_set (org_id, created_at desc nulls first, id desc nulls first);
create index on insert_cost.old_set (org_id, updated_at desc nulls first, id desc nulls first);
create index on insert_cost.old_set (org_id, lower(last_name), id);
create index on insert_cost.old_set (org_id, lower(first_name), id);
create index on insert_cost.old_set (org_id, coalesce(lower(email), ''), id);
create index on insert_cost.old_set (org_id, lower(company_name), id);
create index on insert_cost.old_set (org_id, company_id);
create index on insert_cost.old_set using gin (tag_ids);
create index on insert_cost.old_set using gin (custom jsonb_path_ops);
create index on insert_cost.old_set using gin (search_text gin_trgm_ops) with (gin_pending_list_limit = 16384);
create trigger old_search before insert or update on insert_cost.old_set
  for each row execute function insert_cost.search_text();

-- new set (migration 0009), and the same plus one sort btree each
create function insert_cost.new_set(name text, extra text) returns void language plpgsql as $$
begin
  execute format('create table insert_cost.%I (like public.contacts including defaults)', name);
  execute format('alter table insert_cost.%I add primary key (id)', name);
  execute format('create unique index on insert_cost.%I (org_id, lower(email))', name);
  execute format('create index on insert_cost.%I (org_id, created_at desc nulls first, id desc nulls first)', name);
  execute format('create index on insert_cost.%I (org_id, updated_at desc nulls first, id desc nulls first)', name);
  execute format('create index on insert_cost.%I (org_id, lower(last_name), id)', name);
  execute format('create index on insert_cost.%I (org_id, company_id)', name);
  execute format('create index on insert_cost.%I using gin (tag_ids)', name);
  execute format('create index on insert_cost.%I using gin (custom jsonb_path_ops)', name);
  execute format('create index on insert_cost.%I using gin (search_vector)', name);
  if extra <> '' then
    execute format('create index on insert_cost.%I (org_id, lower(first_name), id)', name);
    execute format('create index on insert_cost.%I (org_id, coalesce(lower(email), ''''), id)', name);
    execute format('create index on insert_cost.%I (org_id, lower(company_name), id)', name);
    execute format('create index on insert_cost.%I (org_id, lower(job_title), id)', name);
  end if;
  execute format('create trigger new_search before insert or update of first_name, last_name, email, emails, company_name, phones
    on insert_cost.%I for each row execute function public.contacts_search_vector()', name);
end $$;
select insert_cost.new_set('set_0009', '');
select insert_cost.new_set('set_0011', 'all sorts');

\timing on
checkpoint;
\echo '== old set (v4 ids, 6 sort btrees, tags + custom GIN, trigram GIN):'
select insert_cost.load('insert_cost.old_set', :rows);
checkpoint;
\echo '== 0009 set (v7 ids, created/updated/last-name btrees, tags + custom GIN, tsvector GIN):'
select insert_cost.load('insert_cost.set_0009', :rows);
checkpoint;
\echo '== 0011 set (the 0009 set + first-name, email, company-name, job-title btrees):'
select insert_cost.load('insert_cost.set_0011', :rows);
checkpoint;
\timing off
select c.relname as "table", pg_size_pretty(pg_relation_size(c.oid)) as heap,
  pg_size_pretty(pg_indexes_size(c.oid)) as indexes
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'insert_cost' and c.relkind = 'r' and c.relname not in ('tag_ids') order by 1;
drop schema insert_cost cascade;
