import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { checkMapping, type ImportMarketing, marketingProblem } from '../../../common/imports.js';
import { assertCan, type Ctx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import type { DuplicatePolicy } from '../contacts/write/upsert.js';
import { listFields } from '../fields/fields.repo.js';
import { createField } from '../fields/fields.service.js';
import { CsvFileError, type CsvFormat, type Delimiter, detectFormat, type Encoding } from './csv-format.js';
import { analyseCsv } from './csv-reader.js';
import { newFieldKey, type RowError } from './import-rows.js';
import { importFile, removeImportFile } from './imports.files.js';
import { runImportJob } from './imports.jobs.js';
import { suggestMapping, type Target } from './mapping.js';

export type { DuplicatePolicy } from '../contacts/write/upsert.js';

export interface ImportRow {
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
  options: {
    duplicatePolicy: DuplicatePolicy;
    extraTags: string[];
    marketing?: ImportMarketing;
    triggerAutomations?: boolean;
  } | null;
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

export const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);

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
    format: r.format,
    headers: r.headers,
    preview: r.preview,
    totalRows: r.total_rows,
    raggedRows: r.ragged_rows,
    mapping: r.mapping,
    duplicatePolicy: r.options?.duplicatePolicy ?? null,
    extraTags: r.options?.extraTags ?? [],
    marketing: r.options ? (r.options.marketing ?? { mode: 'not_subscribed' as const }) : null,
    triggerAutomations: r.options?.triggerAutomations ?? true,
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

/** The shared mapping rules (src/common/imports.ts), answered as a 400 naming each column at fault. */
function validateMapping(
  headers: string[],
  mapping: Target[],
  defs: Awaited<ReturnType<typeof listFields>>,
  policy: DuplicatePolicy,
) {
  const problems = checkMapping(mapping, headers, defs, policy);
  const columns = Object.entries(problems.columns);
  if (columns.length === 0 && problems.general.length === 0) return;
  const issues = [
    ...columns.map(([i, message]) => ({ path: ['mapping', i], message })),
    ...problems.general.map((message) => ({ path: ['mapping'], message })),
  ];
  const first = columns[0];
  throw new AppError(
    'VALIDATION_FAILED',
    first
      ? `mapping[${first[0]}] (${headers[Number(first[0])] ?? '?'}): ${first[1]}`
      : `mapping: ${problems.general[0]}`,
    { issues },
  );
}

export async function startImport(
  ctx: Ctx,
  id: string,
  input: {
    mapping: Target[];
    duplicatePolicy: DuplicatePolicy;
    dryRun: boolean;
    extraTags: string[];
    /** false: nothing this import changes enrols contacts in automations. */
    triggerAutomations?: boolean;
    /** Marketing email for the new contacts; without it nobody new is subscribed. */
    marketing?: ImportMarketing;
  },
  /**
   * 'here': the caller runs the import itself (the command line, whose data folder holds the
   * file): no job is enqueued, so a server's worker on the same database with another data folder
   * does not pick the import up and fail it for a file it cannot see. If the caller dies, the
   * stale-import recovery hands it to a worker after two minutes.
   */
  runner: 'worker' | 'here' = 'worker',
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
  const marketing: ImportMarketing = input.marketing ?? { mode: 'not_subscribed' };
  const problem =
    input.duplicatePolicy === 'update_only' ? undefined : marketingProblem(marketing, input.mapping);
  if (problem) {
    throw new AppError('VALIDATION_FAILED', `marketing: ${problem}`, {
      issues: [{ path: ['marketing'], message: problem }],
    });
  }
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
        options = ${JSON.stringify({ duplicatePolicy: input.duplicatePolicy, extraTags: input.extraTags, marketing, triggerAutomations: input.triggerAutomations ?? true })}::jsonb,
        dry_run = ${input.dryRun}, rows_done = 0, parts_done = null, created_count = 0, updated_count = 0, skipped_count = 0, unchanged_count = 0,
        failed_count = 0, error = null, started_at = null, finished_at = null, heartbeat_at = now()
      where org_id = ${ctx.orgId} and id = ${id}`);
    // In the same transaction: the import is "queued" exactly when its job exists (or its runner
    // is the caller).
    if (runner === 'worker') await ctx.deps.jobs.send(runImportJob, { importId: id }, { tx });
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

export {
  ABANDONED_UPLOAD_HOURS,
  importFile,
  importsDir,
  purgeAbandonedUploads,
  removeImportFile,
} from './imports.files.js';
export { executeImport } from './imports.run.js';
