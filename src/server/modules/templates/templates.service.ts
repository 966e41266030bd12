import { sql } from 'drizzle-orm';
import { assertCan, type Ctx, NO_USER, userIdOf } from '../../lib/context.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';
import { DeliveryError, defaultFrom, deliver } from '../email/transport.js';
import { contactFieldKeys } from '../fields/fields.repo.js';
import {
  type ContactRow,
  companyMergeVars,
  contactMergeVars,
  type MergeVars,
  PREVIEW_LINK,
  prepareTemplate,
  renderPrepared,
  sampleMergeVars,
  type TemplateSource,
} from './render.js';

export type TemplateFormat = 'html' | 'mjml';

interface TemplateRow {
  id: string;
  name: string;
  subject: string;
  format: TemplateFormat;
  body: string;
  text: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const present = (t: TemplateRow) => ({
  id: t.id,
  name: t.name,
  subject: t.subject,
  format: t.format,
  body: t.body,
  text: t.text,
  createdAt: iso(t.created_at),
  updatedAt: iso(t.updated_at),
});
const summary = (t: Omit<TemplateRow, 'body' | 'text'>) => ({
  id: t.id,
  name: t.name,
  subject: t.subject,
  format: t.format,
  createdAt: iso(t.created_at),
  updatedAt: iso(t.updated_at),
});

const conflict = (name: string) =>
  new AppError('CONFLICT', `A template named "${name}" already exists`, {
    issues: [{ path: ['name'], message: 'Name taken' }],
  });

const COLUMNS = sql`id, name, subject, format, body, text, created_at, updated_at`;

/** Keys of the organisation's contact custom fields: the `contact.custom.<key>` merge fields. */
export function customFieldKeys(ctx: Ctx): Promise<string[]> {
  return contactFieldKeys(ctx.deps.database.db, ctx.orgId);
}

/** Parses and validates the content (400 naming the problem); the prepared template is reusable. */
async function prepare(ctx: Ctx, src: TemplateSource) {
  return prepareTemplate(src, { customFieldKeys: await customFieldKeys(ctx) });
}

export async function listTemplates(ctx: Ctx) {
  assertCan(ctx, 'campaigns:read');
  const list = await rows<Omit<TemplateRow, 'body' | 'text'>>(
    ctx.deps.database.db,
    sql`select id, name, subject, format, created_at, updated_at from templates
      where org_id = ${ctx.orgId} order by created_at desc, id desc`,
  );
  return list.map(summary);
}

async function findTemplate(ctx: Ctx, id: string): Promise<TemplateRow> {
  const [t] = await rows<TemplateRow>(
    ctx.deps.database.db,
    sql`select ${COLUMNS} from templates where org_id = ${ctx.orgId} and id = ${id}`,
  );
  if (!t) throw notFound('Template');
  return t;
}

export async function getTemplate(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:read');
  return present(await findTemplate(ctx, id));
}

export interface TemplateInput {
  name: string;
  subject: string;
  format: TemplateFormat;
  body: string;
  text?: string | null;
}

/** An empty plain text means "generate it from the HTML". */
const textOf = (text: string | null | undefined) => (text == null || text.trim() === '' ? null : text);

export async function createTemplate(ctx: Ctx, input: TemplateInput) {
  assertCan(ctx, 'campaigns:write');
  const text = textOf(input.text);
  await prepare(ctx, { subject: input.subject, format: input.format, body: input.body, text });
  try {
    const [t] = await rows<TemplateRow>(
      ctx.deps.database.db,
      sql`insert into templates (org_id, name, subject, format, body, text, created_by)
        values (${ctx.orgId}, ${input.name}, ${input.subject}, ${input.format}, ${input.body}, ${text}, ${userIdOf(ctx)})
        returning ${COLUMNS}`,
    );
    return present(t!);
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict(input.name);
    throw err;
  }
}

export async function updateTemplate(ctx: Ctx, id: string, input: Partial<TemplateInput>) {
  assertCan(ctx, 'campaigns:write');
  const current = await findTemplate(ctx, id);
  const next = {
    name: input.name ?? current.name,
    subject: input.subject ?? current.subject,
    format: input.format ?? current.format,
    body: input.body ?? current.body,
    text: input.text === undefined ? current.text : textOf(input.text),
  };
  await prepare(ctx, next);
  try {
    const [t] = await rows<TemplateRow>(
      ctx.deps.database.db,
      sql`update templates set name = ${next.name}, subject = ${next.subject}, format = ${next.format},
          body = ${next.body}, text = ${next.text}, updated_at = now()
        where org_id = ${ctx.orgId} and id = ${id} returning ${COLUMNS}`,
    );
    if (!t) throw notFound('Template');
    return present(t);
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict(next.name);
    throw err;
  }
}

export async function deleteTemplate(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:write');
  const list = await rows(
    ctx.deps.database.db,
    sql`delete from templates where org_id = ${ctx.orgId} and id = ${id} returning id`,
  );
  if (list.length === 0) throw notFound('Template');
}

async function organizationVars(ctx: Ctx): Promise<MergeVars['organization']> {
  const [o] = await rows<{ name: string; postal_address: string | null }>(
    ctx.deps.database.db,
    sql`select o.name, s.postal_address from organizations o
      left join email_settings s on s.org_id = o.id where o.id = ${ctx.orgId}`,
  );
  return { name: o?.name ?? '', postalAddress: o?.postal_address ?? '' };
}

/** Merge variables for a preview or test: the organisation's contact (404 if not one), or samples. */
async function previewVars(ctx: Ctx, contactId: string | undefined, keys: string[]): Promise<MergeVars> {
  const organization = await organizationVars(ctx);
  if (!contactId) return sampleMergeVars({ organization, customFieldKeys: keys });
  const [c] = await rows<
    ContactRow & {
      co_name: string | null;
      co_domain: string | null;
      co_website: string | null;
      co_industry: string | null;
      has_company: boolean;
    }
  >(
    ctx.deps.database.db,
    sql`select c.id, c.first_name, c.last_name, c.email, c.phones, c.job_title, c.company_name, c.custom,
        co.id is not null as has_company, co.name as co_name, co.domain as co_domain,
        co.website as co_website, co.industry as co_industry
      from contacts c left join companies co on co.id = c.company_id and co.org_id = c.org_id
      where c.org_id = ${ctx.orgId} and c.id = ${contactId}`,
  );
  if (!c) throw notFound('Contact');
  return {
    contact: contactMergeVars(c),
    company: c.has_company
      ? companyMergeVars({
          name: c.co_name,
          domain: c.co_domain,
          website: c.co_website,
          industry: c.co_industry,
        })
      : null,
    organization,
    unsubscribe_url: PREVIEW_LINK,
    preferences_url: PREVIEW_LINK,
    data: {},
  };
}

async function render(ctx: Ctx, src: TemplateSource, contactId: string | undefined) {
  const keys = await customFieldKeys(ctx);
  const prepared = await prepareTemplate(src, { customFieldKeys: keys });
  return renderPrepared(prepared, await previewVars(ctx, contactId, keys));
}

/** A saved template rendered for one of the organisation's contacts, or for sample data. */
export async function previewTemplate(ctx: Ctx, id: string, input: { contactId?: string }) {
  assertCan(ctx, 'campaigns:read');
  const t = await findTemplate(ctx, id);
  return render(ctx, t, input.contactId);
}

/** Unsaved content rendered (the editor's live preview). */
export async function previewContent(ctx: Ctx, input: Omit<TemplateInput, 'name'> & { contactId?: string }) {
  assertCan(ctx, 'campaigns:read');
  return render(
    ctx,
    { subject: input.subject, format: input.format, body: input.body, text: textOf(input.text) },
    input.contactId,
  );
}

/** The caller's own address: a signed-in user's, or the user an API key belongs to. */
async function ownAddress(ctx: Ctx): Promise<string | null> {
  if (ctx.email) return ctx.email;
  if (ctx.userId === NO_USER) return null;
  const [u] = await rows<{ email: string }>(
    ctx.deps.database.db,
    sql`select u.email from users u join members m on m.user_id = u.id
      where u.id = ${ctx.userId} and m.org_id = ${ctx.orgId}`,
  );
  return u?.email ?? null;
}

/** Sends the rendered template, subject prefixed "[Test] ", to the caller's own address. */
export async function sendTest(ctx: Ctx, id: string, input: { contactId?: string }) {
  assertCan(ctx, 'campaigns:write');
  const t = await findTemplate(ctx, id);
  const to = await ownAddress(ctx);
  if (!to) {
    throw new AppError(
      'BAD_REQUEST',
      'A test is sent to your own address: this API key belongs to no user. Send it signed in, or with a key created by a user.',
    );
  }
  const rendered = await render(ctx, t, input.contactId);
  const from = await defaultFrom(ctx.deps, ctx.orgId);
  try {
    await deliver(ctx.deps, ctx.orgId, {
      from: { name: from.name, address: from.address },
      replyTo: from.replyTo,
      to,
      subject: `[Test] ${rendered.subject}`,
      html: rendered.html,
      text: rendered.text,
    });
  } catch (err) {
    if (err instanceof DeliveryError) {
      throw new AppError('UNAVAILABLE', `The test could not be sent: ${err.message}`);
    }
    throw err;
  }
  return { sentTo: to };
}
