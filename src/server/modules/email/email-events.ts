import { sql } from 'drizzle-orm';
import type { EmailEventSource, EmailEventType } from '../../../common/email.js';
import type { Database, Db } from '../../lib/db.js';
import type { EventBus } from '../../lib/events.js';
import { pgArray, rows } from '../../lib/sql.js';
import {
  applySubscriptionChanges,
  type EmailTimelineItem,
  recordEmailTimeline,
  type SubscriptionChange,
} from '../contacts/write/email.js';

/**
 * The one place that applies normalised email events (tracking, SMTP results, provider webhooks):
 * raw rows in `email_events`, the ledger row's delivery and engagement columns (with precedence),
 * campaign aggregates and link counters, suppression, the contact's subscription status, and the
 * contact's timeline (through the contacts write path). Set-based: a batch costs a fixed number of
 * statements whatever its size.
 */
export interface EmailEventInput {
  sendId: string;
  type: EmailEventType;
  source: EmailEventSource;
  occurredAt?: Date;
  /** Privacy-proxy open or security-scanner click (classified by the caller). */
  machine?: boolean;
  linkId?: number;
  bounceType?: 'hard' | 'soft';
  detail?: Record<string, unknown>;
}

/** Soft bounces in a row that suppress an address. */
export const SOFT_BOUNCE_LIMIT = 3;

interface SendRow {
  id: string;
  org_id: string;
  campaign_id: string | null;
  contact_id: string | null;
  email: string;
  campaign_name: string | null;
  subject: string | null;
  delivered_at: Date | null;
  bounced_at: Date | null;
  bounce_type: string | null;
  complained_at: Date | null;
  unsubscribed_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  machine_opened_at: Date | null;
  machine_clicked_at: Date | null;
  opens: number;
  clicks: number;
}

type Counter =
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'unsubscribed'
  | 'opens'
  | 'machine_opens'
  | 'unique_opens'
  | 'unique_machine_opens'
  | 'clicks'
  | 'machine_clicks'
  | 'unique_clicks'
  | 'unique_machine_clicks';
const COUNTERS: Counter[] = [
  'sent',
  'delivered',
  'bounced',
  'complained',
  'unsubscribed',
  'opens',
  'machine_opens',
  'unique_opens',
  'unique_machine_opens',
  'clicks',
  'machine_clicks',
  'unique_clicks',
  'unique_machine_clicks',
];

/** The bucket of a campaign's totals row (the others are hours). */
export const TOTAL_BUCKET = new Date(0);

export async function applyEmailEvents(
  deps: { database: Database; events?: EventBus },
  events: EmailEventInput[],
  opts: { tx?: Db } = {},
): Promise<{ applied: number; unknown: number }> {
  if (events.length === 0) return { applied: 0, unknown: 0 };
  const run = (tx: Db) => applyIn(tx, events);
  const result = opts.tx ? await run(opts.tx) : await deps.database.db.transaction(run);
  if (!opts.tx && result.timeline > 0) deps.events?.kick();
  return { applied: result.applied, unknown: result.unknown };
}

async function applyIn(
  tx: Db,
  events: EmailEventInput[],
): Promise<{ applied: number; unknown: number; timeline: number }> {
  const ids = [...new Set(events.map((e) => e.sendId))].sort();
  // Locked in id order: concurrent batches touching the same messages never deadlock.
  const sends = await rows<SendRow>(
    tx,
    sql`select s.id, s.org_id, s.campaign_id, s.contact_id, s.email, c.name as campaign_name,
        coalesce(c.content ->> 'subject', s.payload ->> 'subject') as subject,
        s.delivered_at, s.bounced_at, s.bounce_type, s.complained_at, s.unsubscribed_at, s.opened_at,
        s.clicked_at, s.machine_opened_at, s.machine_clicked_at, s.opens, s.clicks
      from email_sends s left join campaigns c on c.id = s.campaign_id
      where s.id = any(${pgArray(ids)}::uuid[]) order by s.id for update of s`,
  );
  const byId = new Map(sends.map((s) => [s.id, s]));
  const touched = new Set<string>();
  const raw: Record<string, unknown>[] = [];
  type StatsRow = { campaign_id: string; org_id: string; bucket: string; counts: Record<Counter, number> };
  const stats = new Map<string, StatsRow>();
  const links = new Map<number, { clicks: number; human: number }>();
  const suppress: { org_id: string; email: string; reason: string }[] = [];
  const softBounces: { org_id: string; email: string; contact_id: string | null }[] = [];
  const deliveredAddresses: { org_id: string; email: string }[] = [];
  const subscription: SubscriptionChange[] = [];
  const timeline: EmailTimelineItem[] = [];
  let unknown = 0;

  const bump = (s: SendRow, at: Date, counter: Counter, by = 1) => {
    if (!s.campaign_id) return;
    const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
    for (const bucket of [TOTAL_BUCKET, hour]) {
      const key = `${s.campaign_id}|${bucket.toISOString()}`;
      let row = stats.get(key);
      if (!row) {
        const counts = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
        row = { campaign_id: s.campaign_id, org_id: s.org_id, bucket: bucket.toISOString(), counts };
        stats.set(key, row);
      }
      row.counts[counter] += by;
    }
  };

  const ordered = [...events].sort((a, b) => (a.occurredAt?.getTime() ?? 0) - (b.occurredAt?.getTime() ?? 0));
  for (const e of ordered) {
    const s = byId.get(e.sendId);
    if (!s) {
      unknown++;
      continue;
    }
    const at = e.occurredAt ?? new Date();
    const machine = e.machine === true;
    raw.push({
      org_id: s.org_id,
      send_id: s.id,
      campaign_id: s.campaign_id,
      contact_id: s.contact_id,
      type: e.type,
      machine,
      link_id: e.linkId ?? null,
      source: e.source,
      detail: { ...(e.bounceType ? { bounceType: e.bounceType } : {}), ...(e.detail ?? {}) },
      occurred_at: at.toISOString(),
    });
    const data: Record<string, unknown> = {
      sendId: s.id,
      campaignId: s.campaign_id,
      ...(s.campaign_name ? { campaignName: s.campaign_name } : {}),
      ...(s.subject ? { subject: s.subject } : {}),
      source: e.source,
      ...(machine ? { machine: true } : {}),
    };
    let onTimeline = true;
    switch (e.type) {
      case 'sent':
        bump(s, at, 'sent');
        break;
      case 'failed':
        if (typeof e.detail?.reason === 'string') data.reason = e.detail.reason.slice(0, 300);
        break;
      case 'delivered':
        // A late "delivered" never overrides a bounce or a complaint.
        if (s.bounced_at || s.delivered_at) {
          onTimeline = !s.delivered_at && !s.bounced_at;
          break;
        }
        s.delivered_at = at;
        touched.add(s.id);
        bump(s, at, 'delivered');
        deliveredAddresses.push({ org_id: s.org_id, email: s.email.toLowerCase() });
        break;
      case 'bounced': {
        const hard = e.bounceType !== 'soft';
        data.bounceType = hard ? 'hard' : 'soft';
        if (typeof e.detail?.reason === 'string') data.reason = e.detail.reason.slice(0, 300);
        if (!s.bounced_at) {
          s.bounced_at = at;
          bump(s, at, 'bounced');
          if (s.delivered_at) bump(s, at, 'delivered', -1);
        } else if (s.bounce_type === 'hard' || !hard) {
          // The same message bouncing again adds nothing (a soft bounce counts once per message).
          onTimeline = false;
          break;
        }
        s.bounce_type = hard ? 'hard' : 'soft';
        touched.add(s.id);
        if (hard) {
          suppress.push({ org_id: s.org_id, email: s.email, reason: 'hard_bounce' });
          if (s.contact_id)
            subscription.push({ orgId: s.org_id, contactId: s.contact_id, status: 'bounced' });
        } else {
          softBounces.push({ org_id: s.org_id, email: s.email.toLowerCase(), contact_id: s.contact_id });
        }
        break;
      }
      case 'complained':
        if (s.complained_at) {
          onTimeline = false;
          break;
        }
        s.complained_at = at;
        touched.add(s.id);
        bump(s, at, 'complained');
        suppress.push({ org_id: s.org_id, email: s.email, reason: 'complaint' });
        if (s.contact_id)
          subscription.push({ orgId: s.org_id, contactId: s.contact_id, status: 'complained' });
        break;
      case 'opened':
        touched.add(s.id);
        if (machine) {
          bump(s, at, 'machine_opens');
          if (!s.machine_opened_at) {
            s.machine_opened_at = at;
            bump(s, at, 'unique_machine_opens');
          }
        } else {
          s.opens++;
          bump(s, at, 'opens');
          if (!s.opened_at) {
            s.opened_at = at;
            bump(s, at, 'unique_opens');
          }
        }
        break;
      case 'clicked': {
        touched.add(s.id);
        if (e.linkId !== undefined) {
          const l = links.get(e.linkId) ?? { clicks: 0, human: 0 };
          l.clicks++;
          if (!machine) l.human++;
          links.set(e.linkId, l);
        }
        if (machine) {
          bump(s, at, 'machine_clicks');
          if (!s.machine_clicked_at) {
            s.machine_clicked_at = at;
            bump(s, at, 'unique_machine_clicks');
          }
        } else {
          s.clicks++;
          bump(s, at, 'clicks');
          if (!s.clicked_at) {
            s.clicked_at = at;
            bump(s, at, 'unique_clicks');
          }
          // A human click proves the message was opened (images may have been blocked).
          if (!s.opened_at) {
            s.opened_at = at;
            bump(s, at, 'unique_opens');
          }
        }
        if (typeof e.detail?.url === 'string') data.url = e.detail.url;
        break;
      }
      case 'unsubscribed':
        if (!s.unsubscribed_at) {
          s.unsubscribed_at = at;
          touched.add(s.id);
          bump(s, at, 'unsubscribed');
        }
        if (s.contact_id)
          subscription.push({ orgId: s.org_id, contactId: s.contact_id, status: 'unsubscribed' });
        break;
      case 'resubscribed':
        if (s.contact_id)
          subscription.push({
            orgId: s.org_id,
            contactId: s.contact_id,
            status: 'subscribed',
            consentSource: 'Preference page',
          });
        break;
    }
    if (onTimeline && s.contact_id) {
      timeline.push({ orgId: s.org_id, contactId: s.contact_id, type: `email.${e.type}`, data, at });
    }
  }

  if (raw.length) {
    await tx.execute(sql`insert into email_events
        (org_id, send_id, campaign_id, contact_id, type, machine, link_id, source, detail, occurred_at)
      select org_id, send_id, campaign_id, contact_id, type, machine, link_id, source, detail, occurred_at
      from jsonb_to_recordset(${JSON.stringify(raw)}::jsonb) as t(org_id uuid, send_id uuid, campaign_id uuid,
        contact_id uuid, type text, machine boolean, link_id bigint, source text, detail jsonb,
        occurred_at timestamptz)`);
  }
  if (touched.size) {
    const updates = [...touched].map((id) => {
      const s = byId.get(id)!;
      return {
        id,
        delivered_at: s.delivered_at,
        bounced_at: s.bounced_at,
        bounce_type: s.bounce_type,
        complained_at: s.complained_at,
        unsubscribed_at: s.unsubscribed_at,
        opened_at: s.opened_at,
        clicked_at: s.clicked_at,
        machine_opened_at: s.machine_opened_at,
        machine_clicked_at: s.machine_clicked_at,
        opens: s.opens,
        clicks: s.clicks,
      };
    });
    await tx.execute(sql`update email_sends s set delivered_at = v.delivered_at, bounced_at = v.bounced_at,
        bounce_type = v.bounce_type, complained_at = v.complained_at, unsubscribed_at = v.unsubscribed_at,
        opened_at = v.opened_at, clicked_at = v.clicked_at, machine_opened_at = v.machine_opened_at,
        machine_clicked_at = v.machine_clicked_at, opens = v.opens, clicks = v.clicks
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id uuid, delivered_at timestamptz,
        bounced_at timestamptz, bounce_type text, complained_at timestamptz, unsubscribed_at timestamptz,
        opened_at timestamptz, clicked_at timestamptz, machine_opened_at timestamptz,
        machine_clicked_at timestamptz, opens int, clicks int)
      where s.id = v.id`);
  }
  if (stats.size) {
    const list = [...stats.values()]
      .sort((a, b) => `${a.campaign_id}|${a.bucket}`.localeCompare(`${b.campaign_id}|${b.bucket}`))
      .map(({ counts, ...key }) => ({ ...key, ...counts }));
    const cols = sql.raw(COUNTERS.join(', '));
    const types = sql.raw(COUNTERS.map((c) => `${c} int`).join(', '));
    const sets = sql.raw(COUNTERS.map((c) => `${c} = campaign_stats.${c} + excluded.${c}`).join(', '));
    await tx.execute(sql`insert into campaign_stats (campaign_id, org_id, bucket, ${cols})
      select campaign_id, org_id, bucket, ${cols}
      from jsonb_to_recordset(${JSON.stringify(list)}::jsonb)
        as t(campaign_id uuid, org_id uuid, bucket timestamptz, ${types})
      order by campaign_id, bucket
      on conflict (campaign_id, bucket) do update set ${sets}`);
  }
  if (links.size) {
    const list = [...links.entries()].sort((a, b) => a[0] - b[0]).map(([id, l]) => ({ id, ...l }));
    await tx.execute(sql`update email_links l set clicks = l.clicks + v.clicks, human_clicks = l.human_clicks + v.human
      from jsonb_to_recordset(${JSON.stringify(list)}::jsonb) as v(id bigint, clicks int, human int)
      where l.id = v.id`);
  }
  if (deliveredAddresses.length) {
    await tx.execute(sql`delete from bounce_streaks b
      using jsonb_to_recordset(${JSON.stringify(deliveredAddresses)}::jsonb) as v(org_id uuid, email text)
      where b.org_id = v.org_id and b.email = v.email`);
  }
  if (softBounces.length) {
    const streaks = await rows<{ org_id: string; email: string; count: number }>(
      tx,
      sql`insert into bounce_streaks (org_id, email, count, updated_at)
        select org_id, email, count(*), now()
        from jsonb_to_recordset(${JSON.stringify(softBounces)}::jsonb) as v(org_id uuid, email text)
        group by org_id, email order by org_id, email
        on conflict (org_id, email) do update set count = bounce_streaks.count + excluded.count, updated_at = now()
        returning org_id, email, count`,
    );
    for (const s of streaks) {
      if (s.count < SOFT_BOUNCE_LIMIT) continue;
      suppress.push({ org_id: s.org_id, email: s.email, reason: 'soft_bounce' });
      for (const b of softBounces) {
        if (b.org_id === s.org_id && b.email === s.email && b.contact_id)
          subscription.push({ orgId: b.org_id, contactId: b.contact_id, status: 'bounced' });
      }
    }
  }
  if (suppress.length) {
    await tx.execute(sql`insert into suppressions (org_id, email, reason, note)
      select distinct on (org_id, lower(email)) org_id, lower(email), reason, 'Added automatically'
      from jsonb_to_recordset(${JSON.stringify(suppress)}::jsonb) as v(org_id uuid, email text, reason text)
      order by org_id, lower(email)
      on conflict (org_id, lower(email)) where removed_at is null do nothing`);
  }
  await applySubscriptionChanges(tx, subscription);
  await recordEmailTimeline(tx, timeline);
  return { applied: events.length - unknown, unknown, timeline: timeline.length };
}
