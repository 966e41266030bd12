import { type SQL, sql } from 'drizzle-orm';
import type { CampaignAudience, ExclusionReason } from '../../../common/email.js';
import { EXCLUSION_REASONS } from '../../../common/email.js';
import { FilterNode } from '../../../common/filters.js';
import type { Ctx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { pgArray, rows } from '../../lib/sql.js';
import { buildWhere } from '../contacts/contacts.query.js';

/**
 * A campaign's audience: contacts of any of its segments, tags or filter — always minus
 * unsubscribed, never subscribed, bounced, complained, restricted and suppressed addresses (and
 * contacts without an address). The reason a contact is left out, first match wins:
 */
export const exclusionReason: SQL = sql`case
    when c.email is null or c.email = '' then 'no_email'
    when c.restricted then 'restricted'
    when exists (select 1 from suppressions x where x.org_id = c.org_id and lower(x.email) = lower(c.email)
      and x.removed_at is null) then 'suppressed'
    when c.subscription_status = 'complained' then 'complained'
    when c.subscription_status = 'bounced' then 'bounced'
    when c.subscription_status = 'unsubscribed' then 'unsubscribed'
    when c.subscription_status <> 'subscribed' then 'not_subscribed'
    else null end`;

/** The WHERE condition (over contacts `c`) of an audience; 400 when it selects nothing at all. */
export async function audienceWhere(ctx: Ctx, audience: CampaignAudience): Promise<SQL> {
  const parts: SQL[] = [];
  const db = ctx.deps.database.db;
  if (audience.segmentIds?.length) {
    const found = await rows<{ id: string }>(
      db,
      sql`select id from segments where org_id = ${ctx.orgId} and id = any(${pgArray(audience.segmentIds)}::uuid[])`,
    );
    if (found.length !== new Set(audience.segmentIds).size)
      throw new AppError('NOT_FOUND', 'Segment not found');
    for (const s of found) parts.push(and(await buildWhere(ctx, { segmentId: s.id })));
  }
  if (audience.tagIds?.length) {
    const found = await rows<{ id: string }>(
      db,
      sql`select id from tags where org_id = ${ctx.orgId} and id = any(${pgArray(audience.tagIds)}::uuid[])`,
    );
    if (found.length !== new Set(audience.tagIds).size) throw new AppError('NOT_FOUND', 'Tag not found');
    parts.push(sql`c.tag_ids && ${pgArray(audience.tagIds)}::uuid[]`);
  }
  if (audience.filter !== undefined && audience.filter !== null) {
    const parsed = FilterNode.safeParse(audience.filter);
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'audience.filter is not a valid filter');
    parts.push(and(await buildWhere(ctx, { filter: parsed.data })));
  }
  if (parts.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Choose an audience: at least one segment, tag or filter');
  }
  return sql`c.org_id = ${ctx.orgId} and (${sql.join(
    parts.map((p) => sql`(${p})`),
    sql` or `,
  )})`;
}

function and(parts: SQL[]): SQL {
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

export interface AudienceCounts {
  recipients: number;
  excluded: Record<ExclusionReason, number>;
  total: number;
}

/** How many the campaign would reach now, and how many are left out, per reason. */
export async function countAudience(ctx: Ctx, audience: CampaignAudience): Promise<AudienceCounts> {
  const where = await audienceWhere(ctx, audience);
  const counts = await rows<{ reason: string | null; n: number }>(
    ctx.deps.database.db,
    sql`select r.reason, count(*)::int as n from contacts c
      cross join lateral (select ${exclusionReason} as reason) r
      where ${where} group by r.reason`,
  );
  return summarise(counts);
}

function summarise(counts: { reason: string | null; n: number }[]): AudienceCounts {
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<
    ExclusionReason,
    number
  >;
  let recipients = 0;
  for (const c of counts) {
    if (c.reason === null) recipients += c.n;
    else excluded[c.reason as ExclusionReason] += c.n;
  }
  const total = recipients + Object.values(excluded).reduce((a, b) => a + b, 0);
  return { recipients, excluded, total };
}

/**
 * Writes the campaign's ledger: one row per contact of the audience, queued or skipped with its
 * reason, in one statement (idempotent: a second run adds nothing). Message-IDs derive from the
 * row ids, so a message resent after a crash carries the same one.
 */
export async function materialiseLedger(
  tx: Db,
  ctx: Ctx,
  campaignId: string,
  audience: CampaignAudience,
  host: string,
): Promise<AudienceCounts> {
  const where = await audienceWhere(ctx, audience);
  const counts = await rows<{ reason: string | null; n: number }>(
    tx,
    sql`with src as (
        select uuid_v7() as id, c.id as contact_id, coalesce(c.email, '') as email, ${exclusionReason} as reason
        from contacts c where ${where}),
      ins as (
        insert into email_sends (id, org_id, campaign_id, contact_id, kind, email, state, reason, message_id)
        select id, ${ctx.orgId}::uuid, ${campaignId}::uuid, contact_id, 'campaign', email,
          case when reason is null then 'queued' else 'skipped' end, reason, '<' || id || '@' || ${host} || '>'
        from src order by id
        on conflict (campaign_id, contact_id) where campaign_id is not null do nothing
        returning reason)
      select reason, count(*)::int as n from ins group by reason`,
  );
  return summarise(counts);
}
