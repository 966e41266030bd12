import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { assertCan, type Ctx, type Deps, jobCtx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import type { ContactRow } from '../contacts/contacts.repo.js';
import { buildWhere, parseSort, presentContact } from '../contacts/contacts.service.js';
import { listFields } from '../fields/fields.repo.js';
import { tagMap } from '../tags/tags.repo.js';
import { type ContactsCsvParams, STANDARD_COLUMNS, writeContactsCsv } from './exports.csv.js';
import { runExportJob } from './exports.jobs.js';
import { writeOrganizationZip } from './exports.zip.js';

export const EXPORT_TTL_HOURS = 24;

export function exportPath(dataDir: string, orgId: string, id: string, ext: string) {
  return path.join(dataDir, 'exports', orgId, `${id}.${ext}`);
}

interface ExportRow {
  id: string;
  kind: 'contacts_csv' | 'organization_zip';
  status: string;
  rows: number;
  file_size: number | null;
  error: string | null;
  params: Record<string, unknown>;
  created_at: Date | string;
  finished_at: Date | string | null;
  expires_at: Date | string | null;
  org_id: string;
  created_by: string | null;
}

function present(e: ExportRow) {
  const expired = e.expires_at ? new Date(e.expires_at).getTime() < Date.now() : false;
  const status = expired && e.status === 'done' ? 'expired' : e.status;
  return {
    id: e.id,
    kind: e.kind,
    status: status as 'queued' | 'running' | 'done' | 'failed' | 'expired',
    rows: e.rows,
    fileSize: e.file_size === null ? null : Number(e.file_size),
    error: e.error,
    createdAt: new Date(e.created_at).toISOString(),
    finishedAt: e.finished_at ? new Date(e.finished_at).toISOString() : null,
    expiresAt: e.expires_at ? new Date(e.expires_at).toISOString() : null,
    downloadUrl: status === 'done' ? `/api/v1/exports/${e.id}/download` : null,
  };
}

export async function createExport(
  ctx: Ctx,
  input: { kind: 'contacts_csv'; params: ContactsCsvParams } | { kind: 'organization_zip' },
) {
  if (input.kind === 'organization_zip') assertCan(ctx, 'org:export');
  else {
    assertCan(ctx, 'contacts:read');
    const defs = await listFields(ctx.deps.database.db, ctx.orgId, 'contact');
    for (const col of input.params.columns) {
      if (
        !Object.hasOwn(STANDARD_COLUMNS, col) &&
        !(col.startsWith('custom.') && defs.some((d) => d.key === col.slice(7)))
      ) {
        throw new AppError('VALIDATION_FAILED', `columns: unknown column ${col}`, {
          issues: [{ path: ['columns'], message: `unknown column ${col}` }],
        });
      }
    }
    parseSort(input.params.sort, defs); // validates the sort, filter and segment now, not in the job
    await buildWhere(ctx, input.params);
  }
  const params = input.kind === 'contacts_csv' ? input.params : {};
  // The export row and its job are created together: never "queued" without a job.
  const row = await ctx.deps.database.db.transaction(async (tx) => {
    const [created] = await rows<ExportRow>(
      tx,
      sql`insert into exports (org_id, created_by, kind, params) values (${ctx.orgId}, ${userIdOf(ctx)}, ${input.kind}, ${JSON.stringify(params)}::jsonb) returning *`,
    );
    await ctx.deps.jobs.send(runExportJob, { exportId: created!.id }, { tx });
    return created!;
  });
  return present(row);
}

async function load(db: Db, orgId: string, id: string) {
  const [row] = await rows<ExportRow>(db, sql`select * from exports where org_id = ${orgId} and id = ${id}`);
  if (!row) throw notFound('Export');
  return row;
}

export async function getExport(ctx: Ctx, id: string) {
  const row = await load(ctx.deps.database.db, ctx.orgId, id);
  assertCan(ctx, row.kind === 'organization_zip' ? 'org:export' : 'contacts:read');
  return present(row);
}

export async function listExports(ctx: Ctx) {
  assertCan(ctx, 'contacts:read');
  const list = await rows<ExportRow>(
    ctx.deps.database.db,
    sql`select * from exports where org_id = ${ctx.orgId} order by created_at desc limit 50`,
  );
  return list.filter((e) => e.kind === 'contacts_csv' || ctx.role === 'owner').map(present);
}

/** The file to stream for a download, if the export is done, unexpired and the caller may read it. */
export async function downloadInfo(ctx: Ctx, id: string) {
  const row = await load(ctx.deps.database.db, ctx.orgId, id);
  assertCan(ctx, row.kind === 'organization_zip' ? 'org:export' : 'contacts:read');
  const p = present(row);
  if (p.status === 'expired') throw new AppError('GONE', 'This download link has expired: export again');
  if (p.status !== 'done') throw new AppError('CONFLICT', `The export is ${p.status}`);
  const ext = row.kind === 'organization_zip' ? 'zip' : 'csv';
  const file = exportPath(ctx.deps.config.dataDir, ctx.orgId, id, ext);
  if (!fs.existsSync(file))
    throw new AppError('GONE', 'The export file is no longer available: export again');
  const stamp = new Date(row.created_at).toISOString().slice(0, 10);
  return {
    file,
    contentType: ext === 'zip' ? 'application/zip' : 'text/csv; charset=utf-8',
    fileName: ext === 'zip' ? `moxora-organization-${stamp}.zip` : `contacts-${stamp}.csv`,
  };
}

/** The job body: reloads the export, re-checks the creator, writes the file, sets the expiry. */
export async function executeExport(deps: Deps, exportId: string) {
  const db = deps.database.db;
  const [exp] = await rows<ExportRow>(
    db,
    sql`update exports set status = 'running' where id = ${exportId} and status in ('queued','running') returning *`,
  );
  if (!exp) return;
  const fail = (message: string) =>
    db.execute(
      sql`update exports set status = 'failed', error = ${message}, finished_at = now() where id = ${exportId}`,
    );
  const ctx = await jobCtx(deps, exp.org_id, exp.created_by);
  try {
    const ext = exp.kind === 'organization_zip' ? 'zip' : 'csv';
    const file = exportPath(deps.config.dataDir, ctx.orgId, exportId, ext);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    let count: number;
    if (exp.kind === 'organization_zip') {
      assertCan(ctx, 'org:export');
      count = await writeOrganizationZip(ctx, file);
    } else {
      assertCan(ctx, 'contacts:read');
      count = await writeContactsCsv(ctx, exp.params as unknown as ContactsCsvParams, file);
    }
    const size = (await fs.promises.stat(file)).size;
    await db.execute(sql`update exports set status = 'done', rows = ${count}, file_size = ${size}, finished_at = now(),
      expires_at = now() + make_interval(hours => ${EXPORT_TTL_HOURS}) where id = ${exportId}`);
  } catch (err) {
    await fail(err instanceof AppError ? err.message : 'The export failed unexpectedly');
    if (!(err instanceof AppError)) throw err;
  }
}

/** A data subject's access request: everything held about one contact, as one JSON document. */
export async function exportContact(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:read');
  const db = ctx.deps.database.db;
  const [row] = await rows<ContactRow>(
    db,
    sql`select c.*, u.name as owner_name from contacts c left join users u on u.id = c.owner_id where c.org_id = ${ctx.orgId} and c.id = ${id}`,
  );
  if (!row) throw notFound('Contact');
  const contact = presentContact(row, await tagMap(db, ctx.orgId));
  const [company] = row.company_id
    ? await rows(
        db,
        sql`select id, name, domain, industry, size, website, address, custom as "customFields" from companies where org_id = ${ctx.orgId} and id = ${row.company_id}`,
      )
    : [];
  const notes = await rows(
    db,
    sql`select id, body, created_at as "createdAt", updated_at as "updatedAt" from notes where org_id = ${ctx.orgId} and contact_id = ${id} order by created_at`,
  );
  const timeline = await rows(
    db,
    sql`select id, type, data, created_at as "createdAt" from contact_events where org_id = ${ctx.orgId} and contact_id = ${id} order by created_at`,
  );
  const fields = await listFields(db, ctx.orgId, 'contact');
  return {
    exportedAt: new Date().toISOString(),
    organization: ctx.orgId,
    contact,
    customFieldLabels: Object.fromEntries(fields.map((f) => [f.key, f.label])),
    company: company ?? null,
    notes,
    timeline,
  };
}

export {
  type ContactsCsvParams,
  contactPages,
  DEFAULT_COLUMNS,
  STANDARD_COLUMNS,
  writeContactsCsv,
} from './exports.csv.js';
export { writeOrganizationZip } from './exports.zip.js';
