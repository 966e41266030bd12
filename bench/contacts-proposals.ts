import type pg from 'pg';

/**
 * Changes proposed from the contacts benchmark that are not (yet) in src/. They are measured on
 * the bench database only: `BENCH_PROPOSALS=1 npm run bench contacts` adds raw-SQL rows for them.
 *
 * Already adopted (migration 0005 + contacts.filter.ts, commit a0d793f), so no longer here:
 *  - sort indexes DESC NULLS FIRST (the DESC NULLS LAST ones could not serve ORDER BY … DESC);
 *  - GIN (jsonb_path_ops) on contacts.custom, and `eq` on select/number/boolean custom fields
 *    compiled as `c.custom @> {"key": value}`.
 * Adopted in migration 0009 / contacts.service.ts: P3, the capped count (10,001 rows at most).
 */

/**
 * Proposed indexes, applied to the bench database with BENCH_PROPOSALS=1: the sort btrees of the
 * first-name, email, company-name and job-title sorts, so each sort is measured with and without
 * its index on the same data (decision 004).
 */
export const PROPOSED_INDEXES: Array<{ name: string; ddl: string }> = [
  {
    name: 'proposed_first_name_sort',
    ddl: 'create index proposed_first_name_sort on contacts (org_id, lower(first_name), id)',
  },
  {
    name: 'proposed_email_sort',
    ddl: "create index proposed_email_sort on contacts (org_id, coalesce(lower(email), ''), id)",
  },
  {
    name: 'proposed_job_title_sort',
    ddl: 'create index proposed_job_title_sort on contacts (org_id, lower(job_title), id)',
  },
  {
    name: 'proposed_company_name_sort',
    ddl: 'create index proposed_company_name_sort on contacts (org_id, lower(company_name), id)',
  },
];

/**
 * Adds the proposed indexes (apply) or removes every `proposed_*` index (so the database matches
 * the migrations; earlier runs of this suite created some).
 */
export async function setProposals(pool: pg.Pool, apply: boolean, log: (line: string) => void) {
  const existing = new Set(
    (
      await pool.query<{ name: string }>(
        `select indexname as name from pg_indexes where schemaname = 'public' and indexname like 'proposed\\_%'`,
      )
    ).rows.map((r) => r.name),
  );
  const wanted = new Set(apply ? PROPOSED_INDEXES.map((p) => p.name) : []);
  const client = await pool.connect();
  try {
    const stale = [...existing].filter((n) => !wanted.has(n));
    for (const name of stale) await client.query(`drop index ${name}`);
    if (stale.length) log(`removed indexes that are not (or no longer) proposed: ${stale.join(', ')}`);
    await client.query(`set maintenance_work_mem = '1GB'`);
    let created = 0;
    for (const p of PROPOSED_INDEXES) {
      if (!wanted.has(p.name) || existing.has(p.name)) continue;
      const t = performance.now();
      await client.query(p.ddl);
      created++;
      log(`proposal applied in ${Math.round(performance.now() - t)} ms: ${p.ddl}`);
    }
    if (created) await client.query('analyze contacts, contact_events');
  } finally {
    client.release();
  }
}
