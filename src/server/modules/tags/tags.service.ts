import { sql } from 'drizzle-orm';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';
import { writeTx } from '../contacts/write/events.js';
import { removeTagEverywhere, replaceTagEverywhere } from '../contacts/write/sets.js';

interface TagOut {
  id: string;
  name: string;
  color: string;
  contactCount: number;
}

export async function listTags(ctx: Ctx): Promise<TagOut[]> {
  assertCan(ctx, 'contacts:read');
  const list = await rows<{ id: string; name: string; color: string; n: number }>(
    ctx.deps.database.db,
    sql`select t.id, t.name, t.color,
        (select count(*)::int from contacts c where c.org_id = t.org_id and c.tag_ids @> array[t.id]) as n
      from tags t where t.org_id = ${ctx.orgId} order by lower(t.name)`,
  );
  return list.map((t) => ({ id: t.id, name: t.name, color: t.color, contactCount: t.n }));
}

const conflict = (name: string) =>
  new AppError('CONFLICT', `A tag named "${name}" already exists`, {
    issues: [{ path: ['name'], message: 'Name taken' }],
  });

export async function createTag(ctx: Ctx, input: { name: string; color?: string }) {
  assertCan(ctx, 'contacts:write');
  try {
    const [t] = await rows<{ id: string; name: string; color: string }>(
      ctx.deps.database.db,
      sql`insert into tags (org_id, name, color) values (${ctx.orgId}, ${input.name}, ${input.color ?? '#6366f1'})
        returning id, name, color`,
    );
    return { ...t!, contactCount: 0 };
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict(input.name);
    throw err;
  }
}

export async function updateTag(ctx: Ctx, id: string, input: { name?: string; color?: string }) {
  assertCan(ctx, 'contacts:write');
  try {
    const [t] = await rows<{ id: string }>(
      ctx.deps.database.db,
      sql`update tags set name = coalesce(${input.name ?? null}, name), color = coalesce(${input.color ?? null}, color)
        where org_id = ${ctx.orgId} and id = ${id} returning id`,
    );
    if (!t) throw notFound('Tag');
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict(input.name ?? '');
    throw err;
  }
  return (await listTags(ctx)).find((t) => t.id === id)!;
}

export async function deleteTag(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  await writeTx(ctx, async (tx) => {
    const [t] = await rows<{ id: string; name: string }>(
      tx,
      sql`delete from tags where org_id = ${ctx.orgId} and id = ${id} returning id, name`,
    );
    if (!t) throw notFound('Tag');
    await removeTagEverywhere(tx, ctx, t);
  });
}

/** Merges tag `id` into `intoId`: its contacts get `intoId` (once), then `id` is deleted. */
export async function mergeTag(ctx: Ctx, id: string, intoId: string) {
  assertCan(ctx, 'contacts:write');
  if (id === intoId) throw new AppError('VALIDATION_FAILED', 'intoId: cannot merge a tag into itself');
  await writeTx(ctx, async (tx) => {
    const found = await rows<{ id: string; name: string }>(
      tx,
      sql`select id, name from tags where org_id = ${ctx.orgId} and id = any(array[${id}::uuid, ${intoId}::uuid]) for update`,
    );
    const from = found.find((t) => t.id === id);
    const into = found.find((t) => t.id === intoId);
    if (!from || !into) throw notFound('Tag');
    await replaceTagEverywhere(tx, ctx, from, into);
    await tx.execute(sql`delete from tags where org_id = ${ctx.orgId} and id = ${id}`);
  });
  return (await listTags(ctx)).find((t) => t.id === intoId)!;
}
