import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import yazl from 'yazl';
import type { FilterNode } from '../../../common/filters.js';
import { assertCan, type Ctx, type Deps, jobCtx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgArray, rows } from '../../lib/sql.js';
import { type ContactRow, listPage } from '../contacts/contacts.repo.js';
import {
  afterCursor,
  buildWhere,
  type ContactDto,
  compareNames,
  parseSort,
  presentContact,
  type SortSpec,
} from '../contacts/contacts.service.js';
import { listFields } from '../fields/fields.repo.js';
import { tagMap } from '../tags/tags.repo.js';
import { csvCell } from './csv-safe.js';
import { runExportJob } from './exports.jobs.js';

export const EXPORT_TTL_HOURS = 24;
const PAGE = 5_000;

export const STANDARD_COLUMNS: Record<string, { label: string; value: (c: ContactDto) => unknown }> = {
  id: { label: 'ID', value: (c) => c.id },
  firstName: { label: 'First name', value: (c) => c.firstName },
  lastName: { label: 'Last name', value: (c) => c.lastName },
  email: { label: 'Email', value: (c) => c.email },
  emails: { label: 'Other emails', value: (c) => c.emails },
  phones: { label: 'Phones', value: (c) => c.phones },
  jobTitle: { label: 'Job title', value: (c) => c.jobTitle },
  company: { label: 'Company', value: (c) => c.company?.name ?? '' },
  owner: { label: 'Owner', value: (c) => c.owner?.name ?? '' },
  source: { label: 'Source', value: (c) => c.source },
  subscriptionStatus: { label: 'Subscription status', value: (c) => c.subscriptionStatus },
  restricted: { label: 'Processing restricted', value: (c) => (c.restricted ? 'yes' : 'no') },
  tags: { label: 'Tags', value: (c) => c.tags },
  street: { label: 'Street', value: (c) => c.address?.street ?? '' },
  city: { label: 'City', value: (c) => c.address?.city ?? '' },
  region: { label: 'Region', value: (c) => c.address?.region ?? '' },
  postalCode: { label: 'Postal code', value: (c) => c.address?.postalCode ?? '' },
  country: { label: 'Country', value: (c) => c.address?.country ?? '' },
  createdAt: { label: 'Created', value: (c) => c.createdAt },
  updatedAt: { label: 'Updated', value: (c) => c.updatedAt },
};
export const DEFAULT_COLUMNS = [
  'firstName',
  'lastName',
  'email',
  'phones',
  'company',
  'jobTitle',
  'tags',
  'createdAt',
];

export function exportPath(dataDir: string, orgId: string, id: string, ext: string) {
  return path.join(dataDir, 'exports', orgId, `${id}.${ext}`);
}

export interface ContactsCsvParams {
  filter?: FilterNode;
  search?: string;
  segmentId?: string;
  ids?: string[];
  /** The contacts list's sort (`lastName`, `-createdAt`, `custom.score`…); newest first when absent. */
  sort?: string;
  columns: string[];
  bom: boolean;
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

/**
 * Streams whole contacts matching `where`, newest first, a page at a time with the contacts
 * list's keyset cursor (an ordered index scan per page, constant memory); for the organisation
 * export. CSV exports use `csvPages`.
 */
export async function* contactPages(ctx: Ctx, where: SQL[]): AsyncGenerator<ContactDto[]> {
  const db = ctx.deps.database.db;
  const tags = await tagMap(db, ctx.orgId);
  const s = parseSort(undefined, []);
  let cursor: { value: string; id: string } | undefined;
  for (;;) {
    const page = await listPage(db, ctx.orgId, {
      where: cursor ? [...where, afterCursor(s, cursor)] : where,
      sortExpr: s.expr,
      desc: s.desc,
      limit: PAGE,
    });
    if (page.length === 0) return;
    const last = page[page.length - 1]!;
    cursor = { value: last._sort ?? '', id: last.id };
    yield page.map((r) => presentContact(r, tags));
  }
}

/**
 * The cells of a contacts CSV as SQL text expressions, so a page arrives as plain strings: no
 * array or date parsing and no full contact objects per row (a 1M-row export spent most of its
 * time there). Each must print what `STANDARD_COLUMNS[col].value` shows for the same contact.
 */
const COLUMN_SQL: Record<string, string> = {
  id: 'c.id::text',
  firstName: 'c.first_name',
  lastName: 'c.last_name',
  email: "coalesce(c.email, '')",
  emails: "array_to_string(c.emails, '; ')",
  phones: "array_to_string(c.phones, '; ')",
  jobTitle: 'c.job_title',
  company: "case when c.company_id is not null then c.company_name else '' end",
  owner: "coalesce((select u.name from users u where u.id = c.owner_id), '')",
  source: 'c.source',
  subscriptionStatus: 'c.subscription_status',
  restricted: "case when c.restricted then 'yes' else 'no' end",
  tags: "array_to_string(c.tag_ids, ',')", // ids; names and their order come from the tag map
  street: "coalesce(c.address ->> 'street', '')",
  city: "coalesce(c.address ->> 'city', '')",
  region: "coalesce(c.address ->> 'region', '')",
  postalCode: "coalesce(c.address ->> 'postalCode', '')",
  country: "coalesce(c.address ->> 'country', '')",
  createdAt: `to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  updatedAt: `to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

function columnSql(col: string): SQL {
  if (!col.startsWith('custom.')) return sql.raw(COLUMN_SQL[col]!);
  const v = sql`c.custom -> ${col.slice(7)}::text`;
  // Multi-select values are arrays: joined like every other list in the file.
  return sql`case jsonb_typeof(${v}) when 'array' then (select string_agg(x, '; ') from jsonb_array_elements_text(${v}) x)
    else coalesce(c.custom ->> ${col.slice(7)}::text, '') end`;
}

function tagNames(ids: string, tags: Map<string, { name: string }>): string[] {
  if (!ids) return [];
  const names: string[] = [];
  for (const id of ids.split(',')) {
    const t = tags.get(id);
    if (t) names.push(t.name);
  }
  return names.sort(compareNames);
}

/** Pages of CSV cells (text) in the list's sort, with the same keyset cursor as `contactPages`. */
async function* csvPages(
  ctx: Ctx,
  where: SQL[],
  s: SortSpec,
  columns: string[],
): AsyncGenerator<unknown[][]> {
  const db = ctx.deps.database.db;
  const dir = sql.raw(s.desc ? 'desc' : 'asc');
  const cells = sql.join(
    columns.map((col, i) => sql`${columnSql(col)} as ${sql.raw(`c${i}`)}`),
    sql`, `,
  );
  let cursor: { value: string; id: string } | undefined;
  for (;;) {
    const conds = cursor ? [...where, afterCursor(s, cursor)] : where;
    const page = await rows<Record<string, string>>(
      db,
      sql`select c.id::text as _id, (${s.expr})::text as _sort, ${cells} from contacts c
        where c.org_id = ${ctx.orgId}${conds.length ? sql` and ${sql.join(conds, sql` and `)}` : sql``}
        order by ${s.expr} ${dir}, c.id ${dir} limit ${PAGE}`,
    );
    if (page.length === 0) return;
    const last = page[page.length - 1]!;
    cursor = { value: last._sort ?? '', id: last._id! };
    yield page.map((r) => columns.map((_, i) => r[`c${i}`]));
  }
}

async function write(stream: fs.WriteStream, chunk: string) {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function closeStream(stream: fs.WriteStream) {
  stream.end();
  await once(stream, 'finish');
}

/** Writes the CSV of a contacts export to `file`; returns the number of rows. */
export async function writeContactsCsv(ctx: Ctx, params: ContactsCsvParams, file: string) {
  const defs = await listFields(ctx.deps.database.db, ctx.orgId, 'contact');
  const where = params.ids?.length
    ? [sql`c.id = any(${pgArray(params.ids)}::uuid[])`]
    : await buildWhere(ctx, params, defs);
  const columns = params.columns.length ? params.columns : DEFAULT_COLUMNS;
  const header = columns.map((c) =>
    c.startsWith('custom.')
      ? (defs.find((d) => d.key === c.slice(7))?.label ?? c)
      : STANDARD_COLUMNS[c]!.label,
  );
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file, { mode: 0o600 });
  let count = 0;
  try {
    await write(out, `${params.bom ? '\uFEFF' : ''}${header.map(csvCell).join(',')}\r\n`);
    const tagColumn = columns.indexOf('tags');
    const tags = tagColumn >= 0 ? await tagMap(ctx.deps.database.db, ctx.orgId) : new Map();
    for await (const page of csvPages(ctx, where, parseSort(params.sort, defs), columns)) {
      let chunk = '';
      for (const cells of page) {
        if (tagColumn >= 0) cells[tagColumn] = tagNames(cells[tagColumn] as string, tags);
        chunk += `${cells.map(csvCell).join(',')}\r\n`;
      }
      await write(out, chunk);
      count += page.length;
    }
  } finally {
    await closeStream(out);
  }
  return count;
}

const PORTABILITY_README = `# Moxora organisation export

Every file is UTF-8. JSON Lines files (.jsonl) hold one JSON object per line.

| file | one line per | fields |
|---|---|---|
| organization.json | the organisation | id, name, createdAt, exportedAt |
| members.jsonl | member | userId, name, email, role, joinedAt |
| contacts.jsonl | contact | id, firstName, lastName, email, emails, phones, jobTitle, company {id, name}, address, owner {id, name}, source, subscriptionStatus, consent {source, at}, restricted, tags (names), customFields {key: value}, createdAt, updatedAt |
| contacts.csv | contact | the same as a spreadsheet (formula-looking cells are prefixed with ') |
| companies.jsonl | company | id, name, domain, industry, size, website, address, customFields, createdAt, updatedAt |
| custom_fields.jsonl | field definition | id, entity (contact or company), key, label, type, required, options |
| tags.jsonl | tag | id, name, color |
| notes.jsonl | note | id, contactId or companyId, body (markdown), authorId, createdAt, updatedAt |
| timeline_events.jsonl | timeline event | id, contactId, type, actorId, data, createdAt |
| segments.jsonl | saved segment | id, name, filter (filter expression JSON), createdAt |
| imports.jsonl | CSV import | id, fileName, status, totalRows, counts, createdAt, finishedAt |
`;

/** The whole organisation as a zip of JSON Lines and CSV files (data portability). */
export async function writeOrganizationZip(ctx: Ctx, file: string) {
  const db = ctx.deps.database.db;
  const dir = `${file}.parts`;
  await fs.promises.mkdir(dir, { recursive: true });
  let contactsCount = 0;
  try {
    const jsonl = async (name: string, pages: AsyncIterable<unknown[]>) => {
      const out = fs.createWriteStream(path.join(dir, name), { mode: 0o600 });
      try {
        for await (const page of pages) await write(out, page.map((x) => `${JSON.stringify(x)}\n`).join(''));
      } finally {
        await closeStream(out);
      }
    };
    const paged = (query: (after: string) => SQL, map: (r: Record<string, unknown>) => unknown = (r) => r) =>
      (async function* () {
        let after = '00000000-0000-0000-0000-000000000000';
        for (;;) {
          const page = await rows<Record<string, unknown>>(db, query(after));
          if (page.length === 0) return;
          after = String(page[page.length - 1]!.id);
          yield page.map(map);
        }
      })();
    const [org] = await rows(
      db,
      sql`select id, name, created_at as "createdAt" from organizations where id = ${ctx.orgId}`,
    );
    await fs.promises.writeFile(
      path.join(dir, 'organization.json'),
      JSON.stringify({ ...org, exportedAt: new Date().toISOString() }, null, 2),
    );
    await fs.promises.writeFile(path.join(dir, 'README.md'), PORTABILITY_README);
    const list = async function* (q: SQL) {
      yield await rows(db, q);
    };
    await jsonl(
      'members.jsonl',
      list(
        sql`select m.user_id as "userId", u.name, u.email, m.role, m.created_at as "joinedAt" from members m join users u on u.id = m.user_id where m.org_id = ${ctx.orgId} order by m.created_at`,
      ),
    );
    await jsonl(
      'contacts.jsonl',
      (async function* () {
        for await (const page of contactPages(ctx, [])) {
          contactsCount += page.length;
          yield page;
        }
      })(),
    );
    const allColumns = [
      ...Object.keys(STANDARD_COLUMNS),
      ...(await listFields(db, ctx.orgId, 'contact')).map((d) => `custom.${d.key}`),
    ];
    await writeContactsCsv(ctx, { columns: allColumns, bom: true }, path.join(dir, 'contacts.csv'));
    await jsonl(
      'companies.jsonl',
      paged(
        (
          a,
        ) => sql`select id, name, domain, industry, size, website, address, custom as "customFields", created_at as "createdAt", updated_at as "updatedAt"
        from companies where org_id = ${ctx.orgId} and id > ${a}::uuid order by id limit ${PAGE}`,
      ),
    );
    await jsonl(
      'custom_fields.jsonl',
      list(
        sql`select id, entity, key, label, type, required, options from field_definitions where org_id = ${ctx.orgId} order by entity, position`,
      ),
    );
    await jsonl(
      'tags.jsonl',
      list(sql`select id, name, color from tags where org_id = ${ctx.orgId} order by lower(name)`),
    );
    await jsonl(
      'notes.jsonl',
      paged(
        (
          a,
        ) => sql`select id, contact_id as "contactId", company_id as "companyId", body, author_id as "authorId", created_at as "createdAt", updated_at as "updatedAt"
        from notes where org_id = ${ctx.orgId} and id > ${a}::uuid order by id limit ${PAGE}`,
      ),
    );
    await jsonl(
      'timeline_events.jsonl',
      paged(
        (
          a,
        ) => sql`select id, contact_id as "contactId", type, actor_id as "actorId", data, created_at as "createdAt"
        from contact_events where org_id = ${ctx.orgId} and id > ${a}::uuid order by id limit ${PAGE}`,
      ),
    );
    await jsonl(
      'segments.jsonl',
      list(
        sql`select id, name, filter, created_at as "createdAt" from segments where org_id = ${ctx.orgId} order by created_at`,
      ),
    );
    await jsonl(
      'imports.jsonl',
      list(sql`select id, file_name as "fileName", status, total_rows as "totalRows",
        jsonb_build_object('created', created_count, 'updated', updated_count, 'skipped', skipped_count, 'failed', failed_count) as counts,
        created_at as "createdAt", finished_at as "finishedAt" from imports where org_id = ${ctx.orgId} order by created_at`),
    );
    const zip = new yazl.ZipFile();
    for (const name of (await fs.promises.readdir(dir)).sort()) zip.addFile(path.join(dir, name), name);
    zip.end();
    const out = fs.createWriteStream(file, { mode: 0o600 });
    zip.outputStream.pipe(out);
    await once(out, 'finish');
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return contactsCount;
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
