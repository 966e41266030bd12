import { sql } from 'drizzle-orm';
import type { Db } from '../../../lib/db.js';

/**
 * The email side of the contacts write path: timeline events of messages (email.sent, opened,
 * clicked, bounced …) and the subscription changes they cause, for contacts of any number of
 * organisations at once (the events applier works on batches from tracking and webhooks). The
 * actor is the system; the outbox rows hand the events to the bus like every other change.
 */
export interface EmailTimelineItem {
  orgId: string;
  contactId: string;
  type: string;
  data: Record<string, unknown>;
  at: Date;
}

export interface SubscriptionChange {
  orgId: string;
  contactId: string;
  /** unsubscribed | bounced | complained: from an event; subscribed: resubscribed on the preference page. */
  status: 'unsubscribed' | 'bounced' | 'complained' | 'subscribed';
  consentSource?: string;
}

/** Records timeline events (and their outbox rows, one per organisation) in the caller's transaction. */
export async function recordEmailTimeline(tx: Db, items: EmailTimelineItem[]): Promise<void> {
  if (items.length === 0) return;
  const payload = JSON.stringify(
    items.map((i) => ({ org_id: i.orgId, contact_id: i.contactId, type: i.type, data: i.data, at: i.at })),
  );
  await tx.execute(sql`with src as (
      select * from jsonb_to_recordset(${payload}::jsonb)
        as t(org_id uuid, contact_id uuid, type text, data jsonb, at timestamptz)),
    ev as (
      insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data, created_at)
      select src.org_id, src.contact_id, src.type, 'system', null, src.data, src.at
      from src join contacts c on c.id = src.contact_id and c.org_id = src.org_id
      order by src.at
      returning id, org_id)
    insert into event_outbox (org_id, event_ids)
    select org_id, array_agg(id) from ev group by org_id`);
}

/**
 * Applies subscription changes caused by email events. Precedence: complained > bounced >
 * unsubscribed; a resubscribe only lifts "unsubscribed" or "not subscribed" (never a bounce or a
 * complaint), and records consent.
 */
export async function applySubscriptionChanges(tx: Db, changes: SubscriptionChange[]): Promise<void> {
  if (changes.length === 0) return;
  const payload = JSON.stringify(
    changes.map((c) => ({
      org_id: c.orgId,
      contact_id: c.contactId,
      status: c.status,
      consent_source: c.consentSource ?? null,
    })),
  );
  await tx.execute(sql`with src as (
      select distinct on (contact_id) * from jsonb_to_recordset(${payload}::jsonb)
        as t(org_id uuid, contact_id uuid, status text, consent_source text)
      order by contact_id,
        case status when 'complained' then 0 when 'bounced' then 1 when 'unsubscribed' then 2 else 3 end)
    update contacts c set
      subscription_status = src.status,
      consent_source = case when src.status = 'subscribed' then src.consent_source else c.consent_source end,
      consent_basis = case when src.status = 'subscribed' then 'consent' else c.consent_basis end,
      consent_at = case when src.status = 'subscribed' then now() else c.consent_at end,
      updated_at = now()
    from src
    where c.id = src.contact_id and c.org_id = src.org_id and c.subscription_status <> src.status
      and case src.status
        when 'complained' then true
        when 'bounced' then c.subscription_status <> 'complained'
        when 'unsubscribed' then c.subscription_status in ('subscribed', 'not_subscribed')
        else c.subscription_status in ('unsubscribed', 'not_subscribed') end`);
}
