import { type SQL, sql } from 'drizzle-orm';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError, notFound } from '../../lib/errors.js';
import { escapeLike, pgCode, pgConstraint, rows } from '../../lib/sql.js';
import { decodeCursor, encodeCursor } from '../contacts/contacts.query.js';
import { writeTx } from '../contacts/write/events.js';
import { renameCompanyEverywhere, unlinkCompanyEverywhere } from '../contacts/write/sets.js';
import { applyCustomFields, FieldValueError } from '../fields/field-values.js';
import { listFields } from '../fields/fields.repo.js';

export interface CompanyInput {
  name?: string;
  domain?: string | null;
  industry?: string | null;
  size?: string | null;
  website?: string | null;
  address?: Record<string, string> | null;
  customFields?: Record<string, unknown>;
}

interface CompanyRow {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  size: string | null;
  website: string | null;
  address: Record<string, string> | null;
  custom: Record<string, unknown>;
  contact_count: number;
  created_at: Date | string;
  updated_at: Date | string;
  _sort?: string;
}

const present = (r: CompanyRow) => ({
  id: r.id,
  name: r.name,
  domain: r.domain,
  industry: r.industry,
  size: r.size,
  website: r.website,
  address: r.address,
  customFields: r.custom ?? {},
  contactCount: Number(r.contact_count ?? 0),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const SORTS: Record<string, { expr: SQL; cast: string }> = {
  name: { expr: sql`lower(co.name)`, cast: 'text' },
  createdAt: { expr: sql`co.created_at`, cast: 'timestamptz' },
  updatedAt: { expr: sql`co.updated_at`, cast: 'timestamptz' },
};

const COLUMNS = sql`co.id, co.name, co.domain, co.industry, co.size, co.website, co.address, co.custom, co.created_at, co.updated_at,
  (select count(*)::int from contacts c where c.org_id = co.org_id and c.company_id = co.id) as contact_count`;

export async function listCompanies(
  ctx: Ctx,
  q: { search?: string; sort?: string; limit?: number; cursor?: string },
) {
  assertCan(ctx, 'contacts:read');
  const raw = q.sort?.trim() || 'name';
  const desc = raw.startsWith('-');
  const spec = SORTS[desc ? raw.slice(1) : raw];
  if (!spec)
    throw new AppError('VALIDATION_FAILED', 'sort: use name, createdAt or updatedAt (with - for descending)');
  const where: SQL[] = [sql`co.org_id = ${ctx.orgId}`];
  const search = q.search?.trim().toLowerCase();
  if (search) {
    const like = `%${escapeLike(search)}%`;
    where.push(sql`(lower(co.name) like ${like} or lower(coalesce(co.domain, '')) like ${like})`);
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor, raw);
    where.push(
      sql`(${spec.expr}, co.id) ${sql.raw(desc ? '<' : '>')} (${c.value}::${sql.raw(spec.cast)}, ${c.id}::uuid)`,
    );
  }
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const dir = sql.raw(desc ? 'desc' : 'asc');
  const list = await rows<CompanyRow>(
    ctx.deps.database.db,
    sql`select ${COLUMNS}, (${spec.expr})::text as _sort from companies co where ${sql.join(where, sql` and `)}
      order by ${spec.expr} ${dir}, co.id ${dir} limit ${limit + 1}`,
  );
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(present),
    nextCursor: list.length > limit && last ? encodeCursor(raw, last._sort ?? '', last.id) : null,
  };
}

export async function getCompany(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:read');
  const [row] = await rows<CompanyRow>(
    ctx.deps.database.db,
    sql`select ${COLUMNS} from companies co where co.org_id = ${ctx.orgId} and co.id = ${id}`,
  );
  if (!row) throw notFound('Company');
  return present(row);
}

function mapError(err: unknown, domain?: string | null): never {
  if (err instanceof FieldValueError) {
    throw new AppError('VALIDATION_FAILED', err.message, {
      issues: [{ path: err.path, message: err.message }],
    });
  }
  if (pgCode(err) === '23505' && pgConstraint(err)?.includes('domain')) {
    throw new AppError('CONFLICT', `A company with the domain ${domain} already exists`, {
      issues: [{ path: ['domain'], message: 'Domain taken' }],
    });
  }
  throw err;
}

const normDomain = (d: string | null | undefined) =>
  d === undefined
    ? undefined
    : d
      ? d
          .trim()
          .toLowerCase()
          .replace(/^https?:\/\//, '')
          .replace(/\/.*$/, '') || null
      : null;

export async function createCompany(ctx: Ctx, input: CompanyInput) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const domain = normDomain(input.domain) ?? null;
  try {
    const custom = applyCustomFields(await listFields(db, ctx.orgId, 'company'), {}, input.customFields, {
      creating: true,
    });
    const [row] = await rows<{ id: string }>(
      db,
      sql`insert into companies (org_id, name, domain, industry, size, website, address, custom)
        values (${ctx.orgId}, ${input.name ?? ''}, ${domain}, ${input.industry ?? null}, ${input.size ?? null},
          ${input.website ?? null}, ${input.address ? JSON.stringify(input.address) : null}::jsonb, ${JSON.stringify(custom)}::jsonb)
        returning id`,
    );
    return getCompany(ctx, row!.id);
  } catch (err) {
    mapError(err, domain);
  }
}

export async function updateCompany(ctx: Ctx, id: string, input: CompanyInput) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const domain = normDomain(input.domain);
  try {
    await writeTx(ctx, async (tx) => {
      const [cur] = await rows<{ name: string; custom: Record<string, unknown> }>(
        tx,
        sql`select name, custom from companies where org_id = ${ctx.orgId} and id = ${id} for update`,
      );
      if (!cur) throw notFound('Company');
      const custom = input.customFields
        ? applyCustomFields(await listFields(tx, ctx.orgId, 'company'), cur.custom, input.customFields, {
            creating: false,
          })
        : cur.custom;
      const sets: SQL[] = [sql`updated_at = now()`, sql`custom = ${JSON.stringify(custom)}::jsonb`];
      if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
      if (domain !== undefined) sets.push(sql`domain = ${domain}`);
      for (const [k, col] of [
        ['industry', 'industry'],
        ['size', 'size'],
        ['website', 'website'],
      ] as const) {
        if (input[k] !== undefined) sets.push(sql`${sql.raw(col)} = ${input[k]}`);
      }
      if (input.address !== undefined)
        sets.push(sql`address = ${input.address ? JSON.stringify(input.address) : null}::jsonb`);
      await tx.execute(
        sql`update companies set ${sql.join(sets, sql`, `)} where org_id = ${ctx.orgId} and id = ${id}`,
      );
      if (input.name !== undefined && input.name !== cur.name) {
        // Keep the denormalised name (search, sort) in step, on each contact's timeline too.
        await renameCompanyEverywhere(tx, ctx, { id, before: cur.name, after: input.name });
      }
    });
  } catch (err) {
    mapError(err, domain);
  }
  return getCompany(ctx, id);
}

export async function deleteCompany(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  await writeTx(ctx, async (tx) => {
    const [co] = await rows<{ id: string; name: string }>(
      tx,
      sql`select id, name from companies where org_id = ${ctx.orgId} and id = ${id} for update`,
    );
    if (!co) throw notFound('Company');
    await unlinkCompanyEverywhere(tx, ctx, co);
    await tx.execute(sql`delete from companies where org_id = ${ctx.orgId} and id = ${id}`);
  });
}
