import { type SQL, sql } from 'drizzle-orm';
import { CONTACT_SORTS } from '../../../common/contacts.js';
import type { FilterNode } from '../../../common/filters.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { escapeLike, pgArray, pgCode, rows } from '../../lib/sql.js';
import { applyCustomFields, FieldValueError } from '../fields/field-values.js';
import { type FieldDef, listFields } from '../fields/fields.repo.js';
import { ensureTags, findTagsByNames, type TagRow, tagMap } from '../tags/tags.repo.js';
import { compileFilter, customExpr, filterFields, tagNamesIn } from './contacts.filter.js';
import type { ContactRow } from './contacts.repo.js';
import * as repo from './contacts.repo.js';

export interface Address {
  street?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export interface ContactInput {
  firstName?: string;
  lastName?: string;
  email?: string | null;
  emails?: string[];
  phones?: string[];
  jobTitle?: string;
  companyId?: string | null;
  address?: Address | null;
  ownerId?: string | null;
  source?: string;
  subscriptionStatus?: 'subscribed' | 'unsubscribed' | 'bounced' | 'complained';
  consent?: { source: string; at: string } | null;
  restricted?: boolean;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** Orders tag names; one collator for every row instead of `localeCompare`'s one per call. */
export const compareNames = new Intl.Collator().compare;

export function presentContact(row: ContactRow, tags: Map<string, TagRow>) {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    emails: row.emails ?? [],
    phones: row.phones ?? [],
    jobTitle: row.job_title,
    company: row.company_id ? { id: row.company_id, name: row.company_name } : null,
    address: row.address ?? null,
    owner: row.owner_id ? { id: row.owner_id, name: row.owner_name ?? '' } : null,
    source: row.source,
    subscriptionStatus: row.subscription_status as ContactInput['subscriptionStatus'] & string,
    consent:
      row.consent_source || row.consent_at
        ? { source: row.consent_source ?? '', at: iso(row.consent_at) }
        : null,
    restricted: row.restricted,
    tags: (row.tag_ids ?? [])
      .map((id) => tags.get(id)?.name)
      .filter((n): n is string => Boolean(n))
      .sort(compareNames),
    customFields: row.custom ?? {},
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
export type ContactDto = ReturnType<typeof presentContact>;

// ---------- sorting and cursors ----------

export interface SortSpec {
  key: string;
  expr: SQL;
  cast: 'timestamptz' | 'text' | 'numeric';
  desc: boolean;
}

const STANDARD_SORTS: Record<string, { expr: SQL; cast: SortSpec['cast'] }> = {
  createdAt: { expr: sql`c.created_at`, cast: 'timestamptz' },
  updatedAt: { expr: sql`c.updated_at`, cast: 'timestamptz' },
  firstName: { expr: sql`lower(c.first_name)`, cast: 'text' },
  lastName: { expr: sql`lower(c.last_name)`, cast: 'text' },
  email: { expr: sql`coalesce(lower(c.email), '')`, cast: 'text' },
  companyName: { expr: sql`lower(c.company_name)`, cast: 'text' },
  jobTitle: { expr: sql`lower(c.job_title)`, cast: 'text' },
};

export function parseSort(sort: string | undefined, defs: FieldDef[]): SortSpec {
  const raw = sort?.trim() || '-createdAt';
  const desc = raw.startsWith('-');
  const key = desc ? raw.slice(1) : raw;
  const std = STANDARD_SORTS[key];
  if (std) return { key: raw, ...std, desc };
  if (key.startsWith('custom.')) {
    const def = defs.find((d) => d.entity === 'contact' && d.key === key.slice(7));
    if (def) {
      if (def.type === 'number') {
        return {
          key: raw,
          expr: sql`coalesce(${customExpr(def)}, '-Infinity'::numeric)`,
          cast: 'numeric',
          desc,
        };
      }
      return { key: raw, expr: sql`coalesce(lower(c.custom ->> ${def.key}::text), '')`, cast: 'text', desc };
    }
  }
  throw new AppError(
    'VALIDATION_FAILED',
    `sort: unknown column ${key}; use one of ${CONTACT_SORTS.join(', ')} or custom.<key>, with - for descending`,
  );
}

/** Rows after a keyset cursor (sort value, id) in the sort's direction. */
export function afterCursor(sort: SortSpec, cursor: { value: string; id: string }): SQL {
  const cmp = sql.raw(sort.desc ? '<' : '>');
  return sql`(${sort.expr}, c.id) ${cmp} (${cursor.value}::${sql.raw(sort.cast)}, ${cursor.id}::uuid)`;
}

export function encodeCursor(sortKey: string, value: string, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, value, id])).toString('base64url');
}

export function decodeCursor(cursor: string, sortKey: string): { value: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor: malformed cursor (pass back nextCursor unchanged)');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    !/^[0-9a-f-]{36}$/i.test(parsed[2])
  ) {
    throw new AppError('VALIDATION_FAILED', 'cursor: malformed cursor (pass back nextCursor unchanged)');
  }
  if (parsed[0] !== sortKey) {
    throw new AppError(
      'VALIDATION_FAILED',
      `cursor: this cursor belongs to sort ${parsed[0]}, not ${sortKey}`,
    );
  }
  return { value: parsed[1], id: parsed[2] };
}

// ---------- finding contacts ----------

export interface ContactQuery {
  filter?: FilterNode;
  search?: string;
  segmentId?: string;
  /** Internal: the contacts of one company (already checked to be in the organisation). */
  companyId?: string;
}

/** WHERE parts for a filter, a search string and/or a saved segment (all scoped by the caller). */
export async function buildWhere(ctx: Ctx, q: ContactQuery, defs?: FieldDef[]): Promise<SQL[]> {
  const db = ctx.deps.database.db;
  const where: SQL[] = [];
  const fieldDefs = defs ?? (await listFields(db, ctx.orgId, 'contact'));
  const filters: Array<{ node: FilterNode; path: string }> = [];
  if (q.filter) filters.push({ node: q.filter, path: 'filter' });
  if (q.segmentId) {
    const [seg] = await rows<{ filter: FilterNode }>(
      db,
      sql`select filter from segments where org_id = ${ctx.orgId} and id = ${q.segmentId}`,
    );
    if (!seg) throw notFound('Segment');
    filters.push({ node: seg.filter, path: 'segment.filter' });
  }
  if (filters.length > 0) {
    const names = filters.flatMap((f) => tagNamesIn(f.node));
    const tags = await findTagsByNames(db, ctx.orgId, names);
    const tagIds = new Map(tags.map((t) => [t.name.toLowerCase(), t.id]));
    for (const f of filters) where.push(compileFilter(f.node, { defs: fieldDefs, tagIds }, f.path));
  }
  if (q.companyId) where.push(sql`c.company_id = ${q.companyId}`);
  const search = q.search?.trim().toLowerCase();
  if (search) {
    if (search.length > 200) throw new AppError('VALIDATION_FAILED', 'search: at most 200 characters');
    where.push(sql`c.search_text like ${`%${escapeLike(search)}%`}`);
  }
  return where;
}

export async function listContacts(
  ctx: Ctx,
  q: ContactQuery & { sort?: string; limit?: number; cursor?: string; includeCount?: boolean },
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
    q.includeCount ? repo.countWhere(db, ctx.orgId, where) : Promise.resolve(undefined),
    tagMap(db, ctx.orgId),
  ]);
  const more = list.length > limit;
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((r) => presentContact(r, tags)),
    nextCursor: more && last ? encodeCursor(sort.key, last._sort ?? '', last.id) : null,
    ...(count === undefined ? {} : { count }),
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

// ---------- writing contacts ----------

function fieldError(err: unknown): never {
  if (err instanceof FieldValueError) {
    throw new AppError('VALIDATION_FAILED', err.message, {
      issues: [{ path: err.path, message: err.message }],
    });
  }
  throw err;
}

function invalid(path: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path: [path], message }] });
}

async function resolveCompany(db: Db, orgId: string, companyId: string | null | undefined) {
  if (companyId === undefined) return undefined;
  if (companyId === null) return null;
  const [co] = await rows<{ id: string; name: string }>(
    db,
    sql`select id, name from companies where org_id = ${orgId} and id = ${companyId}`,
  );
  if (!co) invalid('companyId', 'no such company in this organisation');
  return co;
}

async function assertOwner(db: Db, orgId: string, ownerId: string | null | undefined) {
  if (!ownerId) return;
  const [m] = await rows(db, sql`select 1 from members where org_id = ${orgId} and user_id = ${ownerId}`);
  if (!m) invalid('ownerId', 'the owner must be a member of this organisation');
}

async function duplicateEmail(
  db: Db,
  orgId: string,
  email: string,
  exceptId?: string,
): Promise<never | undefined> {
  const existing = await repo.findByEmail(db, orgId, email, exceptId);
  if (existing) {
    throw new AppError('DUPLICATE_EMAIL', `A contact with the email ${email} already exists`, {
      contactId: existing.id,
    });
  }
  return undefined;
}

/** The domain of an email, for linking a new contact to the company that owns it. */
function emailDomain(email: string | null | undefined) {
  const at = email?.lastIndexOf('@') ?? -1;
  return at > 0 ? email!.slice(at + 1).toLowerCase() : undefined;
}

export async function createContact(
  ctx: Ctx,
  input: ContactInput,
  opts: { eventData?: Record<string, unknown> } = {},
) {
  assertCan(ctx, 'contacts:write');
  const hasIdentity =
    Boolean(input.email) ||
    (input.phones?.length ?? 0) > 0 ||
    Boolean(input.firstName?.trim()) ||
    Boolean(input.lastName?.trim());
  if (!hasIdentity) {
    throw new AppError('VALIDATION_FAILED', 'A contact needs at least an email, a phone or a name', {
      issues: [{ path: ['email'], message: 'Give an email, a phone or a name' }],
    });
  }
  const db = ctx.deps.database.db;
  const defs = await listFields(db, ctx.orgId, 'contact');
  let custom: Record<string, unknown>;
  try {
    custom = applyCustomFields(defs, {}, input.customFields, { creating: true });
  } catch (err) {
    fieldError(err);
  }
  if (input.email) await duplicateEmail(db, ctx.orgId, input.email);
  await assertOwner(db, ctx.orgId, input.ownerId);
  let company = await resolveCompany(db, ctx.orgId, input.companyId);
  if (company === undefined && input.email) {
    const domain = emailDomain(input.email);
    if (domain) {
      [company] = await rows<{ id: string; name: string }>(
        db,
        sql`select id, name from companies where org_id = ${ctx.orgId} and lower(domain) = ${domain}`,
      );
    }
  }
  try {
    const id = await db.transaction(async (tx) => {
      const tags = await ensureTags(tx, ctx.orgId, input.tags ?? []);
      const [row] = await rows<{ id: string }>(
        tx,
        sql`insert into contacts (org_id, first_name, last_name, email, emails, phones, job_title, company_id,
            company_name, address, owner_id, source, subscription_status, consent_source, consent_at, restricted,
            tag_ids, custom)
          values (${ctx.orgId}, ${input.firstName ?? ''}, ${input.lastName ?? ''}, ${input.email ?? null},
            ${pgArray(input.emails ?? [])}::text[], ${pgArray(input.phones ?? [])}::text[], ${input.jobTitle ?? ''},
            ${company?.id ?? null}, ${company?.name ?? ''}, ${input.address ? JSON.stringify(input.address) : null}::jsonb,
            ${input.ownerId ?? null}, ${input.source ?? 'manual'}, ${input.subscriptionStatus ?? 'subscribed'},
            ${input.consent?.source ?? null}, ${input.consent?.at ?? null}, ${input.restricted ?? false},
            ${pgArray(tags.map((t) => t.id))}::uuid[], ${JSON.stringify(custom)}::jsonb)
          returning id`,
      );
      await repo.insertEvent(tx, ctx.orgId, row!.id, 'created', ctx.userId, {
        source: input.source ?? 'manual',
        ...opts.eventData,
      });
      if (tags.length) {
        await repo.insertEvent(tx, ctx.orgId, row!.id, 'tag_added', ctx.userId, {
          tags: tags.map((t) => t.name),
        });
      }
      return row!.id;
    });
    return getContact(ctx, id);
  } catch (err) {
    if (pgCode(err) === '23505' && input.email) await duplicateEmail(db, ctx.orgId, input.email);
    throw err;
  }
}

const COLUMN_OF: Record<string, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  emails: 'emails',
  phones: 'phones',
  jobTitle: 'job_title',
  address: 'address',
  ownerId: 'owner_id',
  source: 'source',
  subscriptionStatus: 'subscription_status',
  restricted: 'restricted',
};

function same(a: unknown, b: unknown) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export async function updateContact(
  ctx: Ctx,
  id: string,
  input: ContactInput,
  opts: { eventData?: Record<string, unknown> } = {},
) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const defs = await listFields(db, ctx.orgId, 'contact');
  try {
    await db.transaction(async (tx) => {
      const cur = await repo.findContact(tx, ctx.orgId, id, true);
      if (!cur) throw notFound('Contact');
      const tags = await tagMap(tx, ctx.orgId);
      const before = presentContact(cur, tags);
      const sets: SQL[] = [];
      const changes: Array<{ field: string; before: unknown; after: unknown }> = [];
      for (const [field, column] of Object.entries(COLUMN_OF)) {
        if (!(field in input)) continue;
        let value = (input as Record<string, unknown>)[field];
        const old = field === 'ownerId' ? cur.owner_id : (before as Record<string, unknown>)[field];
        if (field === 'email' && value === '') value = null;
        if (same(old, value)) continue;
        if (field === 'email' && value) await duplicateEmail(tx, ctx.orgId, value as string, id);
        if (field === 'ownerId') await assertOwner(tx, ctx.orgId, value as string | null);
        const bound =
          field === 'emails' || field === 'phones'
            ? sql`${pgArray((value as string[]) ?? [])}::text[]`
            : field === 'address'
              ? sql`${value ? JSON.stringify(value) : null}::jsonb`
              : sql`${value ?? (field === 'email' || field === 'ownerId' ? null : '')}`;
        sets.push(sql`${sql.raw(column)} = ${bound}`);
        changes.push({ field, before: old ?? null, after: value ?? null });
      }
      if ('consent' in input && !same(before.consent, input.consent)) {
        sets.push(
          sql`consent_source = ${input.consent?.source ?? null}, consent_at = ${input.consent?.at ?? null}`,
        );
        changes.push({ field: 'consent', before: before.consent, after: input.consent ?? null });
      }
      if ('companyId' in input && (input.companyId ?? null) !== cur.company_id) {
        const co = await resolveCompany(tx, ctx.orgId, input.companyId);
        sets.push(sql`company_id = ${co?.id ?? null}, company_name = ${co?.name ?? ''}`);
        changes.push({ field: 'company', before: before.company?.name ?? null, after: co?.name ?? null });
      }
      if (input.customFields) {
        let next: Record<string, unknown>;
        try {
          next = applyCustomFields(defs, cur.custom ?? {}, input.customFields, { creating: false });
        } catch (err) {
          fieldError(err);
        }
        for (const key of Object.keys(input.customFields)) {
          if (!same(cur.custom?.[key], next[key])) {
            changes.push({
              field: `custom.${key}`,
              before: cur.custom?.[key] ?? null,
              after: next[key] ?? null,
            });
          }
        }
        if (!same(cur.custom, next)) sets.push(sql`custom = ${JSON.stringify(next)}::jsonb`);
      }
      let added: string[] = [];
      let removed: string[] = [];
      if (input.tags) {
        const wanted = await ensureTags(tx, ctx.orgId, input.tags);
        const wantedIds = new Set(wanted.map((t) => t.id));
        const curIds = new Set(cur.tag_ids ?? []);
        added = wanted.filter((t) => !curIds.has(t.id)).map((t) => t.name);
        removed = [...curIds].filter((t) => !wantedIds.has(t)).map((t) => tags.get(t)?.name ?? t);
        if (added.length || removed.length) sets.push(sql`tag_ids = ${pgArray([...wantedIds])}::uuid[]`);
      }
      if (sets.length === 0) return;
      await tx.execute(
        sql`update contacts set ${sql.join(sets, sql`, `)}, updated_at = now() where org_id = ${ctx.orgId} and id = ${id}`,
      );
      const [after] = await rows<{ ok: boolean }>(
        tx,
        sql`select (coalesce(email, '') <> '' or cardinality(phones) > 0 or first_name <> '' or last_name <> '') as ok
          from contacts where org_id = ${ctx.orgId} and id = ${id}`,
      );
      if (!after?.ok) {
        throw new AppError('VALIDATION_FAILED', 'A contact needs at least an email, a phone or a name', {
          issues: [{ path: ['email'], message: 'Keep an email, a phone or a name' }],
        });
      }
      if (changes.length) {
        await repo.insertEvent(tx, ctx.orgId, id, 'updated', ctx.userId, { changes, ...opts.eventData });
      }
      if (added.length) await repo.insertEvent(tx, ctx.orgId, id, 'tag_added', ctx.userId, { tags: added });
      if (removed.length)
        await repo.insertEvent(tx, ctx.orgId, id, 'tag_removed', ctx.userId, { tags: removed });
    });
  } catch (err) {
    if (pgCode(err) === '23505' && input.email) await duplicateEmail(db, ctx.orgId, input.email, id);
    throw err;
  }
  return getContact(ctx, id);
}

export async function deleteContact(ctx: Ctx, id: string) {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  await db.transaction(async (tx) => {
    const [row] = await rows<{ id: string; first_name: string; last_name: string; email: string | null }>(
      tx,
      sql`delete from contacts where org_id = ${ctx.orgId} and id = ${id} returning id, first_name, last_name, email`,
    );
    if (!row) throw notFound('Contact');
    await repo.insertEvent(tx, ctx.orgId, id, 'deleted', ctx.userId, {});
  });
}

export async function getTimeline(ctx: Ctx, id: string, q: { limit?: number; cursor?: string }) {
  assertCan(ctx, 'contacts:read');
  const db = ctx.deps.database.db;
  const [exists] = await rows(db, sql`select 1 from contacts where org_id = ${ctx.orgId} and id = ${id}`);
  if (!exists) throw notFound('Contact');
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const cursor = q.cursor ? decodeCursor(q.cursor, 'timeline') : undefined;
  const list = await repo.timeline(
    db,
    ctx.orgId,
    id,
    limit + 1,
    cursor ? { at: cursor.value, id: cursor.id } : undefined,
  );
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((e) => ({
      id: e.id,
      type: e.type,
      actor: e.actor_id ? { id: e.actor_id, name: e.actor_name ?? '' } : null,
      data: e.data,
      createdAt: new Date(e.created_at).toISOString(),
    })),
    nextCursor: list.length > limit && last ? encodeCursor('timeline', last._sort, last.id) : null,
  };
}

// ---------- merge ----------

const _MERGEABLE = [
  'firstName',
  'lastName',
  'email',
  'jobTitle',
  'companyId',
  'ownerId',
  'source',
  'address',
] as const;

/**
 * Merges `otherId` into `id`: values come from this contact unless `prefer[field] = 'other'`
 * (or this one is empty); emails, phones, tags and custom fields are combined; the other's
 * timeline and notes move here; the other contact is deleted. One transaction.
 */
export async function mergeContacts(
  ctx: Ctx,
  id: string,
  input: { otherId: string; prefer?: Record<string, 'this' | 'other'> },
) {
  assertCan(ctx, 'contacts:write');
  if (id === input.otherId) invalid('otherId', 'cannot merge a contact with itself');
  const db = ctx.deps.database.db;
  await db.transaction(async (tx) => {
    const a = await repo.findContact(tx, ctx.orgId, id, true);
    const b = await repo.findContact(tx, ctx.orgId, input.otherId, true);
    if (!a || !b) throw notFound('Contact');
    const pick = <T>(field: string, av: T, bv: T): T => {
      const p = input.prefer?.[field];
      if (p === 'other') return bv;
      if (p === 'this') return av;
      const empty = av === null || av === undefined || av === '';
      return empty ? bv : av;
    };
    const email = pick('email', a.email, b.email);
    const emails = [
      ...new Set([
        ...(a.emails ?? []),
        ...(b.emails ?? []),
        ...[a.email, b.email].filter((e): e is string => !!e && e !== email),
      ]),
    ];
    const merged = {
      first_name: pick('firstName', a.first_name, b.first_name),
      last_name: pick('lastName', a.last_name, b.last_name),
      job_title: pick('jobTitle', a.job_title, b.job_title),
      company_id: pick('companyId', a.company_id, b.company_id),
      company_name:
        pick('companyId', a.company_id, b.company_id) === a.company_id ? a.company_name : b.company_name,
      owner_id: pick('ownerId', a.owner_id, b.owner_id),
      source: pick('source', a.source, b.source),
      address: pick('address', a.address, b.address),
    };
    const custom = { ...(b.custom ?? {}), ...(a.custom ?? {}) };
    for (const [k, pref] of Object.entries(input.prefer ?? {})) {
      if (k.startsWith('custom.') && pref === 'other' && b.custom?.[k.slice(7)] !== undefined)
        custom[k.slice(7)] = b.custom[k.slice(7)];
    }
    // Move the other's history first, then delete it so its email is free for the survivor.
    await tx.execute(
      sql`update contact_events set contact_id = ${a.id} where org_id = ${ctx.orgId} and contact_id = ${b.id}`,
    );
    await tx.execute(
      sql`update notes set contact_id = ${a.id} where org_id = ${ctx.orgId} and contact_id = ${b.id}`,
    );
    await tx.execute(sql`delete from contacts where org_id = ${ctx.orgId} and id = ${b.id}`);
    await tx.execute(sql`update contacts set first_name = ${merged.first_name}, last_name = ${merged.last_name},
        email = ${email}, emails = ${pgArray(emails)}::text[],
        phones = ${pgArray([...new Set([...(a.phones ?? []), ...(b.phones ?? [])])])}::text[],
        job_title = ${merged.job_title}, company_id = ${merged.company_id}, company_name = ${merged.company_name},
        owner_id = ${merged.owner_id}, source = ${merged.source}, address = ${merged.address ? JSON.stringify(merged.address) : null}::jsonb,
        restricted = ${a.restricted || b.restricted},
        tag_ids = ${pgArray([...new Set([...(a.tag_ids ?? []), ...(b.tag_ids ?? [])])])}::uuid[],
        custom = ${JSON.stringify(custom)}::jsonb, updated_at = now()
      where org_id = ${ctx.orgId} and id = ${a.id}`);
    await repo.insertEvent(tx, ctx.orgId, a.id, 'merged', ctx.userId, {
      mergedContact: { id: b.id, name: `${b.first_name} ${b.last_name}`.trim(), email: b.email },
    });
  });
  return getContact(ctx, id);
}
