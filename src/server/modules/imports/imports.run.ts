import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { type Ctx, type Deps, jobCtx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { collectGarbage } from '../../lib/memory.js';
import { pgArray, rows } from '../../lib/sql.js';
import { writeTx } from '../contacts/write/events.js';
import { type DuplicatePolicy, upsertImportBatch } from '../contacts/write/upsert.js';
import { listFields } from '../fields/fields.repo.js';
import { CsvFileError } from './csv-format.js';
import { type CsvRecord, readCsvChunks } from './csv-reader.js';
import {
  createRowMapper,
  mergeDuplicates,
  newFieldKey,
  type RowError,
  type StagedRow,
} from './import-rows.js';
import { importFile } from './imports.files.js';
import { type ImportRow, iso } from './imports.service.js';
import type { Target } from './mapping.js';

// ---------------------------------------------------------------- the job

/**
 * Runs (or resumes) an import. Progress is committed with each batch in the same transaction
 * as the batch's rows, guarded by the expected `rows_done`: a second runner, or a replay after
 * a crash, can never apply a batch twice.
 */
export async function executeImport(deps: Deps, importId: string) {
  const db = deps.database.db;
  const [claimed] = await rows<ImportRow>(
    db,
    sql`update imports set status = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now()
      where id = ${importId} and status in ('queued','running') returning *`,
  );
  if (!claimed) return;
  const imp = claimed;
  // The import acts as itself on the timeline, with its requester's rights (or the system's when
  // they have left: the import was authorised when it was started).
  const ctx = await jobCtx(deps, imp.org_id, imp.created_by, { type: 'import', id: imp.id });
  const file = importFile(deps.config.dataDir, ctx.orgId, importId);
  const fail = async (message: string) => {
    await db.execute(
      sql`update imports set status = 'failed', error = ${message}, finished_at = now() where id = ${importId}`,
    );
    // A dry run keeps its file for the real import that may follow (or the 24-hour purge).
    if (!imp.dry_run) await fs.promises.rm(file, { force: true });
  };
  let writing: Promise<'ok' | 'stop'> = Promise.resolve('ok');
  try {
    const defs = await listFields(db, ctx.orgId, 'contact');
    const dryDefs = imp.dry_run
      ? [
          ...defs,
          ...(imp.mapping ?? [])
            .filter((t): t is Extract<Target, { type: 'new_field' }> => t.type === 'new_field')
            .map((t) => ({
              id: '',
              entity: 'contact' as const,
              key: newFieldKey(t.label),
              label: t.label,
              type: t.fieldType,
              required: false,
              options: [],
              position: 0,
            })),
        ]
      : defs;
    const mapper = createRowMapper({
      headers: imp.headers,
      mapping: (imp.mapping ?? []).map((t) =>
        t.type === 'new_field' ? ({ type: 'custom', key: newFieldKey(t.label) } as Target) : t,
      ),
      defs: dryDefs,
      extraTags: imp.options?.extraTags ?? [],
    });
    const policy = imp.options?.duplicatePolicy ?? 'create_update';
    // Batches are prepared (mapped, validated, merged) while the previous one is being written:
    // the parser and the database work at the same time. Each write still commits in order.
    let done = imp.rows_done;
    let batch: CsvRecord[] = [];
    const submit = async () => {
      const prepared = prepareBatch(batch, mapper);
      batch = [];
      if ((await writing) === 'stop') return false;
      collectGarbage(); // the previous batch's garbage, before it piles up (see lib/memory.ts)
      writing = applyBatch(ctx, imp, prepared, policy, done);
      writing.catch(() => {}); // awaited below; avoids an unhandled rejection meanwhile
      done += prepared.records;
      return true;
    };
    for await (const chunk of readCsvChunks(file, imp.format)) {
      for (const rec of chunk) {
        if (rec.row === 1) continue; // header
        if (rec.row - 1 <= imp.rows_done) continue; // committed before a restart
        batch.push(rec);
        if (batch.length >= deps.config.importBatchRows && !(await submit())) return;
      }
    }
    if (batch.length && !(await submit())) return;
    if ((await writing) === 'stop') return;
    const [fin] = await rows<{ status: string }>(
      db,
      sql`update imports set status = 'done', finished_at = now(), heartbeat_at = now() where id = ${importId} and status = 'running' returning status`,
    );
    // The file goes when the import ends (a dry run keeps it: the real import may follow).
    if (fin && !imp.dry_run) {
      await fs.promises.rm(file, { force: true });
      // Fresh planner statistics: after a big import the old ones make list and export queries
      // pick a full scan and sort (1.1 s per export page at 1M rows instead of milliseconds).
      if (done > 10_000) {
        // Merge the trigram index's pending list now, so searches do not scan it row by row.
        if (deps.database.kind === 'postgres')
          await db.execute(sql`select gin_clean_pending_list('contacts_search_trgm_idx'::regclass)`);
        await db.execute(sql`analyze contacts`);
      }
    }
  } catch (err) {
    await writing.catch(() => {}); // a batch still in flight commits (or not) before the import is marked failed
    await fail(
      err instanceof AppError || err instanceof CsvFileError ? err.message : 'The import failed unexpectedly',
    );
    if (!(err instanceof AppError) && !(err instanceof CsvFileError)) throw err;
  }
}

interface PreparedBatch {
  records: number;
  errors: RowError[];
  rows: StagedRow[];
  notes: RowError[];
  failed: number;
}

/** The CPU part of a batch: map and validate every record, merge duplicate emails. */
function prepareBatch(records: CsvRecord[], mapper: ReturnType<typeof createRowMapper>): PreparedBatch {
  const errors: RowError[] = [];
  const staged: StagedRow[] = [];
  for (const r of records) {
    const { staged: s, errors: e } = mapper.map(r.row, r.fields);
    for (const x of e) errors.push(x);
    if (s) staged.push(s);
  }
  const { rows: merged, notes } = mergeDuplicates(staged);
  return { records: records.length, errors, rows: merged, notes, failed: records.length - staged.length };
}

/** Applies one batch in one transaction; returns 'stop' when cancelled or when another runner got ahead. */
async function applyBatch(
  ctx: Ctx,
  imp: ImportRow,
  batch: PreparedBatch,
  policy: DuplicatePolicy,
  expectedDone: number,
): Promise<'ok' | 'stop'> {
  const { rows: merged, notes, errors, failed } = batch;
  return writeTx(ctx, async (tx) => {
    const [state] = await rows<{ status: string; rows_done: number }>(
      tx,
      sql`select status, rows_done from imports where id = ${imp.id} for update`,
    );
    if (state?.status !== 'running' || state.rows_done !== expectedDone) return 'stop' as const;
    // Room for the trigram index to merge its pending list in one sort instead of many.
    await tx.execute(sql`set local work_mem = '64MB'`);
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    const merges = notes.length; // the writer adds notes for duplicates across batches
    if (merged.length) {
      ({ created, updated, unchanged } = imp.dry_run
        ? await predictBatch(tx, ctx, merged, policy)
        : await writeBatch(tx, ctx, imp, merged, policy, notes));
    }
    const skipped = merged.length - created - updated - unchanged + merges;
    const report = [...errors, ...notes];
    if (report.length) {
      await tx.execute(sql`insert into import_errors (import_id, org_id, row, "column", value, reason)
        select ${imp.id}, ${ctx.orgId}, x.row, x.column, x.value, x.reason
        from jsonb_to_recordset(${JSON.stringify(report)}::jsonb) as x(row int, "column" text, value text, reason text)`);
    }
    await tx.execute(sql`update imports set rows_done = rows_done + ${batch.records}, created_count = created_count + ${created},
        updated_count = updated_count + ${updated}, skipped_count = skipped_count + ${skipped},
        unchanged_count = unchanged_count + ${unchanged}, failed_count = failed_count + ${failed}, heartbeat_at = now()
      where id = ${imp.id}`);
    return 'ok' as const;
  });
}

/** Dry run: what the batch would do, from one lookup of existing emails. Writes nothing. */
async function predictBatch(tx: Db, ctx: Ctx, batch: StagedRow[], policy: DuplicatePolicy) {
  const emails = batch.map((r) => r.email).filter((e): e is string => Boolean(e));
  const existing = emails.length
    ? new Set(
        (
          await rows<{ e: string }>(
            tx,
            sql`select lower(email) as e from contacts where org_id = ${ctx.orgId} and lower(email) = any(${pgArray(emails)}::text[])`,
          )
        ).map((r) => r.e),
      )
    : new Set<string>();
  let created = 0;
  let updated = 0;
  for (const r of batch) {
    const exists = r.email ? existing.has(r.email) : false;
    if (exists && policy !== 'create_only') updated++;
    if (!exists && policy !== 'update_only') created++;
  }
  // Whether a matched row would change nothing is only known when it is written.
  return { created, updated, unchanged: 0 };
}

/** Writes a batch through the contacts write path; duplicates across batches become report notes. */
async function writeBatch(
  tx: Db,
  ctx: Ctx,
  imp: ImportRow,
  batch: StagedRow[],
  policy: DuplicatePolicy,
  notes: RowError[],
) {
  const out = await upsertImportBatch(
    tx,
    ctx,
    { id: imp.id, fileName: imp.file_name, startedAt: iso(imp.started_at) },
    batch,
    policy,
  );
  for (const d of out.dups) {
    notes.push({
      row: d.row,
      column: 'email',
      value: d.email,
      reason: `Same email as row ${d.firstRow}: merged into the contact that row created (row ${d.row} wins where both have a value)`,
    });
  }
  // Counted like a duplicate inside one batch: the absorbed row is skipped (and reported).
  return { created: out.created, updated: out.updated - out.dups.length, unchanged: out.unchanged };
}
