import { sql } from 'drizzle-orm';
import type { FilterNode } from '../../../common/filters.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';
import { buildWhere, countContacts } from '../contacts/contacts.service.js';

interface SegmentRow {
  id: string;
  name: string;
  filter: FilterNode;
  created_at: Date | string;
  updated_at: Date | string;
}
const present = (s: SegmentRow) => ({
  id: s.id,
  name: s.name,
  filter: s.filter,
  createdAt: new Date(s.created_at).toISOString(),
  updatedAt: new Date(s.updated_at).toISOString(),
});

const conflict = (name: string) =>
  new AppError('CONFLICT', `A segment named "${name}" already exists`, {
    issues: [{ path: ['name'], message: 'Name taken' }],
  });

export async function listSegments(ctx: Ctx) {
  assertCan(ctx, 'contacts:read');
  const list = await rows<SegmentRow>(
    ctx.deps.database.db,
    sql`select id, name, filter, created_at, updated_at from segments where org_id = ${ctx.orgId} order by lower(name)`,
  );
  return list.map(present);
}

export async function getSegment(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:read');
  const [s] = await rows<SegmentRow>(
    ctx.deps.database.db,
    sql`select id, name, filter, created_at, updated_at from segments where org_id = ${ctx.orgId} and id = ${id}`,
  );
  if (!s) throw notFound('Segment');
  return present(s);
}

export async function createSegment(ctx: Ctx, input: { name: string; filter: FilterNode }) {
  assertCan(ctx, 'contacts:write');
  await buildWhere(ctx, { filter: input.filter }); // validates the expression (400 naming the condition)
  try {
    const [s] = await rows<SegmentRow>(
      ctx.deps.database.db,
      sql`insert into segments (org_id, name, filter, created_by) values (${ctx.orgId}, ${input.name}, ${JSON.stringify(input.filter)}::jsonb, ${ctx.userId})
        returning id, name, filter, created_at, updated_at`,
    );
    return present(s!);
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict(input.name);
    throw err;
  }
}

export async function updateSegment(ctx: Ctx, id: string, input: { name?: string; filter?: FilterNode }) {
  assertCan(ctx, 'contacts:write');
  if (input.filter) await buildWhere(ctx, { filter: input.filter });
  try {
    const list = await rows(
      ctx.deps.database.db,
      sql`update segments set name = coalesce(${input.name ?? null}, name),
          filter = coalesce(${input.filter ? JSON.stringify(input.filter) : null}::jsonb, filter), updated_at = now()
        where org_id = ${ctx.orgId} and id = ${id} returning id`,
    );
    if (list.length === 0) throw notFound('Segment');
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict(input.name ?? '');
    throw err;
  }
  return getSegment(ctx, id);
}

export async function deleteSegment(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  const list = await rows(
    ctx.deps.database.db,
    sql`delete from segments where org_id = ${ctx.orgId} and id = ${id} returning id`,
  );
  if (list.length === 0) throw notFound('Segment');
}

export async function segmentCount(ctx: Ctx, id: string) {
  return countContacts(ctx, { segmentId: id });
}
