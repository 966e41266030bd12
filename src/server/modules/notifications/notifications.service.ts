import { sql } from 'drizzle-orm';
import { type Ctx, NO_USER } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';

/**
 * In-app notifications (a workflow's "notify a teammate"): per user and organisation. They belong
 * to a signed-in user; an API key has no inbox (the routes refuse keys with 403).
 */

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function userOf(ctx: Ctx): string {
  if (ctx.userId === NO_USER || ctx.actor.type !== 'user')
    throw new AppError('FORBIDDEN', 'Notifications belong to a signed-in user');
  return ctx.userId;
}

export async function listNotifications(ctx: Ctx, q: { limit: number; unreadOnly?: boolean }) {
  const userId = userOf(ctx);
  const db = ctx.deps.database.db;
  const [list, [count]] = await Promise.all([
    rows<{
      id: string;
      title: string;
      body: string;
      link: string | null;
      created_at: Date;
      read_at: Date | null;
    }>(
      db,
      sql`select id, title, body, link, created_at, read_at from notifications
        where user_id = ${userId} and org_id = ${ctx.orgId} ${q.unreadOnly ? sql`and read_at is null` : sql``}
        order by id desc limit ${q.limit}`,
    ),
    rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from notifications
        where user_id = ${userId} and org_id = ${ctx.orgId} and read_at is null`,
    ),
  ]);
  return {
    items: list.map((n) => ({
      id: n.id,
      title: n.title,
      body: n.body,
      link: n.link,
      createdAt: iso(n.created_at)!,
      readAt: iso(n.read_at),
    })),
    unread: count?.n ?? 0,
  };
}

export async function markRead(ctx: Ctx, id: string) {
  const userId = userOf(ctx);
  const [n] = await rows<{ id: string }>(
    ctx.deps.database.db,
    sql`update notifications set read_at = coalesce(read_at, now())
      where id = ${id} and user_id = ${userId} and org_id = ${ctx.orgId} returning id`,
  );
  if (!n) throw new AppError('NOT_FOUND', 'Notification not found');
}

export async function markAllRead(ctx: Ctx) {
  const userId = userOf(ctx);
  await ctx.deps.database.db.execute(sql`update notifications set read_at = now()
    where user_id = ${userId} and org_id = ${ctx.orgId} and read_at is null`);
}
