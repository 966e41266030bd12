import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { type Ctx, type Deps, jobCtx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { collectGarbage } from '../../lib/memory.js';
import { pgArray, rows } from '../../lib/sql.js';
import { writeTx } from '../contacts/write/events.js';
import {
  type BatchNames,
  type DuplicatePolicy,
  resolveImportNames,
  type StagedBatch,
  upsertImportBatch,
} from '../contacts/write/upsert.js';
import { listFields } from '../fields/fields.repo.js';
import { CsvFileError } from './csv-format.js';
import type { PreparedBatch } from './import-batches.js';
import { newFieldKey, type RowError } from './import-rows.js';
import { type BatchSource, startBatchSource } from './import-source.js';
import { importFile } from './imports.files.js';
import { type ImportRow, iso } from './imports.service.js';
import type { Target } from './mapping.js';

// ---------------------------------------------------------------- the job

/** Writers (connections) of one import; a pool too small for them gets one. */
export const IMPORT_WRITERS = 2;
/** How often a running import's heartbeat moves, whatever its batches do. */
const HEARTBEAT_MS = 1_000;

type ClaimedImport = ImportRow & { parts_done: number[] };

/**
 * Runs (or resumes) an import.
 *
 * The file is read, parsed and mapped in a worker thread (import-worker.ts), which hands batches
 * to the writers: on PostgreSQL two, one per partition of the rows (by a hash of the email, see
 * import-batches.ts), each on its own connection, so the parser and two database backends work at
 * the same time and the API's event loop only forwards batches.
 *
 * Exactly once: `imports.parts_done[p]` counts the records of partition p committed so far. Each
 * batch commits in one transaction with its rows, events and report lines, and moves
 * `parts_done[p]` (and `rows_done`, the counts) only if it still holds what the writer expects;
 * otherwise (a second runner got ahead, or the import was cancelled) the transaction rolls back
 * and the runner stops. A restarted job skips the first `parts_done[p]` records of each partition.
 * An import claimed before partitions existed (rows_done > 0, no parts_done) resumes as one
 * partition, which is the old rule (skip the first rows_done records).
 */
export async function executeImport(deps: Deps, importId: string) {
  const db = deps.database.db;
  // Parallel writers need connections of their own, with some left for the API and other jobs.
  const writers = deps.config.databasePoolSize >= 4 ? IMPORT_WRITERS : 1;
  const [claimed] = await rows<ClaimedImport>(
    db,
    sql`update imports set status = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now(),
        parts_done = coalesce(parts_done, case when rows_done = 0 then array_fill(0, array[${writers}::int]) else array[rows_done] end)
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
  // The heartbeat moves every second while the import runs, even when a batch takes longer.
  const heartbeat = setInterval(() => {
    db.execute(
      sql`update imports set heartbeat_at = now() where id = ${importId} and status = 'running'`,
    ).catch(() => {});
  }, HEARTBEAT_MS);
  let source: BatchSource | undefined;
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
    const policy = imp.options?.duplicatePolicy ?? 'create_update';
    const done = [...imp.parts_done];
    source = startBatchSource({
      file,
      format: imp.format,
      headers: imp.headers,
      mapping: (imp.mapping ?? []).map((t) =>
        t.type === 'new_field' ? ({ type: 'custom', key: newFieldKey(t.label) } as Target) : t,
      ),
      defs: dryDefs,
      extraTags: imp.options?.extraTags ?? [],
      // Imports started before the marketing choice existed subscribe nobody.
      marketing: imp.options?.marketing ?? { mode: 'not_subscribed' },
      fileName: imp.file_name,
      parts: done.length,
      skip: done,
      maxRows: deps.config.importBatchRows,
    });
    const src = source;
    let stop = false;
    // Tags and companies resolved so far, shared by the writers (a company name seen in one batch
    // is not looked up again). Bounded: a file of a million distinct companies is not held.
    let names: BatchNames = { tagId: new Map(), companyId: new Map() };
    const namesFor = (reset = false) => {
      if (reset) names = { tagId: new Map(), companyId: new Map() };
      else if (names.companyId.size > 200_000) names = { tagId: names.tagId, companyId: new Map() };
      return names;
    };
    // One writer per partition; batches of a partition commit in file order.
    const writer = async (part: number): Promise<'ok' | 'stop'> => {
      try {
        for (;;) {
          if (stop) return 'stop';
          const batch = await src.next(part);
          if (!batch) return 'ok';
          if (stop) return 'stop';
          collectGarbage(); // the previous batch's garbage, before it piles up (see lib/memory.ts)
          const t0 = performance.now();
          if ((await applyBatch(ctx, imp, batch, policy, done[part]!, namesFor)) === 'stop') {
            stop = true;
            return 'stop';
          }
          done[part]! += batch.records;
          src.pace(part, batch.records / Math.max((performance.now() - t0) / 1000, 0.001));
        }
      } catch (err) {
        stop = true; // the other writers finish the batch they are writing, then stop
        throw err;
      }
    };
    const results = await Promise.allSettled(done.map((_, p) => writer(p)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (results.some((r) => r.status === 'fulfilled' && r.value === 'stop')) return;
    const [fin] = await rows<{ status: string }>(
      db,
      sql`update imports set status = 'done', finished_at = now(), heartbeat_at = now() where id = ${importId} and status = 'running' returning status`,
    );
    // The file goes when the import ends (a dry run keeps it: the real import may follow).
    if (fin && !imp.dry_run) {
      await fs.promises.rm(file, { force: true });
      // Fresh planner statistics: after a big import the old ones make list and export queries
      // pick a full scan and sort (1.1 s per export page at 1M rows instead of milliseconds).
      if (done.reduce((a, b) => a + b, 0) > 10_000) {
        // Merge the pending lists of contacts' GIN indexes now, so searches do not scan them row
        // by row, and analyze: as the table's owner (SECURITY DEFINER function, migration 0017).
        await db.execute(sql`select contacts_refresh_statistics()`);
      }
    }
  } catch (err) {
    await fail(
      err instanceof AppError || err instanceof CsvFileError ? err.message : 'The import failed unexpectedly',
    );
    if (!(err instanceof AppError) && !(err instanceof CsvFileError)) throw err;
  } finally {
    clearInterval(heartbeat);
    await source?.close();
  }
}

/** The batch's transaction found the import cancelled, or another runner ahead of this one. */
class Superseded extends Error {}

/**
 * Deadlock, serialization failure; a foreign key violation: a tag or company the names cache holds
 * was deleted meanwhile (the retry looks the batch's names up again).
 */
const RETRYABLE = new Set(['40P01', '40001', '23503']);
const pgCode = (err: unknown): string | undefined => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
};

/**
 * Applies one batch: its tags and companies first (their own short transaction), then its rows,
 * events, report lines and progress in one transaction. Returns 'stop' when cancelled or when
 * another runner got ahead. A deadlock (the two writers of an import share no contact, but other
 * writers exist) is retried: the transaction rolled back whole.
 */
async function applyBatch(
  ctx: Ctx,
  imp: ImportRow,
  batch: PreparedBatch,
  policy: DuplicatePolicy,
  expectedDone: number,
  namesFor: (reset?: boolean) => BatchNames,
): Promise<'ok' | 'stop'> {
  for (let attempt = 1; ; attempt++) {
    try {
      // A retry looks every name up again (a cached tag or company may have been deleted).
      return await applyBatchOnce(ctx, imp, batch, policy, expectedDone, namesFor(attempt > 1));
    } catch (err) {
      if (err instanceof Superseded) return 'stop';
      if (attempt >= 3 || !RETRYABLE.has(pgCode(err) ?? '')) throw err;
    }
  }
}

async function applyBatchOnce(
  ctx: Ctx,
  imp: ImportRow,
  batch: PreparedBatch,
  policy: DuplicatePolicy,
  expectedDone: number,
  known: BatchNames,
): Promise<'ok'> {
  const { staged, errors, failed } = batch;
  const notes = [...batch.notes]; // the writer adds notes for duplicates across batches
  const names =
    !imp.dry_run && staged.count
      ? await resolveImportNames(ctx.deps.database.db, ctx.orgId, staged, known)
      : undefined;
  const slot = batch.part + 1; // PostgreSQL arrays count from 1
  return writeTx(ctx, async (tx) => {
    const [state] = await rows<{ status: string }>(tx, sql`select status from imports where id = ${imp.id}`);
    if (state?.status !== 'running') throw new Superseded();
    // Room for GIN indexes to merge their pending lists in one sort instead of many.
    await tx.execute(sql`set local work_mem = '64MB'`);
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    if (staged.count) {
      ({ created, updated, unchanged } = imp.dry_run
        ? await predictBatch(tx, ctx, staged, policy)
        : await writeBatch(tx, ctx, imp, staged, policy, notes, names));
    }
    // Rows merged into a later row of the batch (the notes the writer adds for duplicates across
    // batches are in `merged`: counted as skipped through `updated`, see writeBatch).
    const skipped = staged.count - created - updated - unchanged + batch.notes.length;
    const report = [...errors, ...notes];
    if (report.length) {
      await tx.execute(sql`insert into import_errors (import_id, org_id, row, "column", value, reason)
        select ${imp.id}, ${ctx.orgId}, x.row, x.column, x.value, x.reason
        from jsonb_to_recordset(${JSON.stringify(report)}::jsonb) as x(row int, "column" text, value text, reason text)`);
    }
    // The guard: this partition's progress is still what this runner read, and the import still runs.
    const [moved] = await rows<{ id: string }>(
      tx,
      sql`update imports set parts_done[${sql.raw(String(slot))}] = parts_done[${sql.raw(String(slot))}] + ${batch.records},
        rows_done = rows_done + ${batch.records}, created_count = created_count + ${created},
        updated_count = updated_count + ${updated}, skipped_count = skipped_count + ${skipped},
        unchanged_count = unchanged_count + ${unchanged}, failed_count = failed_count + ${failed}, heartbeat_at = now()
      where id = ${imp.id} and status = 'running' and parts_done[${sql.raw(String(slot))}] = ${expectedDone} returning id`,
    );
    if (!moved) throw new Superseded();
    return 'ok' as const;
  });
}

/** Dry run: what the batch would do, from one lookup of existing emails. Writes nothing. */
async function predictBatch(tx: Db, ctx: Ctx, batch: StagedBatch, policy: DuplicatePolicy) {
  const emails = batch.emails;
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
  // Rows are merged by email: each email once; the rows without one are new.
  for (const e of emails) {
    const exists = existing.has(e);
    if (exists && policy !== 'create_only') updated++;
    if (!exists && policy !== 'update_only') created++;
  }
  if (policy !== 'update_only') created += batch.count - emails.length;
  // Whether a matched row would change nothing is only known when it is written.
  return { created, updated, unchanged: 0 };
}

/** Writes a batch through the contacts write path; duplicates across batches become report notes. */
async function writeBatch(
  tx: Db,
  ctx: Ctx,
  imp: ImportRow,
  batch: StagedBatch,
  policy: DuplicatePolicy,
  notes: RowError[],
  names: BatchNames | undefined,
) {
  const out = await upsertImportBatch(
    tx,
    ctx,
    { id: imp.id, fileName: imp.file_name, startedAt: iso(imp.started_at) },
    batch,
    policy,
    names,
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
