import fs from 'node:fs';
import path from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { assertCan, type Ctx, type Deps, jobCtx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { collectGarbage } from '../../lib/memory.js';
import { pgArray, rows } from '../../lib/sql.js';
import { writeTx } from '../contacts/write/events.js';
import { type DuplicatePolicy, upsertImportBatch } from '../contacts/write/upsert.js';
import { listFields } from '../fields/fields.repo.js';
import { createField } from '../fields/fields.service.js';
import { ensureTags } from '../tags/tags.repo.js';
import { CsvFileError, type CsvFormat, type Delimiter, detectFormat, type Encoding } from './csv-format.js';
import { analyseCsv, type CsvRecord, readCsvChunks } from './csv-reader.js';
import {
  createRowMapper,
  mergeDuplicates,
  newFieldKey,
  type RowError,
  type StagedRow,
} from './import-rows.js';
import { runImportJob } from './imports.jobs.js';
import { suggestMapping, type Target } from './mapping.js';

export type { DuplicatePolicy } from '../contacts/write/upsert.js';

export function importsDir(dataDir: string, orgId: string) {
  return path.join(dataDir, 'imports', orgId);
}
export function importFile(dataDir: string, orgId: string, id: string) {
  return path.join(importsDir(dataDir, orgId), `${id}.csv`);
}
/** Uploaded files live only as long as their import needs them (see `purgeAbandonedUploads`). */
export async function removeImportFile(dataDir: string, orgId: string, id: string) {
  await fs.promises.rm(importFile(dataDir, orgId, id), { force: true });
}

interface ImportRow {
  id: string;
  org_id: string;
  created_by: string | null;
  status: string;
  file_name: string;
  file_size: number;
  format: CsvFormat;
  headers: string[];
  preview: string[][];
  total_rows: number;
  ragged_rows: number[];
  mapping: Target[] | null;
  options: { duplicatePolicy: DuplicatePolicy; extraTags: string[] } | null;
  dry_run: boolean;
  rows_done: number;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  unchanged_count: number;
  failed_count: number;
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  heartbeat_at: Date | string | null;
  finished_at: Date | string | null;
}

const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);

function present(r: ImportRow, extra: { suggestedMapping?: Target[] } = {}) {
  const started = r.started_at ? new Date(r.started_at).getTime() : null;
  const end = r.finished_at ? new Date(r.finished_at).getTime() : Date.now();
  const seconds = started ? Math.max((end - started) / 1000, 0.001) : null;
  const rate = seconds && r.rows_done > 0 ? r.rows_done / seconds : null;
  return {
    id: r.id,
    status: r.status as 'uploaded' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled',
    fileName: r.file_name,
    fileSize: r.file_size,
    format: r.format as unknown as Record<string, unknown>,
    headers: r.headers,
    preview: r.preview,
    totalRows: r.total_rows,
    raggedRows: r.ragged_rows,
    mapping: r.mapping,
    duplicatePolicy: r.options?.duplicatePolicy ?? null,
    extraTags: r.options?.extraTags ?? [],
    dryRun: r.dry_run,
    progress: {
      rowsDone: r.rows_done,
      totalRows: r.total_rows,
      percent: r.total_rows ? Math.min(100, Math.round((r.rows_done / r.total_rows) * 1000) / 10) : 0,
      rowsPerSecond: rate ? Math.round(rate) : null,
      secondsLeft: rate && r.status === 'running' ? Math.round((r.total_rows - r.rows_done) / rate) : null,
    },
    counts: {
      created: r.created_count,
      updated: r.updated_count,
      skipped: r.skipped_count,
      unchanged: r.unchanged_count,
      failed: r.failed_count,
    },
    error: r.error,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    ...extra,
  };
}
export type ImportDto = ReturnType<typeof present>;

async function load(db: Db, orgId: string, id: string): Promise<ImportRow> {
  const [row] = await rows<ImportRow>(db, sql`select * from imports where org_id = ${orgId} and id = ${id}`);
  if (!row) throw notFound('Import');
  return row;
}

function fileError(err: unknown): never {
  if (err instanceof CsvFileError) {
    throw new AppError('VALIDATION_FAILED', err.message, {
      issues: [{ path: ['file'], message: err.message }],
    });
  }
  throw err;
}

async function readHead(file: string) {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** Registers an uploaded file (already streamed to `tmpFile`): detects its format and checks its structure. */
export async function createImport(ctx: Ctx, input: { fileName: string; tmpFile: string; size: number }) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  try {
    let format: CsvFormat;
    let analysis: Awaited<ReturnType<typeof analyseCsv>>;
    try {
      format = detectFormat(await readHead(input.tmpFile));
      analysis = await analyseCsv(input.tmpFile, format);
    } catch (err) {
      fileError(err);
    }
    const [row] = await rows<ImportRow>(
      db,
      sql`insert into imports (org_id, created_by, file_name, file_size, format, headers, preview, total_rows, ragged_rows)
        values (${ctx.orgId}, ${userIdOf(ctx)}, ${input.fileName.slice(0, 255)}, ${input.size}, ${JSON.stringify(format)}::jsonb,
          ${JSON.stringify(analysis.headers)}::jsonb, ${JSON.stringify(analysis.preview)}::jsonb, ${analysis.totalRows},
          ${JSON.stringify(analysis.raggedRows)}::jsonb)
        returning *`,
    );
    const target = importFile(ctx.deps.config.dataDir, ctx.orgId, row!.id);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(input.tmpFile, target);
    const defs = await listFields(db, ctx.orgId, 'contact');
    return present(row!, { suggestedMapping: suggestMapping(analysis.headers, defs) });
  } finally {
    await fs.promises.rm(input.tmpFile, { force: true });
  }
}

/** Re-reads the file with the encoding/delimiter the user chose instead of the detected ones. */
export async function overrideFormat(
  ctx: Ctx,
  id: string,
  input: { encoding?: Encoding; delimiter?: Delimiter },
) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const cur = await load(db, ctx.orgId, id);
  if (cur.status !== 'uploaded') throw new AppError('CONFLICT', 'The import has already started');
  const format: CsvFormat = {
    ...cur.format,
    ...input,
    bom: cur.format.bom && (input.encoding ?? cur.format.encoding) === cur.format.encoding,
  };
  let analysis: Awaited<ReturnType<typeof analyseCsv>>;
  try {
    analysis = await analyseCsv(importFile(ctx.deps.config.dataDir, ctx.orgId, id), format);
  } catch (err) {
    fileError(err);
  }
  const [row] = await rows<ImportRow>(
    db,
    sql`update imports set format = ${JSON.stringify(format)}::jsonb, headers = ${JSON.stringify(analysis.headers)}::jsonb,
        preview = ${JSON.stringify(analysis.preview)}::jsonb, total_rows = ${analysis.totalRows},
        ragged_rows = ${JSON.stringify(analysis.raggedRows)}::jsonb
      where org_id = ${ctx.orgId} and id = ${id} returning *`,
  );
  return present(row!, {
    suggestedMapping: suggestMapping(analysis.headers, await listFields(db, ctx.orgId, 'contact')),
  });
}

export async function getImport(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:read');
  return present(await load(ctx.deps.database.db, ctx.orgId, id));
}

export async function listImports(ctx: Ctx) {
  assertCan(ctx, 'contacts:read');
  const list = await rows<ImportRow>(
    ctx.deps.database.db,
    sql`select * from imports where org_id = ${ctx.orgId} order by created_at desc limit 100`,
  );
  return list.map((r) => present(r));
}

function validateMapping(
  headers: string[],
  mapping: Target[],
  defs: Awaited<ReturnType<typeof listFields>>,
  policy: DuplicatePolicy,
) {
  const issue = (i: number, message: string): never => {
    throw new AppError('VALIDATION_FAILED', `mapping[${i}] (${headers[i] ?? '?'}): ${message}`, {
      issues: [{ path: ['mapping', String(i)], message }],
    });
  };
  if (mapping.length !== headers.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `mapping: give one target per column (${headers.length}), got ${mapping.length}`,
    );
  }
  const seen = new Map<string, number>();
  mapping.forEach((t, i) => {
    if (t.type === 'ignore') return;
    const key =
      t.type === 'standard'
        ? t.field
        : t.type === 'custom'
          ? `custom.${t.key}`
          : `custom.${newFieldKey(t.label)}`;
    if (seen.has(key)) issue(i, `${key} is already mapped from column ${seen.get(key)! + 1}`);
    seen.set(key, i);
    if (t.type === 'custom' && !defs.some((d) => d.key === t.key)) issue(i, `unknown custom field ${t.key}`);
    if (t.type === 'new_field' && defs.some((d) => d.key === newFieldKey(t.label))) {
      issue(i, `a field with the key ${newFieldKey(t.label)} already exists: map to it instead`);
    }
  });
  if (policy === 'update_only' && !seen.has('email')) {
    throw new AppError(
      'VALIDATION_FAILED',
      'mapping: update-only imports match contacts by email, so map an email column',
    );
  }
  if (![...seen.keys()].some((k) => ['email', 'firstName', 'lastName', 'fullName', 'phone'].includes(k))) {
    throw new AppError('VALIDATION_FAILED', 'mapping: map at least one of email, name or phone');
  }
}

export async function startImport(
  ctx: Ctx,
  id: string,
  input: { mapping: Target[]; duplicatePolicy: DuplicatePolicy; dryRun: boolean; extraTags: string[] },
) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const cur = await load(db, ctx.orgId, id);
  const restartable =
    cur.status === 'uploaded' || (cur.dry_run && (cur.status === 'done' || cur.status === 'failed'));
  if (!restartable)
    throw new AppError('CONFLICT', `This import is ${cur.status}; upload the file again to re-import it`);
  if (!fs.existsSync(importFile(ctx.deps.config.dataDir, ctx.orgId, id)))
    throw new AppError('GONE', 'The uploaded file has expired (kept 24 hours); upload it again');
  const defs = await listFields(db, ctx.orgId, 'contact');
  validateMapping(cur.headers, input.mapping, defs, input.duplicatePolicy);
  if (!input.dryRun) {
    for (const t of input.mapping) {
      if (t.type === 'new_field')
        await createField(ctx, { entity: 'contact', label: t.label, type: t.fieldType });
    }
  }
  const mapping = input.dryRun
    ? input.mapping
    : input.mapping.map((t) =>
        t.type === 'new_field' ? ({ type: 'custom', key: newFieldKey(t.label) } as Target) : t,
      );
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from import_errors where import_id = ${id}`);
    await tx.execute(sql`update imports set status = 'queued', mapping = ${JSON.stringify(mapping)}::jsonb,
        options = ${JSON.stringify({ duplicatePolicy: input.duplicatePolicy, extraTags: input.extraTags })}::jsonb,
        dry_run = ${input.dryRun}, rows_done = 0, created_count = 0, updated_count = 0, skipped_count = 0, unchanged_count = 0,
        failed_count = 0, error = null, started_at = null, finished_at = null, heartbeat_at = now()
      where org_id = ${ctx.orgId} and id = ${id}`);
    // In the same transaction: the import is "queued" exactly when its job exists.
    await ctx.deps.jobs.send(runImportJob, { importId: id }, { tx });
  });
  return getImport(ctx, id);
}

export async function cancelImport(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const cur = await load(db, ctx.orgId, id);
  if (!['uploaded', 'queued', 'running'].includes(cur.status)) {
    throw new AppError('CONFLICT', `This import is already ${cur.status}`);
  }
  const [cancelled] = await rows(
    db,
    sql`update imports set status = 'cancelled', finished_at = now() where org_id = ${ctx.orgId} and id = ${id} and status in ('uploaded','queued','running') returning id`,
  );
  // A running job notices the cancel at its next batch; the file is not needed any more either way.
  if (cancelled) await removeImportFile(ctx.deps.config.dataDir, ctx.orgId, id);
  return getImport(ctx, id);
}

/** The error report as CSV lines (row, column, value, reason), streamed from the database in pages. */
export async function* errorReport(ctx: Ctx, id: string): AsyncGenerator<RowError> {
  assertCan(ctx, 'contacts:read');
  const db = ctx.deps.database.db;
  await load(db, ctx.orgId, id);
  let after = 0;
  for (;;) {
    const page = await rows<{ id: number; row: number; column: string; value: string; reason: string }>(
      db,
      sql`select id, row, "column", value, reason from import_errors where org_id = ${ctx.orgId} and import_id = ${id} and id > ${after}
        order by id limit 5000`,
    );
    if (page.length === 0) return;
    for (const e of page) yield { row: e.row, column: e.column, value: e.value, reason: e.reason };
    after = Number(page[page.length - 1]!.id);
  }
}

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

/** Uploads and dry runs nobody followed up are kept this long, then their files are deleted. */
export const ABANDONED_UPLOAD_HOURS = 24;

/**
 * Deletes the files of abandoned imports (uploaded or dry-run, untouched for 24 hours; an upload
 * is then marked cancelled) and any file left in the imports folder without a live import.
 */
export async function purgeAbandonedUploads(
  deps: Pick<Deps, 'config' | 'database'>,
  hours = ABANDONED_UPLOAD_HOURS,
) {
  const db = deps.database.db;
  const old = await rows<{ id: string; org_id: string }>(
    db,
    sql`update imports set status = case when status = 'uploaded' then 'cancelled' else status end,
        error = case when status = 'uploaded' then 'The upload expired after ${sql.raw(String(hours))} hours without an import' else error end,
        finished_at = coalesce(finished_at, now())
      where (status = 'uploaded' and created_at < now() - make_interval(hours => ${hours}))
        or (dry_run and status in ('done','failed') and finished_at < now() - make_interval(hours => ${hours}))
      returning id, org_id`,
  );
  for (const r of old) await removeImportFile(deps.config.dataDir, r.org_id, r.id);
  // Files without an import that still needs them (e.g. left by a crash between upload and insert).
  const root = path.join(deps.config.dataDir, 'imports');
  const orgs = await fs.promises.readdir(root).catch(() => [] as string[]);
  let removed = old.length;
  for (const org of orgs) {
    const dir = path.join(root, org);
    const files = await fs.promises.readdir(dir).catch(() => [] as string[]);
    const ids = files.map((f) => f.replace(/\.csv$/, '')).filter((f) => /^[0-9a-f-]{36}$/.test(f));
    const live = new Set(
      ids.length
        ? (
            await rows<{ id: string }>(
              db,
              sql`select id::text from imports where id = any(${pgArray(ids)}::uuid[])
                and (status in ('uploaded','queued','running') or (dry_run and status in ('done','failed')))`,
            )
          ).map((r) => r.id)
        : [],
    );
    for (const f of files) {
      const full = path.join(dir, f);
      const stat = await fs.promises.stat(full).catch(() => null);
      if (!stat || live.has(f.replace(/\.csv$/, ''))) continue;
      if (Date.now() - stat.mtimeMs > hours * 3600_000 || ids.includes(f.replace(/\.csv$/, ''))) {
        await fs.promises.rm(full, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
