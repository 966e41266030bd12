import type { Database } from '../../lib/db.js';
import type { EventBus } from '../../lib/events.js';
import { applyEmailEvents, type EmailEventInput } from '../email/email-events.js';
import { isEarlyClick, type MachineReason } from './bots.js';
import type { BufferedEvent } from './buffer.js';

/**
 * Tracking use-cases. There is no signed-in caller: the signed token in the URL names one message
 * (a ledger row), and every query here is keyed by that message (or by the link id signed with it),
 * so a token can only ever reach its own message's organisation.
 */
export interface TrackingDeps {
  database: Database;
  events?: EventBus;
}

/** An open or click waiting in the buffer (a click knows the organisation of its link). */
export type TrackedEvent = EmailEventInput & BufferedEvent & { occurredAt: Date; linkOrgId?: string };

/** A small LRU map: recently used keys stay, the least recently used go past `max`. */
export class Lru<K, V> {
  private map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  get size(): number {
    return this.map.size;
  }
}

/** The redirect target of a stored link: only absolute http(s) URLs, else null (never redirected). */
export function safeRedirectUrl(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href;
  } catch {
    return null;
  }
}

export interface StoredLink {
  url: string;
  orgId: string;
}

/**
 * Link URLs (and their organisation) by id, cached: links never change once stored (a new URL is
 * a new row), so a hit needs no query. Concurrent misses for one id share one query. Unknown ids
 * and links that may not be redirected to are not cached.
 */
export function createLinkResolver(database: Database, max = 10_000) {
  const cache = new Lru<number, StoredLink>(max);
  const inflight = new Map<number, Promise<StoredLink | null>>();
  return {
    cache,
    async resolve(linkId: number): Promise<StoredLink | null> {
      const hit = cache.get(linkId);
      if (hit !== undefined) return hit;
      let p = inflight.get(linkId);
      if (!p) {
        p = database
          .query<{ url: string; org_id: string }>('select url, org_id from email_links where id = $1', [
            linkId,
          ])
          .then(({ rows }) => {
            const url = rows[0] ? safeRedirectUrl(rows[0].url) : null;
            if (!url) return null;
            const link = { url, orgId: rows[0]!.org_id };
            cache.set(linkId, link);
            return link;
          })
          .finally(() => inflight.delete(linkId));
        inflight.set(linkId, p);
      }
      return p;
    },
  };
}

/**
 * Writes one buffered batch: first the checks that need the ledger (one query for the batch's
 * clicked messages): a click within 10 s of sending is a gateway scanning the message on arrival
 * (machine), and a click whose link belongs to another organisation than its message is dropped
 * (the signature says we issued the pair, so this never happens unless rendering went wrong; it
 * keeps one tenant's click from counting on another's link). Then everything goes through
 * applyEmailEvents in one transaction.
 */
export async function writeTrackedEvents(
  deps: TrackingDeps,
  batch: TrackedEvent[],
  log?: { warn(obj: object, msg: string): void },
): Promise<void> {
  const clicks = batch.filter((e) => e.type === 'clicked');
  let events = batch;
  if (clicks.length > 0) {
    const ids = [...new Set(clicks.map((e) => e.sendId))];
    const { rows } = await deps.database.query<{ id: string; org_id: string; sent_at: Date | null }>(
      'select id, org_id, sent_at from email_sends where id = any($1::uuid[])',
      [ids],
    );
    const sends = new Map(rows.map((r) => [r.id, r]));
    const foreign = new Set<TrackedEvent>();
    for (const e of clicks) {
      const send = sends.get(e.sendId);
      if (!send) continue; // the applier counts it as unknown
      if (e.linkOrgId !== undefined && e.linkOrgId !== send.org_id) {
        foreign.add(e);
        continue;
      }
      if (!e.machine && isEarlyClick(e.occurredAt, send.sent_at)) {
        e.machine = true;
        e.detail = { ...e.detail, machineReason: 'early_click' satisfies MachineReason };
      }
    }
    if (foreign.size > 0) {
      log?.warn({ dropped: foreign.size }, "tracking: clicks on another organisation's link were dropped");
      events = batch.filter((e) => !foreign.has(e));
    }
  }
  await applyEmailEvents(
    deps,
    events.map(({ receivedAt: _r, linkOrgId: _o, ...e }) => e),
  );
}

export type SubscriptionStatus = 'subscribed' | 'not_subscribed' | 'unsubscribed' | 'bounced' | 'complained';

export interface PageSend {
  sendId: string;
  orgName: string;
  email: string;
  /** The contact's status; null when the contact no longer exists. */
  status: SubscriptionStatus | null;
  unsubscribedAt: Date | null;
}

/** What the unsubscribe and preference pages show for a message, or null for an unknown one. */
export async function findPageSend(deps: TrackingDeps, sendId: string): Promise<PageSend | null> {
  const { rows } = await deps.database.query<{
    id: string;
    org_name: string;
    email: string;
    status: SubscriptionStatus | null;
    unsubscribed_at: Date | null;
  }>(
    `select s.id, o.name as org_name, s.email, c.subscription_status as status, s.unsubscribed_at
       from email_sends s
       join organizations o on o.id = s.org_id
       left join contacts c on c.id = s.contact_id and c.org_id = s.org_id
      where s.id = $1`,
    [sendId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    sendId: r.id,
    orgName: r.org_name,
    email: r.email,
    status: r.status,
    unsubscribedAt: r.unsubscribed_at,
  };
}

/**
 * Whether an unsubscribe from this message has nothing left to do: the contact is unsubscribed,
 * or (no contact, or a bounced/complained one, whose status an unsubscribe does not change) this
 * message already recorded one.
 */
export function isUnsubscribed(send: PageSend): boolean {
  if (send.status === 'unsubscribed') return true;
  if (send.status === 'subscribed' || send.status === 'not_subscribed') return false;
  return send.unsubscribedAt !== null;
}

/**
 * Unsubscribes the recipient of a message, durably (the caller answers after this resolves).
 * Idempotent: a recipient who is no longer subscribed is left as is (no second event).
 * Returns null for an unknown message, else the message's state afterwards.
 */
export async function unsubscribe(
  deps: TrackingDeps,
  sendId: string,
  source: 'tracking' | 'preferences',
): Promise<PageSend | null> {
  const send = await findPageSend(deps, sendId);
  if (!send) return null;
  if (isUnsubscribed(send)) return send;
  await applyEmailEvents(deps, [{ sendId, type: 'unsubscribed', source, occurredAt: new Date() }]);
  return findPageSend(deps, sendId);
}

/**
 * Subscribes the recipient again from the preference page (consent recorded as the preference
 * page by the applier). Only lifts "unsubscribed" or "not subscribed": a bounced or complained
 * address stays as it is. Idempotent.
 */
export async function resubscribe(deps: TrackingDeps, sendId: string): Promise<PageSend | null> {
  const send = await findPageSend(deps, sendId);
  if (!send) return null;
  if (!canResubscribe(send)) return send;
  await applyEmailEvents(deps, [
    { sendId, type: 'resubscribed', source: 'preferences', occurredAt: new Date() },
  ]);
  return findPageSend(deps, sendId);
}

export function canResubscribe(send: PageSend): boolean {
  return send.status === 'unsubscribed' || send.status === 'not_subscribed';
}
