import { type SQL, sql } from 'drizzle-orm';
import type { SuppressionReason } from '../../../common/email.js';
import { assertCan, type Ctx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { escapeLike, rows } from '../../lib/sql.js';

/**
 * The suppression list: addresses never mailed, transactional mail included. Hard bounces and
 * complaints land here automatically (the email events applier); people add addresses by hand.
 * A removal keeps the row (who, when, why); only rows not removed suppress.
 */

interface SuppressionRow {
  id: string;
  email: string;
  reason: SuppressionReason;
  note: string;
  created_at: Date | string;
  created_by: string | null;
  created_by_name: string | null;
  removed_at: Date | string | null;
  removed_by: string | null;
  removed_by_name: string | null;
  removed_reason: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const present = (r: SuppressionRow) => ({
  id: r.id,
  email: r.email,
  reason: r.reason,
  note: r.note,
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by ? { id: r.created_by, name: r.created_by_name ?? '' } : null,
  removedAt: iso(r.removed_at),
  removedBy: r.removed_by ? { id: r.removed_by, name: r.removed_by_name ?? '' } : null,
  removedReason: r.removed_reason,
});
export type Suppression = ReturnType<typeof present>;

const SELECT = sql`select s.id, s.email, s.reason, s.note, s.created_at, s.created_by, cu.name as created_by_name,
    s.removed_at, s.removed_by, ru.name as removed_by_name, s.removed_reason
  from suppressions s
  left join users cu on cu.id = s.created_by
  left join users ru on ru.id = s.removed_by`;

const badCursor = () =>
  new AppError('INVALID_CURSOR', 'cursor: malformed cursor (pass back nextCursor unchanged)');

function encodeCursor(createdAt: Date | string, id: string) {
  return Buffer.from(JSON.stringify([new Date(createdAt).toISOString(), id])).toString('base64url');
}
function decodeCursor(cursor: string): { at: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0])) ||
    typeof parsed[1] !== 'string' ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(parsed[1])
  ) {
    throw badCursor();
  }
  return { at: parsed[0], id: parsed[1] };
}

export async function listSuppressions(
  ctx: Ctx,
  q: { q?: string; limit?: number; cursor?: string; includeRemoved?: boolean },
) {
  assertCan(ctx, 'contacts:read');
  const where: SQL[] = [sql`s.org_id = ${ctx.orgId}`];
  if (!q.includeRemoved) where.push(sql`s.removed_at is null`);
  const prefix = q.q?.trim().toLowerCase();
  if (prefix) where.push(sql`lower(s.email) like ${`${escapeLike(prefix)}%`}`);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(sql`(s.created_at, s.id) < (${c.at}::timestamptz, ${c.id}::uuid)`);
  }
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const list = await rows<SuppressionRow>(
    ctx.deps.database.db,
    sql`${SELECT} where ${sql.join(where, sql` and `)} order by s.created_at desc, s.id desc limit ${limit + 1}`,
  );
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(present),
    nextCursor: list.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

async function getById(db: Db, orgId: string, id: string) {
  const [row] = await rows<SuppressionRow>(db, sql`${SELECT} where s.org_id = ${orgId} and s.id = ${id}`);
  return row;
}

/**
 * Suppresses an address by hand (reason 'manual'). An address already suppressed keeps its row
 * (and its reason): `created` says whether a new one was added.
 */
export async function addSuppression(
  ctx: Ctx,
  input: { email: string; note?: string },
): Promise<{ created: boolean; suppression: Suppression }> {
  assertCan(ctx, 'settings:write');
  const db = ctx.deps.database.db;
  const email = input.email.trim().toLowerCase();
  const added = await suppress(db, ctx.orgId, email, 'manual', {
    note: input.note,
    createdBy: userIdOf(ctx),
  });
  const [existing] = added
    ? [await getById(db, ctx.orgId, added)]
    : await rows<SuppressionRow>(
        db,
        sql`${SELECT} where s.org_id = ${ctx.orgId} and lower(s.email) = ${email} and s.removed_at is null`,
      );
  if (!existing) throw new AppError('CONFLICT', 'The address changed while it was being added: try again');
  return { created: Boolean(added), suppression: present(existing) };
}

/**
 * Adds an address to an organisation's suppression list unless it is on it already. Returns the
 * new row's id, or null when the address was already suppressed. For the events applier too.
 */
export async function suppress(
  db: Db,
  orgId: string,
  email: string,
  reason: SuppressionReason,
  opts: { note?: string; createdBy?: string | null } = {},
): Promise<string | null> {
  const [row] = await rows<{ id: string }>(
    db,
    sql`insert into suppressions (org_id, email, reason, note, created_by)
      values (${orgId}, ${email.trim().toLowerCase()}, ${reason}, ${opts.note ?? ''}, ${opts.createdBy ?? null})
      on conflict (org_id, lower(email)) where removed_at is null do nothing
      returning id`,
  );
  return row?.id ?? null;
}

/** Takes an address off the list; the row stays as history with who removed it, when and why. */
export async function removeSuppression(ctx: Ctx, id: string, reason: string): Promise<void> {
  assertCan(ctx, 'settings:write');
  const db = ctx.deps.database.db;
  const [done] = await rows<{ id: string }>(
    db,
    sql`update suppressions set removed_at = now(), removed_by = ${userIdOf(ctx)}, removed_reason = ${reason}
      where org_id = ${ctx.orgId} and id = ${id} and removed_at is null returning id`,
  );
  if (done) return;
  if (!(await getById(db, ctx.orgId, id))) throw notFound('Suppression');
  throw new AppError('CONFLICT', 'This address was already removed from the suppression list');
}

/** Whether an organisation must not mail an address (case-insensitive). */
export async function isSuppressed(db: Db, orgId: string, email: string): Promise<boolean> {
  const [row] = await rows(
    db,
    sql`select 1 from suppressions where org_id = ${orgId} and lower(email) = ${email.trim().toLowerCase()}
      and removed_at is null limit 1`,
  );
  return row !== undefined;
}
