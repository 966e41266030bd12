import { TZDate } from '@date-fns/tz';
import { sql } from 'drizzle-orm';
import type { CampaignAudience, CampaignStatus, SendState } from '../../../common/email.js';
import type { CampaignContent } from '../../../db/schema/email.js';
import { assertCan, type Ctx, userIdOf } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import { TOTAL_BUCKET } from '../email/email-events.js';
import { contactFieldKeys } from '../fields/fields.repo.js';
import { prepareTemplate } from '../templates/render.js';
import { countAudience } from './audience.js';

interface CampaignRow {
  id: string;
  name: string;
  status: CampaignStatus;
  template_id: string | null;
  sender_id: string | null;
  audience: CampaignAudience;
  scheduled_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  recipient_count: number | null;
  excluded: Record<string, number> | null;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function present(r: CampaignRow) {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    templateId: r.template_id,
    senderId: r.sender_id,
    audience: r.audience,
    scheduledAt: iso(r.scheduled_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    recipientCount: r.recipient_count,
    excluded: r.excluded,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

const COLUMNS = sql`id, name, status, template_id, sender_id, audience, scheduled_at, started_at, finished_at,
  recipient_count, excluded, created_at, updated_at`;

async function load(ctx: Ctx, id: string, forUpdate = false): Promise<CampaignRow> {
  const [r] = await rows<CampaignRow>(
    ctx.deps.database.db,
    sql`select ${COLUMNS} from campaigns where org_id = ${ctx.orgId} and id = ${id} ${forUpdate ? sql`for update` : sql``}`,
  );
  if (!r) throw new AppError('NOT_FOUND', 'Campaign not found');
  return r;
}

async function checkRefs(ctx: Ctx, input: { templateId?: string | null; senderId?: string | null }) {
  const db = ctx.deps.database.db;
  if (input.templateId) {
    const [t] = await rows(
      db,
      sql`select 1 from templates where org_id = ${ctx.orgId} and id = ${input.templateId}`,
    );
    if (!t) throw new AppError('NOT_FOUND', 'Template not found');
  }
  if (input.senderId) {
    const [s] = await rows(
      db,
      sql`select 1 from senders where org_id = ${ctx.orgId} and id = ${input.senderId}`,
    );
    if (!s) throw new AppError('NOT_FOUND', 'Sender not found');
  }
}

export async function listCampaigns(ctx: Ctx) {
  assertCan(ctx, 'campaigns:read');
  const list = await rows<
    CampaignRow & { sent: number | null; unique_opens: number | null; unique_clicks: number | null }
  >(
    ctx.deps.database.db,
    sql`select ${sql.raw(['id', 'name', 'status', 'template_id', 'sender_id', 'audience', 'scheduled_at', 'started_at', 'finished_at', 'recipient_count', 'excluded', 'created_at', 'updated_at'].map((c) => `c.${c}`).join(', '))},
        st.sent, st.unique_opens, st.unique_clicks
      from campaigns c left join campaign_stats st on st.campaign_id = c.id and st.bucket = ${TOTAL_BUCKET}
      where c.org_id = ${ctx.orgId} order by c.created_at desc limit 500`,
  );
  return list.map((r) => ({
    ...present(r),
    sent: r.sent ?? 0,
    uniqueOpens: r.unique_opens ?? 0,
    uniqueClicks: r.unique_clicks ?? 0,
  }));
}

export async function ledgerCounts(
  ctx: Ctx,
  id: string,
): Promise<Record<SendState, number> & { total: number }> {
  const list = await rows<{ state: SendState; n: number }>(
    ctx.deps.database.db,
    sql`select state, count(*)::int as n from email_sends where campaign_id = ${id} and org_id = ${ctx.orgId}
      group by state`,
  );
  const counts = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, total: 0 };
  for (const c of list) {
    counts[c.state] = c.n;
    counts.total += c.n;
  }
  return counts;
}

export async function getCampaign(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:read');
  const r = await load(ctx, id);
  return { ...present(r), counts: await ledgerCounts(ctx, id) };
}

export async function createCampaign(
  ctx: Ctx,
  input: { name: string; templateId?: string | null; senderId?: string | null; audience?: CampaignAudience },
) {
  assertCan(ctx, 'campaigns:write');
  await checkRefs(ctx, input);
  const [r] = await rows<CampaignRow>(
    ctx.deps.database.db,
    sql`insert into campaigns (org_id, name, template_id, sender_id, audience, created_by)
      values (${ctx.orgId}, ${input.name}, ${input.templateId ?? null}, ${input.senderId ?? null},
        ${JSON.stringify(input.audience ?? {})}::jsonb, ${userIdOf(ctx)})
      returning ${COLUMNS}`,
  );
  return { ...present(r!), counts: { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0, total: 0 } };
}

export async function updateCampaign(
  ctx: Ctx,
  id: string,
  input: { name?: string; templateId?: string | null; senderId?: string | null; audience?: CampaignAudience },
) {
  assertCan(ctx, 'campaigns:write');
  await checkRefs(ctx, input);
  await ctx.deps.database.db.transaction(async (tx) => {
    const [c] = await rows<{ status: string }>(
      tx,
      sql`select status from campaigns where org_id = ${ctx.orgId} and id = ${id} for update`,
    );
    if (!c) throw new AppError('NOT_FOUND', 'Campaign not found');
    if (c.status !== 'draft') throw new AppError('CONFLICT', `A ${c.status} campaign cannot be changed`);
    await tx.execute(sql`update campaigns set
        name = coalesce(${input.name ?? null}, name),
        template_id = ${input.templateId === undefined ? sql`template_id` : sql`${input.templateId}`},
        sender_id = ${input.senderId === undefined ? sql`sender_id` : sql`${input.senderId}`},
        audience = ${input.audience === undefined ? sql`audience` : sql`${JSON.stringify(input.audience)}::jsonb`},
        updated_at = now()
      where id = ${id}`);
  });
  return getCampaign(ctx, id);
}

export async function deleteCampaign(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:write');
  const c = await load(ctx, id);
  if (c.status === 'sending' || c.status === 'paused' || c.status === 'scheduled')
    throw new AppError('CONFLICT', `Cancel the ${c.status} campaign before deleting it`);
  await ctx.deps.database.db.execute(sql`delete from campaigns where org_id = ${ctx.orgId} and id = ${id}`);
}

/** What is missing before this organisation may send marketing email. */
async function sendingReadiness(ctx: Ctx) {
  const [s] = await rows<{ postal_address: string | null; time_zone: string | null }>(
    ctx.deps.database.db,
    sql`select postal_address, time_zone from email_settings where org_id = ${ctx.orgId}`,
  );
  return { postalAddress: s?.postal_address?.trim() ?? '', timeZone: s?.time_zone ?? 'UTC' };
}

export async function reviewCampaign(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:read');
  const c = await load(ctx, id);
  const counts = await countAudience(ctx, c.audience);
  const { postalAddress } = await sendingReadiness(ctx);
  const missing: string[] = [];
  if (!c.template_id) missing.push('template');
  if (!c.sender_id) missing.push('sender');
  if (!postalAddress) missing.push('postalAddress');
  if (counts.recipients === 0) missing.push('recipients');
  return { ...counts, ready: missing.length === 0, missing };
}

/** "2026-12-03T09:00" (the organisation's time zone) or an ISO instant with an offset. */
export function parseSendAt(at: string, timeZone: string): Date {
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(at);
  if (local) {
    const [, y, mo, d, h, mi, s] = local.map(Number) as number[];
    return new Date(new TZDate(y!, mo! - 1, d!, h!, mi!, s || 0, 0, timeZone).getTime());
  }
  const instant = new Date(at);
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(at) || Number.isNaN(instant.getTime()))
    throw new AppError(
      'VALIDATION_FAILED',
      'at: expected YYYY-MM-DDTHH:mm (organisation time) or an ISO date-time',
    );
  return instant;
}

export async function sendCampaign(ctx: Ctx, id: string, input: { at?: string }) {
  assertCan(ctx, 'campaigns:send');
  const db = ctx.deps.database.db;
  const { postalAddress, timeZone } = await sendingReadiness(ctx);
  const when = input.at ? parseSendAt(input.at, timeZone) : new Date();
  if (input.at && when.getTime() < Date.now() - 60_000)
    throw new AppError('VALIDATION_FAILED', 'at: the time has passed');
  await db.transaction(async (tx) => {
    const [c] = await rows<CampaignRow>(
      tx,
      sql`select ${COLUMNS} from campaigns where org_id = ${ctx.orgId} and id = ${id} for update`,
    );
    if (!c) throw new AppError('NOT_FOUND', 'Campaign not found');
    if (c.status !== 'draft') throw new AppError('CONFLICT', `The campaign is ${c.status}, not a draft`);
    if (!postalAddress)
      throw new AppError(
        'VALIDATION_FAILED',
        "Add your organisation's postal address in Settings → Sending first: it goes in every marketing footer",
      );
    if (!c.template_id) throw new AppError('VALIDATION_FAILED', 'Choose a template first');
    if (!c.sender_id) throw new AppError('VALIDATION_FAILED', 'Choose a sender first');
    const [t] = await rows<{ subject: string; format: 'html' | 'mjml'; body: string; text: string | null }>(
      tx,
      sql`select subject, format, body, text from templates where org_id = ${ctx.orgId} and id = ${c.template_id}`,
    );
    const [s] = await rows<{ name: string; email: string; reply_to: string | null }>(
      tx,
      sql`select name, email, reply_to from senders where org_id = ${ctx.orgId} and id = ${c.sender_id}`,
    );
    if (!t) throw new AppError('VALIDATION_FAILED', 'The template was deleted: choose another one');
    if (!s) throw new AppError('VALIDATION_FAILED', 'The sender was deleted: choose another one');
    await prepareTemplate(t, { customFieldKeys: await contactFieldKeys(tx, ctx.orgId) });
    const counts = await countAudience(ctx, c.audience);
    if (counts.recipients === 0)
      throw new AppError('VALIDATION_FAILED', 'Nobody in this audience can receive marketing email');
    const content: CampaignContent = {
      subject: t.subject,
      format: t.format,
      body: t.body,
      text: t.text,
      fromName: s.name,
      fromEmail: s.email,
      replyTo: s.reply_to,
      postalAddress,
    };
    await tx.execute(sql`update campaigns set status = 'scheduled', scheduled_at = ${when.toISOString()},
        content = ${JSON.stringify(content)}::jsonb, updated_at = now()
      where id = ${id}`);
  });
  ctx.deps.sender?.kick();
  return getCampaign(ctx, id);
}

async function transition(ctx: Ctx, id: string, from: string[], to: string, extra = sql``) {
  assertCan(ctx, 'campaigns:send');
  const db = ctx.deps.database.db;
  await db.transaction(async (tx) => {
    const [c] = await rows<{ status: string }>(
      tx,
      sql`select status from campaigns where org_id = ${ctx.orgId} and id = ${id} for update`,
    );
    if (!c) throw new AppError('NOT_FOUND', 'Campaign not found');
    if (!from.includes(c.status)) throw new AppError('CONFLICT', `A ${c.status} campaign cannot be ${to}`);
    await tx.execute(sql`update campaigns set status = ${to}, updated_at = now() ${extra} where id = ${id}`);
    if (to === 'canceled') {
      // Messages in flight finish and are recorded as sent; the queued rest is skipped.
      await tx.execute(sql`update email_sends set state = 'skipped', reason = 'canceled'
        where campaign_id = ${id} and state = 'queued'`);
    }
  });
  ctx.deps.sender?.kick();
  return getCampaign(ctx, id);
}

export const pauseCampaign = (ctx: Ctx, id: string) => transition(ctx, id, ['sending'], 'paused');
export const resumeCampaign = (ctx: Ctx, id: string) => transition(ctx, id, ['paused'], 'sending');
export const cancelCampaign = (ctx: Ctx, id: string) =>
  transition(ctx, id, ['scheduled', 'sending', 'paused'], 'canceled', sql`, finished_at = now()`);

interface StatsRow {
  bucket: Date;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  opens: number;
  machine_opens: number;
  unique_opens: number;
  unique_machine_opens: number;
  clicks: number;
  machine_clicks: number;
  unique_clicks: number;
  unique_machine_clicks: number;
}

function camelStats(r: Partial<StatsRow> | undefined) {
  return {
    sent: r?.sent ?? 0,
    delivered: r?.delivered ?? 0,
    bounced: r?.bounced ?? 0,
    complained: r?.complained ?? 0,
    unsubscribed: r?.unsubscribed ?? 0,
    opens: r?.opens ?? 0,
    machineOpens: r?.machine_opens ?? 0,
    uniqueOpens: r?.unique_opens ?? 0,
    uniqueMachineOpens: r?.unique_machine_opens ?? 0,
    clicks: r?.clicks ?? 0,
    machineClicks: r?.machine_clicks ?? 0,
    uniqueClicks: r?.unique_clicks ?? 0,
    uniqueMachineClicks: r?.unique_machine_clicks ?? 0,
  };
}

/** The report: served from the aggregates (campaign_stats, email_links), never the raw events. */
export async function campaignReport(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:read');
  const c = await load(ctx, id);
  const db = ctx.deps.database.db;
  const [stats, links, counts] = await Promise.all([
    rows<StatsRow>(
      db,
      sql`select * from campaign_stats where campaign_id = ${id} and org_id = ${ctx.orgId} order by bucket`,
    ),
    rows<{ id: string; url: string; clicks: number; human_clicks: number }>(
      db,
      sql`select id, url, clicks, human_clicks from email_links where org_id = ${ctx.orgId} and campaign_id = ${id}
        order by human_clicks desc, clicks desc, id limit 100`,
    ),
    ledgerCounts(ctx, id),
  ]);
  const total = stats.find((s) => new Date(s.bucket).getTime() === 0);
  const totals = camelStats(total);
  const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : 0);
  return {
    campaign: present(c),
    counts,
    totals,
    rates: {
      delivery: rate(totals.delivered, totals.sent),
      open: rate(totals.uniqueOpens, totals.sent),
      click: rate(totals.uniqueClicks, totals.sent),
      bounce: rate(totals.bounced, totals.sent),
      unsubscribe: rate(totals.unsubscribed, totals.sent),
      complaint: rate(totals.complained, totals.sent),
    },
    series: stats
      .filter((s) => new Date(s.bucket).getTime() !== 0)
      .map((s) => ({ at: new Date(s.bucket).toISOString(), ...camelStats(s) })),
    links: links.map((l) => ({
      id: Number(l.id),
      url: l.url,
      clicks: l.clicks,
      humanClicks: l.human_clicks,
    })),
  };
}

export async function campaignRecipients(
  ctx: Ctx,
  id: string,
  q: { state?: SendState; after?: string; limit: number },
) {
  assertCan(ctx, 'campaigns:read');
  await load(ctx, id);
  const list = await rows<Record<string, unknown> & { id: string }>(
    ctx.deps.database.db,
    sql`select s.id, s.contact_id, s.email, s.state, s.reason, s.attempts, s.last_error, s.sent_at, s.failed_at,
        s.delivered_at, s.bounced_at, s.bounce_type, s.complained_at, s.unsubscribed_at, s.opened_at, s.clicked_at,
        s.machine_opened_at, s.machine_clicked_at, s.opens, s.clicks,
        nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), '') as name
      from email_sends s left join contacts c on c.id = s.contact_id
      where s.org_id = ${ctx.orgId} and s.campaign_id = ${id}
        ${q.state ? sql`and s.state = ${q.state}` : sql``}
        ${q.after ? sql`and s.id > ${q.after}` : sql``}
      order by s.id limit ${q.limit + 1}`,
  );
  const more = list.length > q.limit;
  const page = list.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      contactId: (r.contact_id as string | null) ?? null,
      name: (r.name as string | null) ?? null,
      email: r.email as string,
      state: r.state as SendState,
      reason: (r.reason as string | null) ?? null,
      attempts: r.attempts as number,
      lastError: (r.last_error as string | null) ?? null,
      sentAt: iso(r.sent_at as Date | null),
      deliveredAt: iso(r.delivered_at as Date | null),
      bouncedAt: iso(r.bounced_at as Date | null),
      bounceType: (r.bounce_type as string | null) ?? null,
      complainedAt: iso(r.complained_at as Date | null),
      unsubscribedAt: iso(r.unsubscribed_at as Date | null),
      openedAt: iso(r.opened_at as Date | null),
      clickedAt: iso(r.clicked_at as Date | null),
      machineOpenedAt: iso(r.machine_opened_at as Date | null),
      machineClickedAt: iso(r.machine_clicked_at as Date | null),
      opens: r.opens as number,
      clicks: r.clicks as number,
    })),
    nextCursor: more ? page[page.length - 1]!.id : null,
  };
}
