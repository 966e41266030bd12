import { assertCan, type Ctx } from '../../lib/context.js';
import { notFound } from '../../lib/errors.js';
import { listFields } from '../fields/fields.repo.js';
import { tagMap } from '../tags/tags.repo.js';
import { filterFields } from './contacts.filter.js';
import { type ContactInput, presentContact } from './contacts.present.js';
import {
  afterCursor,
  buildWhere,
  type ContactQuery,
  decodeCursor,
  encodeCursor,
  parseSort,
} from './contacts.query.js';
import * as repo from './contacts.repo.js';
import { COUNT_CAP } from './contacts.schemas.js';
import { insertContact, mergeInto, patchContact, removeContact } from './write/contact.js';

export type { Address, ContactDto, ContactInput } from './contacts.present.js';
export { compareNames, presentContact } from './contacts.present.js';
export {
  afterCursor,
  buildWhere,
  type ContactQuery,
  decodeCursor,
  encodeCursor,
  parseSort,
  type SortSpec,
} from './contacts.query.js';

/** Contacts use-cases: reads here; every write goes through ./write (the one write path). */

export async function listContacts(
  ctx: Ctx,
  q: ContactQuery & {
    sort?: string;
    limit?: number;
    cursor?: string;
    includeCount?: boolean;
    exactCount?: boolean;
  },
) {
  assertCan(ctx, 'contacts:read');
  const db = ctx.deps.database.db;
  const defs = await listFields(db, ctx.orgId, 'contact');
  const sort = parseSort(q.sort, defs);
  const where = await buildWhere(ctx, q, defs);
  const page = [...where];
  if (q.cursor) {
    const c = decodeCursor(q.cursor, sort.key);
    page.push(afterCursor(sort, c));
  }
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const [list, count, tags] = await Promise.all([
    repo.listPage(db, ctx.orgId, { where: page, sortExpr: sort.expr, desc: sort.desc, limit: limit + 1 }),
    q.includeCount
      ? repo.countWhere(db, ctx.orgId, where, q.exactCount ? undefined : COUNT_CAP + 1)
      : Promise.resolve(undefined),
    tagMap(db, ctx.orgId),
  ]);
  const more = list.length > limit;
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((r) => presentContact(r, tags)),
    nextCursor: more && last ? encodeCursor(sort.key, last._sort ?? '', last.id) : null,
    ...(count === undefined
      ? {}
      : count > COUNT_CAP && !q.exactCount
        ? { count: COUNT_CAP, countCapped: true }
        : { count, countCapped: false }),
  };
}

export async function countContacts(ctx: Ctx, q: ContactQuery) {
  assertCan(ctx, 'contacts:read');
  return repo.countWhere(ctx.deps.database.db, ctx.orgId, await buildWhere(ctx, q));
}

export async function getFilterFields(ctx: Ctx) {
  assertCan(ctx, 'contacts:read');
  return filterFields(await listFields(ctx.deps.database.db, ctx.orgId, 'contact'));
}

export async function getContact(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:read');
  const db = ctx.deps.database.db;
  const row = await repo.findContact(db, ctx.orgId, id);
  if (!row) throw notFound('Contact');
  return presentContact(row, await tagMap(db, ctx.orgId));
}

// ---------- writing contacts (the write path records the events) ----------

export async function createContact(ctx: Ctx, input: ContactInput) {
  assertCan(ctx, 'contacts:write');
  return getContact(ctx, await insertContact(ctx, input));
}

export async function updateContact(ctx: Ctx, id: string, input: ContactInput) {
  assertCan(ctx, 'contacts:write');
  await patchContact(ctx, id, input);
  return getContact(ctx, id);
}

export async function deleteContact(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  await removeContact(ctx, id);
}

/** See `mergeInto`: the most restrictive subscription state and its consent survive. */
export async function mergeContacts(
  ctx: Ctx,
  id: string,
  input: { otherId: string; prefer?: Record<string, 'this' | 'other'> },
) {
  assertCan(ctx, 'contacts:write');
  await mergeInto(ctx, id, input);
  return getContact(ctx, id);
}

export async function getTimeline(ctx: Ctx, id: string, q: { limit?: number; cursor?: string }) {
  assertCan(ctx, 'contacts:read');
  const db = ctx.deps.database.db;
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const cursor = q.cursor ? decodeCursor(q.cursor, 'timeline') : undefined;
  // The existence check runs beside the page query (another pooled connection): one round trip.
  const [found, list] = await Promise.all([
    repo.exists(db, ctx.orgId, id),
    repo.timeline(db, ctx.orgId, id, limit + 1, cursor?.id),
  ]);
  if (!found) throw notFound('Contact');
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((e) => ({
      id: e.id,
      type: e.type,
      actor:
        e.actor_type === 'system'
          ? { type: 'system' as const, id: null, name: 'Moxora' }
          : { type: e.actor_type, id: e.actor_id, name: e.actor_name ?? '' },
      data: e.data,
      createdAt: new Date(e.created_at).toISOString(),
    })),
    nextCursor: list.length > limit && last ? encodeCursor('timeline', '', last.id) : null,
  };
}
