import { sql } from 'drizzle-orm';
import { SUBSCRIPTION_STATUSES } from '../../../common/contacts.js';
import { selectsEverything } from '../../../common/filters.js';
import { assertCan, type Ctx, type Deps, jobCtx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgArray, rows } from '../../lib/sql.js';
import { FieldValueError, normaliseValue } from '../fields/field-values.js';
import { listFields } from '../fields/fields.repo.js';
import { findMembership } from '../organizations/organizations.repo.js';
import { ensureTags, findTagsByNames } from '../tags/tags.repo.js';
import { bulkJob } from './contacts.jobs.js';
import { buildWhere } from './contacts.query.js';
import type { BulkActionT, SelectionT } from './contacts.schemas.js';
import { writeTx } from './write/events.js';
import { applyBulkChange, BULK_COLUMNS, type BulkChange, touchesRestricted } from './write/sets.js';

/** Selections up to this size run inside the request; larger ones become a job with progress. */
export const INLINE_LIMIT = 2_000;
const BATCH = 5_000;

function textValue(v: unknown, max: number) {
  if (v === null) return '';
  if (typeof v !== 'string' || v.length > max) {
    throw new AppError('VALIDATION_FAILED', `action.value: must be text of at most ${max} characters`);
  }
  return v.trim();
}

const CHECK_COLUMN: Record<keyof typeof BULK_COLUMNS, (v: unknown) => string | boolean> = {
  jobTitle: (v) => textValue(v, 200),
  source: (v) => textValue(v, 100),
  subscriptionStatus: (v) => {
    if (!SUBSCRIPTION_STATUSES.includes(v as (typeof SUBSCRIPTION_STATUSES)[number])) {
      throw new AppError(
        'VALIDATION_FAILED',
        `action.value: must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`,
      );
    }
    if (v === 'subscribed') {
      // Consent at the door: each subscription needs its own consent record (basis, source).
      throw new AppError(
        'VALIDATION_FAILED',
        'action.value: contacts cannot be subscribed in bulk: subscribing needs a consent record per contact (set it on the contact, or import with a lawful basis)',
      );
    }
    return v as string;
  },
  restricted: (v) => {
    if (typeof v !== 'boolean')
      throw new AppError('VALIDATION_FAILED', 'action.value: must be true or false');
    return v;
  },
};

/** Checks the action once, up front, and resolves what it needs (tag ids, field definition). */
async function prepare(db: Db, ctx: Ctx, action: BulkActionT): Promise<BulkChange> {
  switch (action.type) {
    case 'add_tags': {
      const tags = await ensureTags(db, ctx.orgId, action.tags);
      return { type: 'add_tags', tagIds: tags.map((t) => t.id), tagNames: tags.map((t) => t.name) };
    }
    case 'remove_tags': {
      const tags = await findTagsByNames(db, ctx.orgId, action.tags);
      return { type: 'remove_tags', tagIds: tags.map((t) => t.id), tagNames: tags.map((t) => t.name) };
    }
    case 'set_owner':
      if (action.ownerId) {
        if (!(await findMembership(db, ctx.orgId, action.ownerId)))
          throw new AppError(
            'VALIDATION_FAILED',
            'action.ownerId: the owner must be a member of this organisation',
          );
      }
      return { type: 'set_owner', ownerId: action.ownerId };
    case 'set_field': {
      if (action.field.startsWith('custom.')) {
        const def = (await listFields(db, ctx.orgId, 'contact')).find((d) => d.key === action.field.slice(7));
        if (!def) throw new AppError('VALIDATION_FAILED', `action.field: unknown field ${action.field}`);
        try {
          const value = normaliseValue(def, action.value);
          if (value === null && def.required) throw new FieldValueError([], `${def.label} is required`);
          return { type: 'set_custom', key: def.key, value };
        } catch (err) {
          if (err instanceof FieldValueError)
            throw new AppError('VALIDATION_FAILED', `action.value: ${err.message}`);
          throw err;
        }
      }
      if (!Object.hasOwn(BULK_COLUMNS, action.field)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `action.field: ${action.field} cannot be set in bulk; use ${Object.keys(BULK_COLUMNS).join(', ')} or custom.<key>`,
        );
      }
      const field = action.field as keyof typeof BULK_COLUMNS;
      return { type: 'set_column', field, value: CHECK_COLUMN[field](action.value) };
    }
    case 'delete':
      return { type: 'delete' };
  }
}

export async function runBulk(ctx: Ctx, input: { selection: SelectionT; action: BulkActionT }) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  if (selectsEverything(input.selection) && !('all' in input.selection && input.selection.all === true)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'selection: it selects every contact; repeat with "all": true in the selection to confirm',
      { issues: [{ path: ['selection'], message: 'Selects every contact: confirm with all: true' }] },
    );
  }
  const change = await prepare(db, ctx, input.action);
  if ('ids' in input.selection) {
    const ids = [...new Set(input.selection.ids)];
    // The allowed subset, computed once: ids of other organisations are simply not found.
    const found = await rows<{ id: string; restricted: boolean }>(
      db,
      sql`select id, restricted from contacts where org_id = ${ctx.orgId} and id = any(${pgArray(ids)}::uuid[])`,
    );
    const status = new Map(
      found.map((r) => [r.id, r.restricted && !touchesRestricted(change) ? 'restricted' : 'ok'] as const),
    );
    const affected = await writeTx(ctx, (tx) =>
      applyBulkChange(tx, ctx, change, sql`c.id = any(${pgArray(found.map((r) => r.id))}::uuid[])`),
    );
    return {
      operationId: null,
      affected,
      results: ids.map((id) => ({ id, status: status.get(id) ?? ('not_found' as const) })),
    };
  }
  const where = await buildWhere(ctx, input.selection);
  const matchSql = where.length ? sql.join(where, sql` and `) : sql`true`;
  const [{ n }] = (await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from contacts c where c.org_id = ${ctx.orgId} and ${matchSql}`,
  )) as [{ n: number }];
  if (n <= INLINE_LIMIT) {
    const affected = await writeTx(ctx, (tx) => applyBulkChange(tx, ctx, change, matchSql));
    return { operationId: null, affected };
  }
  // The operation and its job are created together: no operation is left "queued" without a job.
  const operationId = await db.transaction(async (tx) => {
    const [op] = await rows<{ id: string }>(
      tx,
      sql`insert into bulk_operations (org_id, action, selection, total, created_by, actor)
        values (${ctx.orgId}, ${JSON.stringify(input.action)}::jsonb, ${JSON.stringify(input.selection)}::jsonb, ${n},
          ${userIdOf(ctx)}, ${JSON.stringify(ctx.actor)}::jsonb)
        returning id`,
    );
    await ctx.deps.jobs.send(bulkJob, { operationId: op!.id }, { tx });
    return op!.id;
  });
  return { operationId, affected: null };
}

/**
 * The job body: reloads the operation and works in id-ordered batches, acting as whoever
 * requested it (or as the system when that member has left: the work was authorised when asked).
 */
export async function executeBulkOperation(deps: Deps, operationId: string) {
  const db = deps.database.db;
  const [op] = await rows<{
    org_id: string;
    action: BulkActionT;
    selection: SelectionT;
    created_by: string | null;
    actor: Ctx['actor'] | null;
    status: string;
  }>(
    db,
    sql`select org_id, action, selection, created_by, actor, status from bulk_operations where id = ${operationId}`,
  );
  if (!op || op.status === 'done' || op.status === 'failed') return;
  const ctx = await jobCtx(deps, op.org_id, op.created_by, op.actor ?? undefined);
  const fail = async (message: string) =>
    db.execute(
      sql`update bulk_operations set status = 'failed', error = ${message}, finished_at = now() where id = ${operationId}`,
    );
  try {
    const change = await prepare(db, ctx, op.action);
    const where = 'ids' in op.selection ? [] : await buildWhere(ctx, op.selection);
    const matchSql = where.length ? sql.join(where, sql` and `) : sql`true`;
    await db.execute(
      sql`update bulk_operations set status = 'running', done = 0, heartbeat_at = now() where id = ${operationId}`,
    );
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
      await writeTx(ctx, async (tx) => {
        await applyBulkChange(tx, ctx, change, sql`c.id = any(${pgArray(batch.map((b) => b.id))}::uuid[])`);
        done += batch.length;
        await tx.execute(
          sql`update bulk_operations set done = ${done}, heartbeat_at = now() where id = ${operationId}`,
        );
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
  const [op] = await rows<{
    id: string;
    /** Written only as these (here and by system/recovery.ts). */
    status: 'queued' | 'running' | 'done' | 'failed';
    total: number;
    done: number;
    error: string | null;
  }>(
    ctx.deps.database.db,
    sql`select id, status, total, done, error from bulk_operations where org_id = ${ctx.orgId} and id = ${id}`,
  );
  if (!op) throw notFound('Bulk operation');
  return op;
}
