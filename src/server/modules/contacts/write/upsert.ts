import { type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../../lib/context.js';
import type { Db } from '../../../lib/db.js';
import { rows } from '../../../lib/sql.js';
import { ensureCompaniesByName } from '../../companies/companies.repo.js';
import { ensureTags } from '../../tags/tags.repo.js';
import { eventsFrom } from './events.js';

/**
 * The import's set-based upsert of one batch: one statement creates or updates the batch's
 * contacts and records their events (`contact.created`; `contact.updated` with before/after of
 * each changed field; `tag.added` for tags an existing contact did not have), with the outbox row.
 */

export type DuplicatePolicy = 'create_update' | 'create_only' | 'update_only';

/** One validated, mapped row (see imports/import-rows.ts). */
export interface UpsertRow {
  row: number;
  email: string | null;
  first_name: string;
  last_name: string;
  phones: string[];
  job_title: string;
  company_name: string;
  source: string;
  address: Record<string, string> | null;
  /**
   * The status of a NEW contact (not_subscribed unless the import's marketing choice or the row
   * says otherwise). For an existing contact only an opt-out (unsubscribed, bounced, complained)
   * applies, and only to a contact that is subscribed or not subscribed.
   */
  subscription_status: string;
  /** The consent record of a new subscribed contact (consent_at is the time of the write). */
  consent_basis: string | null;
  consent_source: string | null;
  tags: string[];
  custom: Record<string, unknown>;
}

export interface UpsertResult {
  created: number;
  updated: number;
  /** Matched rows that would change nothing (or belong to a restricted contact): left alone. */
  unchanged: number;
  /** Rows whose email was created by an earlier batch of the same import (merged into it). */
  dups: Array<{ row: number; email: string; firstRow: number }>;
}

/** Columns compared for `contact.updated` (property name, column). */
const TRACKED: Array<[string, string]> = [
  ['firstName', 'first_name'],
  ['lastName', 'last_name'],
  ['jobTitle', 'job_title'],
  ['source', 'source'],
  ['phones', 'phones'],
  ['address', 'address'],
  ['subscriptionStatus', 'subscription_status'],
];

/**
 * The changes between old (`o_<column>`) and new (`<column>`) values of alias `j`, as the
 * `changes` array of `contact.updated`.
 */
const changesOf = (j: string) => {
  const one = (field: string, before: string, after: string) =>
    `case when ${before} is distinct from ${after} then jsonb_build_object('field', '${field}', 'before', to_jsonb(${before}), 'after', to_jsonb(${after})) end`;
  // Plain expressions (no sub-select per row for the standard columns): ~3× cheaper per row.
  return sql.raw(`to_jsonb(array_remove(array[${[
    ...TRACKED.map(([f, c]) => one(f, `${j}.o_${c}`, `${j}.${c}`)),
    one('company', `nullif(${j}.o_company_name, '')`, `nullif(${j}.company_name, '')`),
  ].join(', ')}], null))
  || case when ${j}.custom = ${j}.o_custom then '[]'::jsonb else
    (select coalesce(jsonb_agg(jsonb_build_object('field', 'custom.' || k, 'before', ${j}.o_custom -> k, 'after', ${j}.custom -> k)), '[]'::jsonb)
      from jsonb_object_keys(${j}.custom) k where (${j}.o_custom -> k) is distinct from (${j}.custom -> k)) end`);
};

/** The row `n` opts an existing contact `c` out (an opt-out never undoes a stronger one). */
const OPTS_OUT = (n: string) =>
  `(${n}.subscription_status in ('unsubscribed', 'bounced', 'complained') and c.subscription_status in ('subscribed', 'not_subscribed'))`;

const OLD_COLUMNS = `c.id as o_id, lower(c.email) as o_email, ${[
  ...TRACKED.map(([, c]) => c),
  'company_name',
  'tag_ids',
  'custom',
]
  .map((c) => `c.${c} as o_${c}`)
  .join(', ')}`;
const NEW_COLUMNS = `c.id, c.email, c.created_at, ${[
  ...TRACKED.map(([, c]) => c),
  'company_name',
  'tag_ids',
  'custom',
]
  .map((c) => `c.${c}`)
  .join(', ')}`;

/** The ids of the tags and companies a batch names (by lower-cased name). */
export interface BatchNames {
  tagId: Map<string, string>;
  companyId: Map<string, { id: string; name: string }>;
}

/**
 * Resolves (or creates) the tags and companies a batch names, in a short transaction of its own
 * under a per-organisation lock: an import's parallel writers (and two imports) never create the
 * same company twice (companies have no unique name) nor wait on each other's tag rows until
 * their batch commits. A batch that then fails leaves its new tags and companies behind; a resumed
 * import finds and reuses them. `known` (one import's names so far, shared by its writers) spares
 * the lookup of names an earlier batch resolved; the new ones are added to it.
 */
export async function resolveImportNames(
  db: Db,
  orgId: string,
  batch: Pick<StagedBatch, 'tagNames' | 'companyNames'>,
  known: BatchNames = { tagId: new Map(), companyId: new Map() },
): Promise<BatchNames> {
  const tagNames = batch.tagNames.filter((t) => !known.tagId.has(t.toLowerCase()));
  const companyNames = batch.companyNames.filter((n) => !known.companyId.has(n.toLowerCase()));
  if (tagNames.length > 0 || companyNames.length > 0) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(728311002, hashtext(${orgId}::text))`);
      for (const t of await ensureTags(tx, orgId, tagNames)) known.tagId.set(t.name.toLowerCase(), t.id);
      for (const [k, c] of await ensureCompaniesByName(tx, orgId, companyNames)) known.companyId.set(k, c);
    });
  }
  return known;
}

/**
 * A batch as its statement takes it: the rows as one JSON document (made where the rows were
 * parsed: the import's worker thread, so the API's event loop never serialises them; see
 * imports/import-batches.ts stageRows), with the names it uses and its emails, for the small work
 * left to the writer.
 */
export interface StagedBatch {
  /** JSON array of the rows (UpsertRow, tags and company by name). */
  json: string;
  count: number;
  /** Distinct tag and company names, as spelt in the rows. */
  tagNames: string[];
  companyNames: string[];
  emails: string[];
}

export async function upsertImportBatch(
  tx: Db,
  ctx: Ctx,
  imp: { id: string; fileName: string; startedAt: string | null },
  batch: StagedBatch,
  policy: DuplicatePolicy,
  names?: BatchNames,
): Promise<UpsertResult> {
  const org = ctx.orgId;
  // Tags and companies named in the batch: resolved (or created) once per batch.
  const { tagId, companyId } = names ?? (await resolveImportNames(tx, org, batch));
  // The batch's names → ids, keyed by the rows' own spelling (looked up in SQL by the same string).
  const lookup = {
    t: Object.fromEntries(
      batch.tagNames.flatMap((t) => {
        const id = tagId.get(t.toLowerCase());
        return id ? [[t, id]] : [];
      }),
    ),
    c: Object.fromEntries(
      batch.companyNames.flatMap((n) => {
        const co = companyId.get(n.toLowerCase());
        return co ? [[n, [co.id, co.name]]] : [];
      }),
    ),
  };
  const staged = sql`select x.row, x.email, x.first_name, x.last_name, x.phones, x.job_title,
      (n.c -> x.company_name ->> 0)::uuid as company_id, coalesce(n.c -> x.company_name ->> 1, '') as company_name,
      x.source, x.address, x.subscription_status, x.consent_basis, x.consent_source,
      array(select (n.t ->> t.v)::uuid from unnest(x.tags) with ordinality as t(v, o) where n.t ? t.v
        group by 1 order by min(t.o)) as tag_ids,
      x.custom
    from jsonb_to_recordset(${batch.json}::jsonb) as x(row int, email text, first_name text, last_name text, phones text[],
      job_title text, company_name text, source text, address jsonb, subscription_status text, consent_basis text,
      consent_source text, tags text[], custom jsonb),
    (select ${JSON.stringify(lookup)}::jsonb -> 't' as t, ${JSON.stringify(lookup)}::jsonb -> 'c' as c) n`;
  // The new values of a matched contact, from the row `n` (the staged row, or `excluded` in an
  // upsert, where unmapped columns arrive as '' / '{}' / the insert defaults). Empty cells keep
  // what the contact has; phones and tags are added to; an existing contact keeps its
  // subscription (an import never subscribes one, nor resubscribes one that unsubscribed, bounced
  // or complained) unless the row opts it out; a source is never overwritten with "import".
  const merge = (n: string) => ({
    first_name: `case when coalesce(${n}.first_name, '') <> '' then ${n}.first_name else c.first_name end`,
    last_name: `case when coalesce(${n}.last_name, '') <> '' then ${n}.last_name else c.last_name end`,
    job_title: `case when coalesce(${n}.job_title, '') <> '' then ${n}.job_title else c.job_title end`,
    source: `case when coalesce(${n}.source, '') not in ('', 'import') then ${n}.source else c.source end`,
    company_id: `coalesce(${n}.company_id, c.company_id)`,
    company_name: `case when ${n}.company_id is not null then ${n}.company_name else c.company_name end`,
    phones: `array(select distinct unnest(c.phones || coalesce(${n}.phones, '{}')))`,
    address: `case when ${n}.address is not null then coalesce(c.address, '{}'::jsonb) || ${n}.address else c.address end`,
    subscription_status: `case when ${OPTS_OUT(n)} then ${n}.subscription_status else c.subscription_status end`,
    tag_ids: `array(select distinct unnest(c.tag_ids || coalesce(${n}.tag_ids, '{}')))`,
    custom: `c.custom || coalesce(${n}.custom, '{}')`,
  });
  const setList = (n: string) =>
    sql.raw(
      `${Object.entries(merge(n))
        .map(([col, expr]) => `${col} = ${expr}`)
        .join(', ')}, updated_at = now()`,
    );
  // A matched contact that already holds every value the row brings is left alone: no new row
  // version, no index entries, no timeline event (re-importing the same file writes nothing).
  // A restricted contact is left alone too (only lifting the restriction may change it).
  const same = (n: string) =>
    sql.raw(`c.restricted or ((coalesce(${n}.first_name, '') = '' or ${n}.first_name = c.first_name)
    and (coalesce(${n}.last_name, '') = '' or ${n}.last_name = c.last_name)
    and (coalesce(${n}.job_title, '') = '' or ${n}.job_title = c.job_title)
    and (coalesce(${n}.source, '') in ('', 'import') or ${n}.source = c.source)
    and (${n}.company_id is null or ${n}.company_id = c.company_id)
    and (${n}.address is null or c.address @> ${n}.address)
    and not (${OPTS_OUT(n)})
    and coalesce(${n}.phones, '{}') <@ c.phones and coalesce(${n}.tag_ids, '{}') <@ c.tag_ids
    and c.custom @> coalesce(${n}.custom, '{}'))`);
  const origin = sql`'importId', ${imp.id}::text, 'fileName', ${imp.fileName}::text, 'row', j.row`;
  /** Events of the written rows (CTE `j`: new values, `o_*` old values, `inserted`). */
  const events = (insertedOnly: boolean) => sql`
    ${eventsFrom(ctx, {
      source: 'j',
      name: 'ev_created',
      type: sql`'contact.created'`,
      data: sql`jsonb_build_object('source', j.source, ${origin})`,
      where: sql`j.inserted`,
    })},
    ${eventsFrom(ctx, {
      source: 'j',
      name: 'ev_updated',
      type: sql`'contact.updated'`,
      data: sql`jsonb_build_object('changes', j.changes, ${origin})`,
      where: insertedOnly ? sql`false` : sql`not j.inserted and j.changes <> '[]'::jsonb`,
    })},
    ${eventsFrom(ctx, {
      source: 'j',
      name: 'ev_tags',
      type: sql`'tag.added'`,
      data: sql`jsonb_build_object('tags', to_jsonb(j.added_tags), ${origin})`,
      where: insertedOnly ? sql`false` : sql`not j.inserted and cardinality(j.added_tags) > 0`,
    })}`;
  /** `j`'s derived columns from the written row and its old values. */
  const derived = sql`case when w.inserted then '[]'::jsonb else ${changesOf('w')} end as changes,
    case when w.inserted or w.tag_ids <@ coalesce(w.o_tag_ids, '{}') then '{}'::text[] else array(select t.name from tags t where t.org_id = ${org}
      and t.id = any(w.tag_ids) and not (t.id = any(coalesce(w.o_tag_ids, '{}'))) order by lower(t.name)) end as added_tags`;
  let q: SQL;
  if (policy === 'update_only') {
    q = sql`with s as (${staged}),
      m as (select ${sql.raw(OLD_COLUMNS)}, s.row, (${same('s')}) as same from contacts c
        join s on s.email is not null and lower(c.email) = s.email where c.org_id = ${org}),
      up as (update contacts c set ${setList('s')} from s, m
        where m.o_id = c.id and m.row = s.row and not m.same
        returning ${sql.raw(NEW_COLUMNS)}, m.*, false as inserted),
      w as (select up.* from up),
      j as (select w.*, ${derived} from w),
      ${events(false)}
      select (select count(*) from up)::int as updated, 0 as created,
        (select count(*) from m where m.same)::int as matched_unchanged, '[]'::jsonb as dups`;
  } else {
    q = sql`with s as (${staged}),
      up as (
        insert into contacts as c (org_id, email, first_name, last_name, phones, job_title, company_id, company_name, source,
          address, subscription_status, consent_basis, consent_source, consent_at, tag_ids, custom)
        select ${org}, s.email, coalesce(s.first_name, ''), coalesce(s.last_name, ''), coalesce(s.phones, '{}'),
          coalesce(s.job_title, ''), s.company_id, coalesce(s.company_name, ''), coalesce(nullif(s.source, ''), 'import'), s.address,
          coalesce(s.subscription_status, 'not_subscribed'),
          case when s.subscription_status = 'subscribed' then s.consent_basis end,
          case when s.subscription_status = 'subscribed' then s.consent_source end,
          case when s.subscription_status = 'subscribed' then now() end,
          coalesce(s.tag_ids, '{}'), coalesce(s.custom, '{}')
        from s order by s.row
        on conflict (org_id, lower(email)) ${policy === 'create_only' ? sql`do nothing` : sql`do update set ${setList('excluded')} where not (${same('excluded')})`}
        returning ${sql.raw(NEW_COLUMNS)}, (xmax = 0) as inserted),
      -- The old values of the updated rows only (one primary-key lookup each): every part of the
      -- statement reads the snapshot from before it, so this sees the contact before the update.
      w as (select up.*, s.row, o.* from up left join s on s.email = lower(up.email)
        left join lateral (select ${sql.raw(OLD_COLUMNS)} from contacts c where c.id = up.id and not up.inserted) o on true),
      j as (select w.*, ${derived} from w),
      ${events(false)},
      -- The same email in an earlier batch of this file: the contact that row created is updated
      -- (this row wins where it has a value), like a duplicate inside one batch. Only contacts
      -- created since the import started are looked up, so re-imports pay nothing for it.
      dup as (select j.row, j.email, (e.data ->> 'row')::int as first_row from j
        join contact_events e on e.org_id = ${org} and e.contact_id = j.id and e.type = 'contact.created'
          and e.data ->> 'importId' = ${imp.id}::text
        where not j.inserted and j.created_at >= ${imp.startedAt ?? new Date(0).toISOString()}::timestamptz)
      select (select count(*) from up where not up.inserted)::int as updated,
        (select count(*) from up where up.inserted)::int as created,
        ${policy === 'create_only' ? sql`0` : sql`${batch.count}::int - (select count(*) from up)::int`} as matched_unchanged,
        (select coalesce(jsonb_agg(jsonb_build_object('row', dup.row, 'email', dup.email, 'firstRow', dup.first_row)), '[]'::jsonb) from dup) as dups`;
  }
  const [out] = await rows<{
    created: number;
    updated: number;
    matched_unchanged: number;
    dups: Array<{ row: number; email: string; firstRow: number }>;
  }>(tx, q);
  return {
    created: Number(out?.created ?? 0),
    updated: Number(out?.updated ?? 0),
    unchanged: Number(out?.matched_unchanged ?? 0),
    dups: out?.dups ?? [],
  };
}
