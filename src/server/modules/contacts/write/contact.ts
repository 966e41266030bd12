import { type SQL, sql } from 'drizzle-orm';
import type { SubscriptionStatus } from '../../../../common/contacts.js';
import type { FieldChange } from '../../../../common/events.js';
import type { Ctx } from '../../../lib/context.js';
import type { Db } from '../../../lib/db.js';
import { AppError, notFound } from '../../../lib/errors.js';
import { pgArray, pgCode, rows } from '../../../lib/sql.js';
import { findCompanyByDomain, findCompanyRef } from '../../companies/companies.repo.js';
import { applyCustomFields, FieldValueError } from '../../fields/field-values.js';
import { listFields } from '../../fields/fields.repo.js';
import { findMembership } from '../../organizations/organizations.repo.js';
import { ensureTags, tagMap } from '../../tags/tags.repo.js';
import { type ContactInput, compareNames, presentContact } from '../contacts.present.js';
import * as repo from '../contacts.repo.js';
import { type EventFor, recordEvents, writeTx } from './events.js';

/** Single-contact writes: create, update, delete, merge. Permission checks are the caller's. */

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

/** While a contact is restricted (processing restricted), only lifting the restriction is allowed. */
export function restrictedError(what = 'edited') {
  return new AppError(
    'CONFLICT',
    `This contact is restricted (processing restricted at their request), so it cannot be ${what}. Lift the restriction first.`,
    { reason: 'restricted' },
  );
}

async function resolveCompany(db: Db, orgId: string, companyId: string | null | undefined) {
  if (companyId === undefined) return undefined;
  if (companyId === null) return null;
  const co = await findCompanyRef(db, orgId, companyId);
  if (!co) invalid('companyId', 'no such company in this organisation');
  return co;
}

async function assertOwner(db: Db, orgId: string, ownerId: string | null | undefined) {
  if (!ownerId) return;
  if (!(await findMembership(db, orgId, ownerId)))
    invalid('ownerId', 'the owner must be a member of this organisation');
}

async function duplicateEmail(db: Db, orgId: string, email: string, exceptId?: string): Promise<void> {
  const existing = await repo.findByEmail(db, orgId, email, exceptId);
  if (existing) {
    throw new AppError('DUPLICATE_EMAIL', `A contact with the email ${email} already exists`, {
      contactId: existing.id,
    });
  }
}

/** The domain of an email, for linking a new contact to the company that owns it. */
function emailDomain(email: string | null | undefined) {
  const at = email?.lastIndexOf('@') ?? -1;
  return at > 0 ? email!.slice(at + 1).toLowerCase() : undefined;
}

/**
 * Consent at the door: a contact only becomes "subscribed" (to marketing email) with a consent
 * record, the lawful basis and where it was given. Everyone else is "not_subscribed".
 */
function consentMissing(): never {
  const message =
    'subscribing a contact needs a consent record: give consent.basis (consent, contract, legitimate_interest or legal_obligation) and consent.source (where it was given)';
  throw new AppError('VALIDATION_FAILED', `consent.basis: ${message}`, {
    issues: [
      { path: ['consent', 'basis'], message: 'Required to subscribe the contact' },
      { path: ['consent', 'source'], message: 'Required to subscribe the contact' },
    ],
  });
}

/** The consent record to store: `at` is now unless the caller says when consent was given. */
function consentRecord(consent: ContactInput['consent']) {
  return consent
    ? { basis: consent.basis, source: consent.source, at: consent.at ?? new Date().toISOString() }
    : null;
}

const noIdentity = (message: string) =>
  new AppError('VALIDATION_FAILED', 'A contact needs at least an email, a phone or a name', {
    issues: [{ path: ['email'], message }],
  });

/** Creates a contact and records `contact.created` (with its tags). Returns its id. */
export async function insertContact(ctx: Ctx, input: ContactInput): Promise<string> {
  const hasIdentity =
    Boolean(input.email) ||
    (input.phones?.length ?? 0) > 0 ||
    Boolean(input.firstName?.trim()) ||
    Boolean(input.lastName?.trim());
  if (!hasIdentity) throw noIdentity('Give an email, a phone or a name');
  const status = input.subscriptionStatus ?? 'not_subscribed';
  if (status === 'subscribed' && !input.consent) consentMissing();
  const consent = consentRecord(input.consent);
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
    if (domain) company = await findCompanyByDomain(db, ctx.orgId, domain);
  }
  try {
    return await writeTx(ctx, async (tx) => {
      const tags = await ensureTags(tx, ctx.orgId, input.tags ?? []);
      const [row] = await rows<{ id: string }>(
        tx,
        sql`insert into contacts (org_id, first_name, last_name, email, emails, phones, job_title, company_id,
            company_name, address, owner_id, source, subscription_status, consent_basis, consent_source, consent_at, restricted,
            tag_ids, custom)
          values (${ctx.orgId}, ${input.firstName ?? ''}, ${input.lastName ?? ''}, ${input.email ?? null},
            ${pgArray(input.emails ?? [])}::text[], ${pgArray(input.phones ?? [])}::text[], ${input.jobTitle ?? ''},
            ${company?.id ?? null}, ${company?.name ?? ''}, ${input.address ? JSON.stringify(input.address) : null}::jsonb,
            ${input.ownerId ?? null}, ${input.source ?? 'manual'}, ${status}, ${consent?.basis ?? null},
            ${consent?.source ?? null}, ${consent?.at ?? null}, ${input.restricted ?? false},
            ${pgArray(tags.map((t) => t.id))}::uuid[], ${JSON.stringify(custom)}::jsonb)
          returning id`,
      );
      await recordEvents(tx, ctx, [
        {
          contactId: row!.id,
          type: 'contact.created',
          data: {
            source: input.source ?? 'manual',
            ...(tags.length ? { tags: tags.map((t) => t.name).sort(compareNames) } : {}),
          },
        },
      ]);
      return row!.id;
    });
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

/**
 * Updates a contact and records what changed (`contact.updated` with before/after per field,
 * then `tag.added` / `tag.removed`). Nothing is written when nothing changes.
 */
export async function patchContact(ctx: Ctx, id: string, input: ContactInput): Promise<void> {
  const db = ctx.deps.database.db;
  const defs = await listFields(db, ctx.orgId, 'contact');
  try {
    await writeTx(ctx, async (tx) => {
      const cur = await repo.findContact(tx, ctx.orgId, id, true);
      if (!cur) throw notFound('Contact');
      const tags = await tagMap(tx, ctx.orgId);
      const before = presentContact(cur, tags);
      // Becoming subscribed (or staying subscribed while the consent record is removed) needs consent.
      const nextStatus = input.subscriptionStatus ?? cur.subscription_status;
      if (
        nextStatus === 'subscribed' &&
        ((cur.subscription_status !== 'subscribed' && !input.consent) ||
          (Object.hasOwn(input, 'consent') && !input.consent))
      ) {
        consentMissing();
      }
      const sets: SQL[] = [];
      const changes: FieldChange[] = [];
      for (const [field, column] of Object.entries(COLUMN_OF)) {
        if (!Object.hasOwn(input, field)) continue;
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
      const consent = consentRecord(input.consent);
      if (Object.hasOwn(input, 'consent') && !same(before.consent, consent)) {
        sets.push(
          sql`consent_basis = ${consent?.basis ?? null}, consent_source = ${consent?.source ?? null}, consent_at = ${consent?.at ?? null}`,
        );
        changes.push({ field: 'consent', before: before.consent, after: consent });
      }
      if (Object.hasOwn(input, 'companyId') && (input.companyId ?? null) !== cur.company_id) {
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
          const was = Object.hasOwn(cur.custom ?? {}, key) ? cur.custom[key] : null;
          const now = Object.hasOwn(next, key) ? next[key] : null;
          if (!same(was, now))
            changes.push({ field: `custom.${key}`, before: was ?? null, after: now ?? null });
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
      if (cur.restricted) {
        const liftsOnly =
          changes.length === 1 && changes[0]!.field === 'restricted' && !added.length && !removed.length;
        if (!liftsOnly) throw restrictedError();
      }
      await tx.execute(
        sql`update contacts set ${sql.join(sets, sql`, `)}, updated_at = now() where org_id = ${ctx.orgId} and id = ${id}`,
      );
      const [after] = await rows<{ ok: boolean }>(
        tx,
        sql`select (coalesce(email, '') <> '' or cardinality(phones) > 0 or first_name <> '' or last_name <> '') as ok
          from contacts where org_id = ${ctx.orgId} and id = ${id}`,
      );
      if (!after?.ok) throw noIdentity('Keep an email, a phone or a name');
      const events: EventFor[] = [];
      if (changes.length) events.push({ contactId: id, type: 'contact.updated', data: { changes } });
      if (added.length) events.push({ contactId: id, type: 'tag.added', data: { tags: added } });
      if (removed.length) events.push({ contactId: id, type: 'tag.removed', data: { tags: removed } });
      await recordEvents(tx, ctx, events);
    });
  } catch (err) {
    if (pgCode(err) === '23505' && input.email) await duplicateEmail(db, ctx.orgId, input.email, id);
    throw err;
  }
}

/**
 * Deletes a contact with its timeline (personal data: old emails, phones, note excerpts) and
 * notes; only a `contact.deleted` tombstone without data remains. Restricted contacts can be
 * deleted (erasure is always allowed).
 */
export async function removeContact(ctx: Ctx, id: string): Promise<void> {
  await writeTx(ctx, async (tx) => {
    const [row] = await rows<{ id: string }>(
      tx,
      sql`delete from contacts where org_id = ${ctx.orgId} and id = ${id} returning id`,
    );
    if (!row) throw notFound('Contact');
    await tx.execute(sql`delete from contact_events where org_id = ${ctx.orgId} and contact_id = ${id}`);
    await recordEvents(tx, ctx, [{ contactId: id, type: 'contact.deleted', data: {} }]);
  });
}

/** Subscription states from least to most restrictive: a merge keeps the most restrictive. */
const RESTRICTIVENESS: SubscriptionStatus[] = [
  'not_subscribed',
  'subscribed',
  'bounced',
  'unsubscribed',
  'complained',
];
const rank = (s: string) => RESTRICTIVENESS.indexOf(s as SubscriptionStatus);

/**
 * Merges `otherId` into `id`: values come from this contact unless `prefer[field] = 'other'`
 * (or this one is empty); emails, phones, tags and custom fields are combined; the most
 * restrictive subscription state wins, with its consent record; the other's timeline and notes
 * move here; the other contact is deleted. One transaction.
 */
export async function mergeInto(
  ctx: Ctx,
  id: string,
  input: { otherId: string; prefer?: Record<string, 'this' | 'other'> },
): Promise<void> {
  if (id === input.otherId) invalid('otherId', 'cannot merge a contact with itself');
  await writeTx(ctx, async (tx) => {
    const a = await repo.findContact(tx, ctx.orgId, id, true);
    const b = await repo.findContact(tx, ctx.orgId, input.otherId, true);
    if (!a || !b) throw notFound('Contact');
    if (a.restricted || b.restricted) throw restrictedError('merged');
    const tags = await tagMap(tx, ctx.orgId);
    const beforeA = presentContact(a, tags);
    const prefer = (field: string) =>
      input.prefer && Object.hasOwn(input.prefer, field) ? input.prefer[field] : undefined;
    const pick = <T>(field: string, av: T, bv: T): T => {
      const p = prefer(field);
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
    const companyId = pick('companyId', a.company_id, b.company_id);
    // Subscription: the most restrictive state survives, with the consent record that goes with it.
    const strict = rank(b.subscription_status) > rank(a.subscription_status) ? b : a;
    const consentFrom =
      strict.consent_source || strict.consent_at || strict.consent_basis
        ? strict
        : a.consent_source || a.consent_at || a.consent_basis
          ? a
          : b;
    const custom = { ...(b.custom ?? {}), ...(a.custom ?? {}) };
    for (const [k, pref] of Object.entries(input.prefer ?? {})) {
      const key = k.slice(7);
      if (k.startsWith('custom.') && pref === 'other' && b.custom && Object.hasOwn(b.custom, key))
        custom[key] = b.custom[key];
    }
    // Move the other's history first, then delete it so its email is free for the survivor.
    await tx.execute(
      sql`update contact_events set contact_id = ${a.id} where org_id = ${ctx.orgId} and contact_id = ${b.id}`,
    );
    await tx.execute(
      sql`update notes set contact_id = ${a.id} where org_id = ${ctx.orgId} and contact_id = ${b.id}`,
    );
    await tx.execute(sql`delete from contacts where org_id = ${ctx.orgId} and id = ${b.id}`);
    const address = pick('address', a.address, b.address);
    await tx.execute(sql`update contacts set first_name = ${pick('firstName', a.first_name, b.first_name)},
        last_name = ${pick('lastName', a.last_name, b.last_name)},
        email = ${email}, emails = ${pgArray(emails)}::text[],
        phones = ${pgArray([...new Set([...(a.phones ?? []), ...(b.phones ?? [])])])}::text[],
        job_title = ${pick('jobTitle', a.job_title, b.job_title)}, company_id = ${companyId},
        company_name = ${companyId === a.company_id ? a.company_name : b.company_name},
        owner_id = ${pick('ownerId', a.owner_id, b.owner_id)}, source = ${pick('source', a.source, b.source)},
        address = ${address ? JSON.stringify(address) : null}::jsonb,
        subscription_status = ${strict.subscription_status},
        consent_basis = ${consentFrom.consent_basis}, consent_source = ${consentFrom.consent_source},
        consent_at = ${consentFrom.consent_at},
        restricted = false,
        tag_ids = ${pgArray([...new Set([...(a.tag_ids ?? []), ...(b.tag_ids ?? [])])])}::uuid[],
        custom = ${JSON.stringify(custom)}::jsonb, updated_at = now()
      where org_id = ${ctx.orgId} and id = ${a.id}`);
    const afterA = presentContact((await repo.findContact(tx, ctx.orgId, a.id))!, tags);
    const changes: FieldChange[] = [];
    for (const [field, value] of Object.entries(afterA)) {
      if (field === 'updatedAt' || field === 'createdAt' || field === 'id') continue;
      const old = (beforeA as Record<string, unknown>)[field];
      if (!same(old, value)) changes.push({ field, before: old ?? null, after: value ?? null });
    }
    await recordEvents(tx, ctx, [
      {
        contactId: a.id,
        type: 'contact.merged',
        data: {
          mergedContact: { id: b.id, name: `${b.first_name} ${b.last_name}`.trim(), email: b.email },
          changes,
        },
      },
    ]);
  });
}
