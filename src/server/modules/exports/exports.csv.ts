import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { DEFAULT_EXPORT_COLUMNS } from '../../../common/exports.js';
import type { FilterNode } from '../../../common/filters.js';
import type { Ctx } from '../../lib/context.js';
import { pgArray, rows } from '../../lib/sql.js';
import { listPage } from '../contacts/contacts.repo.js';
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

/** Contacts exports: the columns, the keyset pages and the CSV writer. */

/** Rows per keyset page (exports and the organisation zip). */
export const PAGE = 5_000;
/** Rows per page of a CSV export (cells only, as text: larger pages, fewer index descents). */
const CSV_PAGE = 10_000;

/**
 * The standard columns of a contacts export, one entry each: the header label, the cell as SQL
 * text (a page then arrives as plain strings, with no array or date parsing and no contact
 * objects per row: a 1M-row export spent most of its time there), and what the contact API shows
 * for it (`value`), which the cell must print (exports.test.ts holds them equal).
 */
export const STANDARD_COLUMNS: Record<
  string,
  { label: string; sql: string; value: (c: ContactDto) => unknown }
> = {
  id: {
    label: 'ID',
    sql: 'c.id::text',
    value: (c) => c.id,
  },
  firstName: {
    label: 'First name',
    sql: 'c.first_name',
    value: (c) => c.firstName,
  },
  lastName: {
    label: 'Last name',
    sql: 'c.last_name',
    value: (c) => c.lastName,
  },
  email: {
    label: 'Email',
    sql: "coalesce(c.email, '')",
    value: (c) => c.email,
  },
  emails: {
    label: 'Other emails',
    sql: "array_to_string(c.emails, '; ')",
    value: (c) => c.emails,
  },
  phones: {
    label: 'Phones',
    sql: "array_to_string(c.phones, '; ')",
    value: (c) => c.phones,
  },
  jobTitle: {
    label: 'Job title',
    sql: 'c.job_title',
    value: (c) => c.jobTitle,
  },
  company: {
    label: 'Company',
    sql: "case when c.company_id is not null then c.company_name else '' end",
    value: (c) => c.company?.name ?? '',
  },
  owner: {
    label: 'Owner',
    sql: "coalesce((select u.name from users u where u.id = c.owner_id), '')",
    value: (c) => c.owner?.name ?? '',
  },
  source: {
    label: 'Source',
    sql: 'c.source',
    value: (c) => c.source,
  },
  subscriptionStatus: {
    label: 'Subscription status',
    sql: 'c.subscription_status',
    value: (c) => c.subscriptionStatus,
  },
  restricted: {
    label: 'Processing restricted',
    sql: "case when c.restricted then 'yes' else 'no' end",
    value: (c) => (c.restricted ? 'yes' : 'no'),
  },
  tags: {
    label: 'Tags',
    sql: "array_to_string(c.tag_ids, ',')",
    value: (c) => c.tags,
  },
  street: {
    label: 'Street',
    sql: "coalesce(c.address ->> 'street', '')",
    value: (c) => c.address?.street ?? '',
  },
  city: {
    label: 'City',
    sql: "coalesce(c.address ->> 'city', '')",
    value: (c) => c.address?.city ?? '',
  },
  region: {
    label: 'Region',
    sql: "coalesce(c.address ->> 'region', '')",
    value: (c) => c.address?.region ?? '',
  },
  postalCode: {
    label: 'Postal code',
    sql: "coalesce(c.address ->> 'postalCode', '')",
    value: (c) => c.address?.postalCode ?? '',
  },
  country: {
    label: 'Country',
    sql: "coalesce(c.address ->> 'country', '')",
    value: (c) => c.address?.country ?? '',
  },
  createdAt: {
    label: 'Created',
    sql: `to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    value: (c) => c.createdAt,
  },
  updatedAt: {
    label: 'Updated',
    sql: `to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    value: (c) => c.updatedAt,
  },
};

export const DEFAULT_COLUMNS = DEFAULT_EXPORT_COLUMNS;

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

function columnSql(col: string): SQL {
  if (!col.startsWith('custom.')) return sql.raw(STANDARD_COLUMNS[col]!.sql);
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
  const fetchPage = (cursor: { value: string; id: string } | undefined) => {
    const conds = cursor ? [...where, afterCursor(s, cursor)] : where;
    return rows<Record<string, string>>(
      db,
      sql`select c.id::text as _id, (${s.expr})::text as _sort, ${cells} from contacts c
        where c.org_id = ${ctx.orgId}${conds.length ? sql` and ${sql.join(conds, sql` and `)}` : sql``}
        order by ${s.expr} ${dir}, c.id ${dir} limit ${CSV_PAGE}`,
    );
  };
  // The next page is read while the caller writes this one (the database and the CSV writer
  // work at the same time).
  let next = fetchPage(undefined);
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    const last = page[page.length - 1]!;
    next =
      page.length < CSV_PAGE ? Promise.resolve([]) : fetchPage({ value: last._sort ?? '', id: last._id! });
    next.catch(() => {}); // awaited on the next turn; no unhandled rejection if the caller stops first
    yield page.map((r) => columns.map((_, i) => r[`c${i}`]));
  }
}

export async function write(stream: fs.WriteStream, chunk: string) {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export async function closeStream(stream: fs.WriteStream) {
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
