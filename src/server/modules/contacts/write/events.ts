import { type SQL, sql } from 'drizzle-orm';
import type { ContactEvent } from '../../../../common/events.js';
import type { Ctx } from '../../../lib/context.js';
import type { Db } from '../../../lib/db.js';

/**
 * Recording contact events: the only writer of `contact_events` and `event_outbox`. Always called
 * inside the transaction of the change; `writeTx` kicks the event bus after the commit.
 */

export type EventFor = ContactEvent & { contactId: string };

/** Records events (in this order) for single contacts, with their outbox row: one statement. */
export async function recordEvents(tx: Db, ctx: Ctx, events: EventFor[]): Promise<void> {
  if (events.length === 0) return;
  const payload = JSON.stringify(
    events.map((e) => ({ contact_id: e.contactId, type: e.type, data: e.data })),
  );
  await tx.execute(sql`with src as (
      select (t.e ->> 'contact_id')::uuid as contact_id, t.e ->> 'type' as type, t.e -> 'data' as data, t.ord
      from jsonb_array_elements(${payload}::jsonb) with ordinality as t(e, ord)),
    ${eventsFrom(ctx, { source: 'src', contactId: 'contact_id', type: sql`src.type`, data: sql`src.data`, orderBy: sql`order by src.ord` })}
    select 1`);
}

let counter = 0;

/**
 * Set-based events for one statement: CTEs (to put after `with …,`) that insert one event per row
 * of CTE `source` and one outbox row for all of them. `type` and `data` are SQL over `source`'s
 * columns; `contactId` names its contact id column (default `id`); the events CTE is called
 * `name` (returning `id, type`), for statements that count them.
 */
export function eventsFrom(
  ctx: Ctx,
  o: { source: string; type: SQL; data: SQL; contactId?: string; orderBy?: SQL; where?: SQL; name?: string },
): SQL {
  const name = o.name ?? `ev_${++counter % 1_000_000}`;
  const src = sql.raw(o.source);
  return sql`${sql.raw(name)} as (
      insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
      select ${ctx.orgId}::uuid, ${src}.${sql.raw(o.contactId ?? 'id')}, ${o.type}, ${ctx.actor.type}, ${ctx.actor.id}::uuid,
        ${o.data}
      from ${src} ${o.where ? sql`where ${o.where}` : sql``} ${o.orderBy ?? sql``}
      returning id, type),
    ${sql.raw(`${name}_outbox`)} as (
      insert into event_outbox (org_id, event_ids)
      select ${ctx.orgId}::uuid, array_agg(id) from ${sql.raw(name)} having count(*) > 0
      returning id)`;
}

/** Runs a write in a transaction, then hands the events it recorded to the bus (after commit). */
export async function writeTx<T>(ctx: Ctx, fn: (tx: Db) => Promise<T>): Promise<T> {
  const result = await ctx.deps.database.db.transaction(fn);
  ctx.deps.events?.kick();
  return result;
}
