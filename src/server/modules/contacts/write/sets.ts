import { type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../../lib/context.js';
import type { Db } from '../../../lib/db.js';
import { pgArray } from '../../../lib/sql.js';
import { eventsFrom } from './events.js';

/**
 * Set-based writes to many contacts: bulk actions and the cascades of changes made elsewhere
 * (a tag deleted or merged, a company renamed or deleted, a custom field deleted). Each is one
 * statement that changes the rows and records one event per changed contact (and the outbox
 * row) — the set-based speed is kept. Callers run them inside `writeTx`.
 */

export type BulkChange =
  | { type: 'add_tags'; tagIds: string[]; tagNames: string[] }
  | { type: 'remove_tags'; tagIds: string[]; tagNames: string[] }
  | { type: 'set_owner'; ownerId: string | null }
  | { type: 'set_custom'; key: string; value: unknown }
  | { type: 'set_column'; field: BulkColumn; value: string | boolean }
  | { type: 'delete' };

/** Standard columns a bulk action may set, with their SQL type (parameters are typed explicitly). */
export const BULK_COLUMNS = {
  jobTitle: { column: 'job_title', type: 'text' },
  source: { column: 'source', type: 'text' },
  subscriptionStatus: { column: 'subscription_status', type: 'text' },
  restricted: { column: 'restricted', type: 'boolean' },
} as const;
export type BulkColumn = keyof typeof BULK_COLUMNS;

const rowCount = (r: unknown) => {
  const x = r as { rowCount?: number; affectedRows?: number; rows?: Array<{ n?: number }> };
  return Number(x.rows?.[0]?.n ?? x.rowCount ?? x.affectedRows ?? 0);
};

/**
 * While a contact is restricted only lifting the restriction (or erasing it) is allowed: every
 * other bulk change leaves restricted contacts out.
 */
export function touchesRestricted(change: BulkChange): boolean {
  return (
    change.type === 'delete' ||
    (change.type === 'set_column' && change.field === 'restricted' && change.value === false)
  );
}

/** Applies a bulk change to the contacts matching `target` (SQL over alias `c`). Returns rows changed. */
export async function applyBulkChange(tx: Db, ctx: Ctx, change: BulkChange, target: SQL): Promise<number> {
  const org = ctx.orgId;
  const scope = sql`c.org_id = ${org} and ${target}${touchesRestricted(change) ? sql`` : sql` and not c.restricted`}`;
  const bulk = sql`jsonb_build_object('bulk', true`;
  let q: SQL;
  switch (change.type) {
    case 'add_tags': {
      const ids = sql`${pgArray(change.tagIds)}::uuid[]`;
      // Per contact, the names of the tags it did not have yet.
      q = sql`with old as (select c.id, c.tag_ids from contacts c where ${scope} and not (c.tag_ids @> ${ids}) for update),
        u as (update contacts c set tag_ids = array(select distinct unnest(c.tag_ids || ${ids})), updated_at = now()
          from old where c.id = old.id
          returning c.id, array(select t.name from tags t where t.org_id = ${org} and t.id = any(${ids})
            and not (t.id = any(old.tag_ids)) order by lower(t.name)) as added),
        ${eventsFrom(ctx, { source: 'u', type: sql`'tag.added'`, data: sql`${bulk}, 'tags', to_jsonb(u.added))` })}
        select count(*)::int as n from u`;
      break;
    }
    case 'remove_tags': {
      if (!change.tagIds.length) return 0;
      const ids = sql`${pgArray(change.tagIds)}::uuid[]`;
      q = sql`with u as (
          update contacts c set tag_ids = array(select unnest(c.tag_ids) except select unnest(${ids})), updated_at = now()
          where ${scope} and c.tag_ids && ${ids} returning c.id),
        ${eventsFrom(ctx, { source: 'u', type: sql`'tag.removed'`, data: sql`${bulk}, 'tags', ${JSON.stringify(change.tagNames)}::jsonb)` })}
        select count(*)::int as n from u`;
      break;
    }
    case 'set_owner':
      q = sql`with old as (select c.id, c.owner_id from contacts c where ${scope}
            and c.owner_id is distinct from ${change.ownerId}::uuid for update),
          u as (update contacts c set owner_id = ${change.ownerId}::uuid, updated_at = now() from old where c.id = old.id
            returning c.id, old.owner_id as before),
          ${eventsFrom(ctx, {
            source: 'u',
            type: sql`'contact.updated'`,
            data: sql`${bulk}, 'changes', jsonb_build_array(jsonb_build_object('field', 'ownerId', 'before', u.before,
              'after', ${change.ownerId}::text)))`,
          })}
        select count(*)::int as n from u`;
      break;
    case 'set_custom': {
      const newVal = change.value === null ? null : JSON.stringify(change.value);
      q = sql`with old as (select c.id, c.custom -> ${change.key}::text as before from contacts c where ${scope}
            and (c.custom -> ${change.key}::text) is distinct from ${newVal}::jsonb for update),
          u as (update contacts c set custom = ${
            newVal === null
              ? sql`c.custom - ${change.key}::text`
              : sql`jsonb_set(c.custom, array[${change.key}::text], ${newVal}::jsonb)`
          }, updated_at = now() from old where c.id = old.id returning c.id, old.before),
          ${eventsFrom(ctx, {
            source: 'u',
            type: sql`'contact.updated'`,
            data: sql`${bulk}, 'changes', jsonb_build_array(jsonb_build_object('field', ${`custom.${change.key}`}::text,
              'before', u.before, 'after', ${newVal}::jsonb)))`,
          })}
        select count(*)::int as n from u`;
      break;
    }
    case 'set_column': {
      const { column, type } = BULK_COLUMNS[change.field];
      const col = sql.raw(column);
      const value = sql`${change.value}::${sql.raw(type)}`;
      q = sql`with old as (select c.id, to_jsonb(c.${col}) as before from contacts c where ${scope}
            and c.${col} is distinct from ${value} for update),
          u as (update contacts c set ${col} = ${value}, updated_at = now() from old where c.id = old.id
            returning c.id, old.before),
          ${eventsFrom(ctx, {
            source: 'u',
            type: sql`'contact.updated'`,
            data: sql`${bulk}, 'changes', jsonb_build_array(jsonb_build_object('field', ${change.field}::text,
              'before', u.before, 'after', to_jsonb(${value}))))`,
          })}
        select count(*)::int as n from u`;
      break;
    }
    case 'delete':
      // The contacts' events go with them (personal data); a tombstone without data remains.
      q = sql`with d as (delete from contacts c where ${scope} returning c.id),
          gone as (delete from contact_events e using d where e.org_id = ${org} and e.contact_id = d.id),
          ${eventsFrom(ctx, { source: 'd', type: sql`'contact.deleted'`, data: sql`'{"bulk":true}'::jsonb` })}
        select count(*)::int as n from d`;
      break;
  }
  return rowCount(await tx.execute(q));
}

// ---------------------------------------------------------------- cascades

/** A deleted tag leaves every contact that had it: `tag.removed` for each. */
export async function removeTagEverywhere(tx: Db, ctx: Ctx, tag: { id: string; name: string }) {
  const cause = JSON.stringify({ type: 'tag.deleted', name: tag.name });
  return rowCount(
    await tx.execute(sql`with u as (
        update contacts c set tag_ids = array_remove(c.tag_ids, ${tag.id}::uuid), updated_at = now()
        where c.org_id = ${ctx.orgId} and c.tag_ids @> array[${tag.id}::uuid] returning c.id),
      ${eventsFrom(ctx, {
        source: 'u',
        type: sql`'tag.removed'`,
        data: sql`jsonb_build_object('tags', jsonb_build_array(${tag.name}::text), 'cause', ${cause}::jsonb)`,
      })}
      select count(*)::int as n from u`),
  );
}

/**
 * Tag `from` merged into `into`: contacts that had `from` lose it (`tag.removed`) and, where
 * they did not have `into` yet, get it (`tag.added`).
 */
export async function replaceTagEverywhere(
  tx: Db,
  ctx: Ctx,
  from: { id: string; name: string },
  into: { id: string; name: string },
) {
  const cause = JSON.stringify({ type: 'tag.merged', name: into.name });
  return rowCount(
    await tx.execute(sql`with u as (
        update contacts c set tag_ids = array(select distinct unnest(array_replace(c.tag_ids, ${from.id}::uuid, ${into.id}::uuid))),
          updated_at = now()
        from (select id, tag_ids @> array[${into.id}::uuid] as had from contacts
          where org_id = ${ctx.orgId} and tag_ids @> array[${from.id}::uuid] for update) o
        where c.id = o.id returning c.id, o.had),
      ${eventsFrom(ctx, {
        source: 'u',
        type: sql`'tag.removed'`,
        data: sql`jsonb_build_object('tags', jsonb_build_array(${from.name}::text), 'cause', ${cause}::jsonb)`,
      })},
      ${eventsFrom(ctx, {
        source: 'u',
        type: sql`'tag.added'`,
        data: sql`jsonb_build_object('tags', jsonb_build_array(${into.name}::text), 'cause', ${cause}::jsonb)`,
        where: sql`not u.had`,
      })}
      select count(*)::int as n from u`),
  );
}

/** The contacts of a renamed company follow (their denormalised company name): `contact.updated`. */
export async function renameCompanyEverywhere(
  tx: Db,
  ctx: Ctx,
  company: { id: string; before: string; after: string },
) {
  const changes = JSON.stringify([{ field: 'company', before: company.before, after: company.after }]);
  const cause = JSON.stringify({ type: 'company.renamed', name: company.after });
  return rowCount(
    await tx.execute(sql`with u as (
        update contacts c set company_name = ${company.after}, updated_at = now()
        where c.org_id = ${ctx.orgId} and c.company_id = ${company.id} returning c.id),
      ${eventsFrom(ctx, {
        source: 'u',
        type: sql`'contact.updated'`,
        data: sql`jsonb_build_object('changes', ${changes}::jsonb, 'cause', ${cause}::jsonb)`,
      })}
      select count(*)::int as n from u`),
  );
}

/** The contacts of a deleted company lose it: `contact.updated`. */
export async function unlinkCompanyEverywhere(tx: Db, ctx: Ctx, company: { id: string; name: string }) {
  const changes = JSON.stringify([{ field: 'company', before: company.name, after: null }]);
  const cause = JSON.stringify({ type: 'company.deleted', name: company.name });
  return rowCount(
    await tx.execute(sql`with u as (
        update contacts c set company_id = null, company_name = '', updated_at = now()
        where c.org_id = ${ctx.orgId} and c.company_id = ${company.id} returning c.id),
      ${eventsFrom(ctx, {
        source: 'u',
        type: sql`'contact.updated'`,
        data: sql`jsonb_build_object('changes', ${changes}::jsonb, 'cause', ${cause}::jsonb)`,
      })}
      select count(*)::int as n from u`),
  );
}

/** A deleted custom field's values leave every contact: `contact.updated` with the old value. */
export async function removeCustomFieldEverywhere(tx: Db, ctx: Ctx, field: { key: string; label: string }) {
  const cause = JSON.stringify({ type: 'field.deleted', name: field.label });
  return rowCount(
    await tx.execute(sql`with old as (select c.id, c.custom -> ${field.key}::text as before from contacts c
          where c.org_id = ${ctx.orgId} and c.custom ? ${field.key}::text for update),
        u as (update contacts c set custom = c.custom - ${field.key}::text, updated_at = now() from old
          where c.id = old.id returning c.id, old.before),
      ${eventsFrom(ctx, {
        source: 'u',
        type: sql`'contact.updated'`,
        data: sql`jsonb_build_object('changes', jsonb_build_array(jsonb_build_object('field', ${`custom.${field.key}`}::text,
          'before', u.before, 'after', null)), 'cause', ${cause}::jsonb)`,
      })}
      select count(*)::int as n from u`),
  );
}
