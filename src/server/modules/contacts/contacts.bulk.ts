import { type SQL, sql } from 'drizzle-orm';
import { assertCan, type Ctx, type Deps, memberCtx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgArray, rows } from '../../lib/sql.js';
import { FieldValueError, normaliseValue } from '../fields/field-values.js';
import { listFields } from '../fields/fields.repo.js';
import { ensureTags, findTagsByNames } from '../tags/tags.repo.js';
import { bulkJob } from './contacts.jobs.js';
import type { BulkActionT, SelectionT } from './contacts.schemas.js';
import { buildWhere } from './contacts.service.js';

/** Selections up to this size run inside the request; larger ones become a job with progress. */
export const INLINE_LIMIT = 2_000;
const BATCH = 5_000;

const SIMPLE_FIELDS: Record<string, { column: string; check: (v: unknown) => unknown }> = {
  jobTitle: { column: 'job_title', check: (v) => textValue(v, 200) },
  source: { column: 'source', check: (v) => textValue(v, 100) },
  subscriptionStatus: {
    column: 'subscription_status',
    check: (v) => {
      if (!['subscribed', 'unsubscribed', 'bounced', 'complained'].includes(v as string)) {
        throw new AppError(
          'VALIDATION_FAILED',
          'action.value: must be subscribed, unsubscribed, bounced or complained',
        );
      }
      return v;
    },
  },
  restricted: {
    column: 'restricted',
    check: (v) => {
      if (typeof v !== 'boolean')
        throw new AppError('VALIDATION_FAILED', 'action.value: must be true or false');
      return v;
    },
  },
};

function textValue(v: unknown, max: number) {
  if (v === null) return '';
  if (typeof v !== 'string' || v.length > max) {
    throw new AppError('VALIDATION_FAILED', `action.value: must be text of at most ${max} characters`);
  }
  return v.trim();
}

/** Checks the action once, up front, and resolves what it needs (tag ids, field definition). */
async function prepare(db: Db, ctx: Ctx, action: BulkActionT) {
  switch (action.type) {
    case 'add_tags':
      return {
        tagIds: (await ensureTags(db, ctx.orgId, action.tags)).map((t) => t.id),
        tagNames: action.tags,
      };
    case 'remove_tags': {
      const tags = await findTagsByNames(db, ctx.orgId, action.tags);
      return { tagIds: tags.map((t) => t.id), tagNames: tags.map((t) => t.name) };
    }
    case 'set_owner':
      if (action.ownerId) {
        const [m] = await rows(
          db,
          sql`select 1 from members where org_id = ${ctx.orgId} and user_id = ${action.ownerId}`,
        );
        if (!m)
          throw new AppError(
            'VALIDATION_FAILED',
            'action.ownerId: the owner must be a member of this organisation',
          );
      }
      return {};
    case 'set_field': {
      if (action.field.startsWith('custom.')) {
        const def = (await listFields(db, ctx.orgId, 'contact')).find((d) => d.key === action.field.slice(7));
        if (!def) throw new AppError('VALIDATION_FAILED', `action.field: unknown field ${action.field}`);
        try {
          const value = normaliseValue(def, action.value);
          if (value === null && def.required) throw new FieldValueError([], `${def.label} is required`);
          return { customKey: def.key, value };
        } catch (err) {
          if (err instanceof FieldValueError)
            throw new AppError('VALIDATION_FAILED', `action.value: ${err.message}`);
          throw err;
        }
      }
      const simple = SIMPLE_FIELDS[action.field];
      if (!simple) {
        throw new AppError(
          'VALIDATION_FAILED',
          `action.field: ${action.field} cannot be set in bulk; use ${Object.keys(SIMPLE_FIELDS).join(', ')} or custom.<key>`,
        );
      }
      return { column: simple.column, value: simple.check(action.value) };
    }
    case 'delete':
      return {};
  }
}
type Prepared = Awaited<ReturnType<typeof prepare>> & {
  tagIds?: string[];
  tagNames?: string[];
  customKey?: string;
  column?: string;
  value?: unknown;
};

/** Applies the action to the contacts matching `target` (set-based), writing timeline events. Returns rows changed. */
async function applyTo(tx: Db, ctx: Ctx, action: BulkActionT, p: Prepared, target: SQL): Promise<number> {
  const org = ctx.orgId;
  const actor = ctx.userId;
  const scope = sql`c.org_id = ${org} and ${target}`;
  let q: SQL;
  switch (action.type) {
    case 'add_tags': {
      const ids = sql`${pgArray(p.tagIds!)}::uuid[]`;
      q = sql`with u as (
          update contacts c set tag_ids = array(select distinct unnest(c.tag_ids || ${ids})), updated_at = now()
          where ${scope} and not (c.tag_ids @> ${ids}) returning c.id)
        insert into contact_events (org_id, contact_id, type, actor_id, data)
        select ${org}, u.id, 'tag_added', ${actor}, ${JSON.stringify({ tags: p.tagNames, bulk: true })}::jsonb from u`;
      break;
    }
    case 'remove_tags': {
      if (!p.tagIds?.length) return 0;
      const ids = sql`${pgArray(p.tagIds)}::uuid[]`;
      q = sql`with u as (
          update contacts c set tag_ids = array(select unnest(c.tag_ids) except select unnest(${ids})), updated_at = now()
          where ${scope} and c.tag_ids && ${ids} returning c.id)
        insert into contact_events (org_id, contact_id, type, actor_id, data)
        select ${org}, u.id, 'tag_removed', ${actor}, ${JSON.stringify({ tags: p.tagNames, bulk: true })}::jsonb from u`;
      break;
    }
    case 'set_owner':
      q = sql`with old as (select c.id, c.owner_id from contacts c where ${scope}
            and c.owner_id is distinct from ${action.ownerId}::uuid for update),
          u as (update contacts c set owner_id = ${action.ownerId}::uuid, updated_at = now() from old where c.id = old.id
            returning c.id, old.owner_id as before)
        insert into contact_events (org_id, contact_id, type, actor_id, data)
        select ${org}, u.id, 'updated', ${actor}, jsonb_build_object('bulk', true, 'changes',
          jsonb_build_array(jsonb_build_object('field', 'ownerId', 'before', u.before, 'after', ${action.ownerId}::text))) from u`;
      break;
    case 'set_field': {
      if (p.customKey) {
        const key = p.customKey;
        const newVal = p.value === null ? null : JSON.stringify(p.value);
        q = sql`with old as (select c.id, c.custom -> ${key}::text as before from contacts c where ${scope}
              and (c.custom -> ${key}::text) is distinct from ${newVal}::jsonb for update),
            u as (update contacts c set custom = ${
              newVal === null
                ? sql`c.custom - ${key}::text`
                : sql`jsonb_set(c.custom, array[${key}::text], ${newVal}::jsonb)`
            }, updated_at = now() from old where c.id = old.id returning c.id, old.before)
          insert into contact_events (org_id, contact_id, type, actor_id, data)
          select ${org}, u.id, 'updated', ${actor}, jsonb_build_object('bulk', true, 'changes',
            jsonb_build_array(jsonb_build_object('field', ${`custom.${key}`}::text, 'before', u.before, 'after', ${newVal}::jsonb))) from u`;
      } else {
        const col = sql.raw(p.column!);
        q = sql`with old as (select c.id, to_jsonb(c.${col}) as before from contacts c where ${scope}
              and c.${col} is distinct from ${p.value} for update),
            u as (update contacts c set ${col} = ${p.value}, updated_at = now() from old where c.id = old.id
              returning c.id, old.before)
          insert into contact_events (org_id, contact_id, type, actor_id, data)
          select ${org}, u.id, 'updated', ${actor}, jsonb_build_object('bulk', true, 'changes',
            jsonb_build_array(jsonb_build_object('field', ${action.field}::text, 'before', u.before, 'after', to_jsonb(${p.value})))) from u`;
      }
      break;
    }
    case 'delete':
      q = sql`with d as (delete from contacts c where ${scope} returning c.id)
        insert into contact_events (org_id, contact_id, type, actor_id, data)
        select ${org}, d.id, 'deleted', ${actor}, '{"bulk":true}'::jsonb from d`;
      break;
  }
  const result = (await tx.execute(q)) as unknown as { rowCount?: number; affectedRows?: number };
  return Number(result.rowCount ?? result.affectedRows ?? 0);
}

export async function runBulk(ctx: Ctx, input: { selection: SelectionT; action: BulkActionT }) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const p = (await prepare(db, ctx, input.action)) as Prepared;
  if ('ids' in input.selection) {
    const ids = [...new Set(input.selection.ids)];
    // The allowed subset, computed once: ids of other organisations are simply not found.
    const found = await rows<{ id: string }>(
      db,
      sql`select id from contacts where org_id = ${ctx.orgId} and id = any(${pgArray(ids)}::uuid[])`,
    );
    const foundSet = new Set(found.map((r) => r.id));
    const affected = await db.transaction((tx) =>
      applyTo(tx, ctx, input.action, p, sql`c.id = any(${pgArray([...foundSet])}::uuid[])`),
    );
    return {
      operationId: null,
      affected,
      results: ids.map((id) => ({ id, status: foundSet.has(id) ? ('ok' as const) : ('not_found' as const) })),
    };
  }
  const where = await buildWhere(ctx, input.selection);
  const matchSql = where.length ? sql.join(where, sql` and `) : sql`true`;
  const [{ n }] = (await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from contacts c where c.org_id = ${ctx.orgId} and ${matchSql}`,
  )) as [{ n: number }];
  if (n <= INLINE_LIMIT) {
    const affected = await db.transaction((tx) => applyTo(tx, ctx, input.action, p, matchSql));
    return { operationId: null, affected };
  }
  const [op] = await rows<{ id: string }>(
    db,
    sql`insert into bulk_operations (org_id, action, selection, total, created_by)
      values (${ctx.orgId}, ${JSON.stringify(input.action)}::jsonb, ${JSON.stringify(input.selection)}::jsonb, ${n}, ${ctx.userId})
      returning id`,
  );
  await ctx.deps.jobs.send(bulkJob, { operationId: op!.id });
  return { operationId: op!.id, affected: null };
}

/** The job body: reloads the operation, re-checks the creator's access, works in id-ordered batches. */
export async function executeBulkOperation(deps: Deps, operationId: string) {
  const db = deps.database.db;
  const [op] = await rows<{
    org_id: string;
    action: BulkActionT;
    selection: SelectionT;
    created_by: string | null;
    status: string;
  }>(
    db,
    sql`select org_id, action, selection, created_by, status from bulk_operations where id = ${operationId}`,
  );
  if (!op || op.status === 'done' || op.status === 'failed') return;
  const ctx = await memberCtx(deps, op.org_id, op.created_by);
  const fail = async (message: string) =>
    db.execute(
      sql`update bulk_operations set status = 'failed', error = ${message}, finished_at = now() where id = ${operationId}`,
    );
  if (!ctx) return void (await fail('The person who started this is no longer a member'));
  try {
    assertCan(ctx, 'contacts:write');
    const p = (await prepare(db, ctx, op.action)) as Prepared;
    const where = 'ids' in op.selection ? [] : await buildWhere(ctx, op.selection);
    const matchSql = where.length ? sql.join(where, sql` and `) : sql`true`;
    await db.execute(sql`update bulk_operations set status = 'running', done = 0 where id = ${operationId}`);
    let last = '00000000-0000-0000-0000-000000000000';
    let done = 0;
    for (;;) {
      const batch = await rows<{ id: string }>(
        db,
        sql`select c.id from contacts c where c.org_id = ${ctx.orgId} and ${matchSql} and c.id > ${last}::uuid
          order by c.id limit ${BATCH}`,
      );
      if (batch.length === 0) break;
      last = batch[batch.length - 1]!.id;
      await db.transaction(async (tx) => {
        await applyTo(tx, ctx, op.action, p, sql`c.id = any(${pgArray(batch.map((b) => b.id))}::uuid[])`);
        done += batch.length;
        await tx.execute(sql`update bulk_operations set done = ${done} where id = ${operationId}`);
      });
    }
    await db.execute(
      sql`update bulk_operations set status = 'done', done = greatest(done, total), finished_at = now() where id = ${operationId}`,
    );
  } catch (err) {
    await fail(err instanceof AppError ? err.message : 'The bulk action failed');
    if (!(err instanceof AppError)) throw err;
  }
}

export async function getBulkOperation(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:read');
  const [op] = await rows<{ id: string; status: string; total: number; done: number; error: string | null }>(
    ctx.deps.database.db,
    sql`select id, status, total, done, error from bulk_operations where org_id = ${ctx.orgId} and id = ${id}`,
  );
  if (!op) throw notFound('Bulk operation');
  return op;
}
