import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { CampaignAudience } from '../../../common/email.js';
import type { CampaignContent } from '../../../db/schema/email.js';
import type { Config } from '../../lib/config.js';
import { type Deps, systemCtx } from '../../lib/context.js';
import type { Keyring } from '../../lib/crypto.js';
import type { Database, Db } from '../../lib/db.js';
import type { EventBus } from '../../lib/events.js';
import type { JobQueue } from '../../lib/jobs.js';
import { pgArray, rows } from '../../lib/sql.js';
import { trackingUrls } from '../../lib/tokens.js';
import { safeErrorSummary } from '../../plugins/errors.js';
import { materialiseLedger } from '../campaigns/audience.js';
import { contactFieldKeys } from '../fields/fields.repo.js';
import {
  type ContactRow,
  companyMergeVars,
  contactMergeVars,
  type PreparedTemplate,
  prepareTemplate,
  renderPrepared,
} from '../templates/render.js';
import { compose } from './compose.js';
import { applyEmailEvents, type EmailEventInput } from './email-events.js';
import { DeliveryError, deliver } from './transport.js';

/**
 * The send runner: every process with workers runs one. It starts due campaigns (writes their
 * ledger), claims queued ledger rows (`for update skip locked`, so processes share the work),
 * renders and delivers them on `concurrency` lanes under each organisation's throttle, and
 * records each result before its lane takes the next message (group commit). Guarantees:
 * - a crash (SIGKILL) leaves at most `concurrency` messages delivered but not recorded; their
 *   rows stay "sending" and are queued again once their lease expires, so everyone gets the
 *   message and the duplicates are at most those in flight;
 * - pause, cancel and a graceful stop let the messages in flight finish and be recorded, and put
 *   the claimed rest back to "queued": no duplicates;
 * - a campaign is marked "sent" only when none of its rows is queued or sending.
 * Decision record 010 says why this is a runner over the ledger rather than a job per message.
 */
export interface SendRunner {
  start(): void;
  /** Wake the loop now (a campaign was started, resumed, or a transactional message queued). */
  kick(): void;
  stop(): Promise<void>;
}

export interface RunnerDeps {
  config: Config;
  database: Database;
  keys: Keyring;
  log: Logger;
  events?: EventBus;
  jobs: JobQueue;
}

interface Claimed {
  id: string;
  org_id: string;
  campaign_id: string | null;
  contact_id: string | null;
  email: string;
  kind: 'campaign' | 'transactional' | 'test' | 'automation';
  payload: Record<string, unknown> | null;
  attempts: number;
  message_id: string;
}

interface Outcome {
  row: Claimed;
  state: 'sent' | 'failed' | 'queued' | 'skipped';
  reason?: string;
  error?: string;
  retryInSeconds?: number;
}

/** Attempts before a temporarily failing message is given up. */
export const MAX_ATTEMPTS = 5;

export function createSendRunner(deps: RunnerDeps): SendRunner {
  const { config, log } = deps;
  const db = deps.database.db;
  const concurrency = config.sendConcurrency;
  const batchSize = Math.max(concurrency * 8, 64);
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let lastReclaim = 0;
  let rotation = 0;

  const prepared = new Map<string, { at: number; value: Promise<PreparedTemplate> }>();
  const orgCache = new Map<string, { at: number; name: string; throttle: number }>();
  const nextSlot = new Map<string, number>();
  const campaignStatus = new Map<string, { at: number; status: string }>();

  async function orgInfo(orgId: string) {
    const hit = orgCache.get(orgId);
    if (hit && Date.now() - hit.at < 5_000) return hit;
    const [r] = await rows<{ name: string; throttle: number | null }>(
      db,
      sql`select o.name, s.throttle_per_second as throttle from organizations o
        left join email_settings s on s.org_id = o.id where o.id = ${orgId}`,
    );
    const value = { at: Date.now(), name: r?.name ?? '', throttle: r?.throttle ?? 20 };
    orgCache.set(orgId, value);
    return value;
  }

  /** Milliseconds until this organisation may send its next campaign message (per process). */
  function slotWait(orgId: string, now: number): number {
    return Math.max(0, (nextSlot.get(orgId) ?? 0) - now);
  }
  /** Takes this organisation's next send slot. */
  function takeSlot(orgId: string, now: number) {
    const rate = orgCache.get(orgId)?.throttle ?? 20;
    nextSlot.set(orgId, Math.max(now, nextSlot.get(orgId) ?? 0) + 1000 / rate);
  }

  async function statusOf(campaignId: string): Promise<string> {
    const hit = campaignStatus.get(campaignId);
    if (hit && Date.now() - hit.at < 200) return hit.status;
    const [r] = await rows<{ status: string }>(
      db,
      sql`select status from campaigns where id = ${campaignId}`,
    );
    const status = r?.status ?? 'canceled';
    campaignStatus.set(campaignId, { at: Date.now(), status });
    return status;
  }

  function templateFor(key: string, load: () => Promise<PreparedTemplate>): Promise<PreparedTemplate> {
    const hit = prepared.get(key);
    if (hit && Date.now() - hit.at < 60_000) return hit.value;
    if (prepared.size > 500) prepared.clear();
    const value = load();
    value.catch(() => prepared.delete(key));
    prepared.set(key, { at: Date.now(), value });
    return value;
  }

  // ---- starting due campaigns -------------------------------------------------------------
  async function startDueCampaigns(): Promise<number> {
    let started = 0;
    for (;;) {
      const done = await db.transaction(async (tx) => {
        const [c] = await rows<{
          id: string;
          org_id: string;
          audience: CampaignAudience;
          created_by: string | null;
        }>(
          tx,
          sql`select id, org_id, audience, created_by from campaigns
            where status = 'scheduled' and scheduled_at <= now()
            order by scheduled_at limit 1 for update skip locked`,
        );
        if (!c) return false;
        const ctx = systemCtx(depsFor(), c.org_id);
        try {
          const counts = await materialiseLedger(tx, ctx, c.id, c.audience, new URL(config.baseUrl).hostname);
          await tx.execute(sql`update campaigns set status = 'sending', started_at = now(), updated_at = now(),
              recipient_count = ${counts.recipients}, excluded = ${JSON.stringify(counts.excluded)}::jsonb
            where id = ${c.id}`);
          log.info({ campaignId: c.id, recipients: counts.recipients }, 'campaign started');
        } catch (err) {
          // The audience no longer resolves (a segment deleted since): back to draft, visibly.
          log.warn({ campaignId: c.id, err: safeErrorSummary(err) }, 'campaign could not start');
          await tx.execute(sql`update campaigns set status = 'draft', scheduled_at = null, updated_at = now(),
              excluded = jsonb_build_object('error', ${(err as Error).message.slice(0, 300)}::text)
            where id = ${c.id}`);
        }
        return true;
      });
      if (!done) return started;
      started++;
    }
  }

  function depsFor(): Deps {
    return { config, database: deps.database, jobs: deps.jobs, events: deps.events, keys: deps.keys };
  }

  // ---- claiming --------------------------------------------------------------------------
  async function reclaimStale() {
    const lease = config.sendLeaseSeconds;
    const r = await rows<{ n: number }>(
      db,
      sql`with s as (update email_sends set state = 'queued', next_attempt_at = now()
          where state = 'sending' and sending_at < now() - make_interval(secs => ${lease}) returning 1)
        select count(*)::int as n from s`,
    );
    if (r[0]?.n) log.warn({ messages: r[0].n }, 'messages whose sender stopped are queued again');
  }

  async function claim(): Promise<Claimed[]> {
    const sending = await rows<{ id: string; throttle: number }>(
      db,
      sql`select c.id, coalesce(s.throttle_per_second, 20) as throttle from campaigns c
        left join email_settings s on s.org_id = c.org_id where c.status = 'sending' order by c.id`,
    );
    const claimed: Claimed[] = [];
    const take = async (where: ReturnType<typeof sql>, limit: number) => {
      const got = await rows<Claimed>(
        db,
        sql`with picked as (
            select id from email_sends s where ${where}
            order by id limit ${limit} for update skip locked)
          update email_sends s set state = 'sending', sending_at = now(), attempts = s.attempts + 1
          from picked where s.id = picked.id
          returning s.id, s.org_id, s.campaign_id, s.contact_id, s.email, s.kind, s.payload, s.attempts, s.message_id`,
      );
      claimed.push(...got);
    };
    await take(
      sql`s.kind in ('transactional','automation') and s.state = 'queued' and s.next_attempt_at <= now()`,
      Math.ceil(batchSize / 2),
    );
    // Round-robin over sending campaigns, so one large campaign does not starve the others.
    if (sending.length) {
      rotation = (rotation + 1) % sending.length;
      const order = [...sending.slice(rotation), ...sending.slice(0, rotation)];
      for (const c of order) {
        const left = batchSize - claimed.length;
        if (left <= 0) break;
        // At most ~5 s of this organisation's throttle: claimed rows must be sent well within the lease.
        const limit = Math.min(
          Math.max(Math.ceil(batchSize / order.length), Math.min(left, concurrency)),
          Math.max(1, c.throttle * 5),
        );
        await take(
          sql`s.campaign_id = ${c.id} and s.state = 'queued' and (s.next_attempt_at is null or s.next_attempt_at <= now())`,
          limit,
        );
      }
    }
    return claimed;
  }

  // ---- rendering and delivery -------------------------------------------------------------
  interface Recipient {
    contact: ContactRow & {
      subscription_status: string;
      restricted: boolean;
      company: {
        name: string | null;
        domain: string | null;
        website: string | null;
        industry: string | null;
      } | null;
    };
  }

  async function loadRecipients(batch: Claimed[]) {
    const ids = batch.map((b) => b.contact_id).filter((x): x is string => !!x);
    const found = new Map<string, Recipient['contact']>();
    if (ids.length) {
      const list = await rows<Recipient['contact'] & { org_id: string }>(
        db,
        sql`select c.id, c.org_id, c.first_name, c.last_name, c.email, c.phones, c.job_title, c.company_name, c.custom,
            c.subscription_status, c.restricted,
            case when co.id is null then null else jsonb_build_object('name', co.name, 'domain', co.domain,
              'website', co.website, 'industry', co.industry) end as company
          from contacts c left join companies co on co.id = c.company_id
          where c.id = any(${pgArray(ids)}::uuid[])`,
      );
      for (const c of list) found.set(c.id, c);
    }
    const suppressed = new Set(
      (
        await rows<{ key: string }>(
          db,
          sql`select x.org_id || '|' || lower(x.email) as key from suppressions x
            join unnest(${pgArray(batch.map((b) => b.org_id))}::uuid[], ${pgArray(batch.map((b) => b.email.toLowerCase()))}::text[])
              as v(org_id, email) on x.org_id = v.org_id and lower(x.email) = v.email
            where x.removed_at is null`,
        )
      ).map((r) => r.key),
    );
    return { contacts: found, suppressed };
  }

  async function campaignContent(campaignId: string) {
    const [c] = await rows<{ content: CampaignContent; org_id: string }>(
      db,
      sql`select content, org_id from campaigns where id = ${campaignId}`,
    );
    if (!c?.content) throw new Error('campaign has no frozen content');
    return c;
  }

  const contentCache = new Map<string, Promise<{ content: CampaignContent; org_id: string }>>();

  async function send(
    row: Claimed,
    recipients: Awaited<ReturnType<typeof loadRecipients>>,
  ): Promise<Outcome> {
    const contact = row.contact_id ? recipients.contacts.get(row.contact_id) : undefined;
    if (recipients.suppressed.has(`${row.org_id}|${row.email.toLowerCase()}`))
      return { row, state: 'skipped', reason: 'suppressed' };
    const org = await orgInfo(row.org_id);
    let subject: string;
    let html: string;
    let text: string;
    let from: { name: string; address: string };
    let replyTo: string | null = null;
    let marketing = false;
    let postalAddress = '';
    if (row.kind === 'campaign') {
      // Re-checked at send time: whoever unsubscribed or was restricted since the start is skipped.
      if (!contact) return { row, state: 'skipped', reason: 'deleted' };
      if (contact.restricted) return { row, state: 'skipped', reason: 'restricted' };
      if (contact.subscription_status !== 'subscribed')
        return {
          row,
          state: 'skipped',
          reason: ['unsubscribed', 'bounced', 'complained'].includes(contact.subscription_status)
            ? contact.subscription_status
            : 'not_subscribed',
        };
      let cached = contentCache.get(row.campaign_id!);
      if (!cached) {
        cached = campaignContent(row.campaign_id!);
        cached.catch(() => contentCache.delete(row.campaign_id!));
        contentCache.set(row.campaign_id!, cached);
      }
      const { content } = await cached;
      const tpl = await templateFor(`c:${row.campaign_id}`, async () =>
        prepareTemplate(content, { customFieldKeys: await contactFieldKeys(db, row.org_id) }),
      );
      const out = await renderPrepared(tpl, {
        contact: contactMergeVars(contact),
        company: companyMergeVars(contact.company),
        organization: { name: org.name, postalAddress: content.postalAddress },
        unsubscribe_url: trackingUrls.unsubscribe(config.baseUrl, deps.keys, row.id),
        preferences_url: trackingUrls.preferences(config.baseUrl, deps.keys, row.id),
      });
      ({ subject, html, text } = out);
      from = { name: content.fromName, address: content.fromEmail };
      replyTo = content.replyTo;
      marketing = true;
      postalAddress = content.postalAddress;
    } else {
      const p = (row.payload ?? {}) as unknown as TransactionalPayload;
      if (row.kind === 'automation') {
        // A workflow's email is marketing: re-checked at send time like a campaign's.
        if (!contact) return { row, state: 'skipped', reason: 'deleted' };
        if (contact.restricted) return { row, state: 'skipped', reason: 'restricted' };
        if (contact.subscription_status !== 'subscribed')
          return {
            row,
            state: 'skipped',
            reason: ['unsubscribed', 'bounced', 'complained'].includes(contact.subscription_status)
              ? contact.subscription_status
              : 'not_subscribed',
          };
        marketing = true;
        postalAddress = p.postalAddress ?? '';
      }
      const tpl = await templateFor(
        p.templateId ? `t:${p.templateId}:${p.templateVersion}` : `i:${row.id}`,
        async () => prepareTemplate(p.content, { customFieldKeys: await contactFieldKeys(db, row.org_id) }),
      );
      const out = await renderPrepared(tpl, {
        contact: contact ? contactMergeVars(contact) : { email: row.email },
        company: contact ? companyMergeVars(contact.company) : null,
        organization: { name: org.name, postalAddress: p.postalAddress ?? '' },
        data: p.data ?? {},
        ...(marketing
          ? {
              unsubscribe_url: trackingUrls.unsubscribe(config.baseUrl, deps.keys, row.id),
              preferences_url: trackingUrls.preferences(config.baseUrl, deps.keys, row.id),
            }
          : {}),
      });
      ({ subject, html, text } = out);
      from = p.from;
      replyTo = p.from.replyTo ?? null;
    }
    const composed = await compose(db, deps.keys, config.baseUrl, {
      sendId: row.id,
      orgId: row.org_id,
      campaignId: row.campaign_id,
      html,
      text,
      marketing,
      track: row.kind !== 'test',
      organization: { name: org.name, postalAddress },
    });
    try {
      await deliver(depsFor(), row.org_id, {
        from,
        replyTo,
        to: row.email,
        subject,
        html: composed.html,
        text: composed.text,
        headers: composed.headers,
        messageId: row.message_id,
      });
      return { row, state: 'sent' };
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, false);
      if (e.permanent || row.attempts >= MAX_ATTEMPTS) return { row, state: 'failed', error: e.message };
      const retryInSeconds = config.sendRetrySeconds * 2 ** (row.attempts - 1);
      return { row, state: 'queued', error: e.message, retryInSeconds };
    }
  }

  // ---- recording (group commit) -----------------------------------------------------------
  let pending: Outcome[] = [];
  let flushing: Promise<void> | null = null;

  async function write(batch: Outcome[]) {
    const updates = batch.map((o) => ({
      id: o.row.id,
      state: o.state,
      reason: o.reason ?? null,
      error: o.error?.slice(0, 500) ?? null,
      retry: o.retryInSeconds ?? null,
    }));
    const events: EmailEventInput[] = batch
      .filter((o) => o.state === 'sent' || o.state === 'failed')
      .map((o) => ({
        sendId: o.row.id,
        type: o.state === 'sent' ? ('sent' as const) : ('failed' as const),
        source: 'smtp' as const,
        ...(o.error ? { detail: { reason: o.error } } : {}),
      }));
    for (let attempt = 1; ; attempt++) {
      try {
        await db.transaction(async (tx) => {
          await tx.execute(sql`update email_sends s set state = v.state,
              reason = coalesce(v.reason, s.reason),
              last_error = coalesce(v.error, s.last_error),
              sent_at = case when v.state = 'sent' then now() else s.sent_at end,
              failed_at = case when v.state = 'failed' then now() else s.failed_at end,
              next_attempt_at = case when v.state = 'queued' then now() + make_interval(secs => v.retry) else s.next_attempt_at end
            from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
              as v(id uuid, state text, reason text, error text, retry int)
            where s.id = v.id and s.state = 'sending'`);
          if (events.length) await applyEmailEvents(deps, events, { tx: tx as Db });
        });
        deps.events?.kick();
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        log.warn({ err: safeErrorSummary(err), attempt }, 'recording send results failed; retrying');
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  function record(o: Outcome): Promise<void> {
    pending.push(o);
    if (!flushing) {
      flushing = (async () => {
        try {
          await Promise.resolve();
          while (pending.length) {
            const batch = pending;
            pending = [];
            await write(batch);
          }
        } finally {
          // Cleared in the same step as the last check of `pending` (not a tick later, as a
          // .finally() would): an outcome recorded in between would otherwise wait for a flush
          // that has already ended, and its lane would move on with it unwritten.
          flushing = null;
        }
      })();
    }
    return flushing;
  }

  async function release(rowsLeft: Claimed[]) {
    if (!rowsLeft.length) return;
    // Back to the queue, unless their campaign was canceled meanwhile: then they are skipped.
    await db.execute(sql`update email_sends s set attempts = greatest(s.attempts - 1, 0),
        state = case when c.status = 'canceled' then 'skipped' else 'queued' end,
        reason = case when c.status = 'canceled' then 'canceled' else s.reason end
      from email_sends s2 left join campaigns c on c.id = s2.campaign_id
      where s.id = s2.id and s.id = any(${pgArray(rowsLeft.map((r) => r.id))}::uuid[]) and s.state = 'sending'`);
  }

  async function processBatch(batch: Claimed[]) {
    const recipients = await loadRecipients(batch);
    await Promise.all([...new Set(batch.map((b) => b.org_id))].map((o) => orgInfo(o)));
    const queue = [...batch];
    /** The next row whose organisation may send now (transactional mail is not throttled). */
    const next = (): { row?: Claimed; waitMs: number } => {
      const now = Date.now();
      let waitMs = Number.POSITIVE_INFINITY;
      for (let i = 0; i < queue.length; i++) {
        const row = queue[i]!;
        const wait = row.kind === 'campaign' ? slotWait(row.org_id, now) : 0;
        if (wait === 0) {
          queue.splice(i, 1);
          if (row.kind === 'campaign') takeSlot(row.org_id, now);
          return { row, waitMs: 0 };
        }
        waitMs = Math.min(waitMs, wait);
      }
      return { waitMs };
    };
    const lane = async () => {
      for (;;) {
        if (stopping) return;
        if (queue.length === 0) return;
        const { row, waitMs } = next();
        if (!row) {
          await new Promise((r) => setTimeout(r, Math.min(waitMs, 1000)));
          continue;
        }
        if (row.campaign_id && (await statusOf(row.campaign_id)) !== 'sending') {
          await release([row]);
          continue;
        }
        let outcome: Outcome;
        try {
          outcome = await send(row, recipients);
        } catch (err) {
          // Rendering failed (a template that no longer renders): this message fails for good.
          outcome = { row, state: 'failed', error: (err as Error).message };
        }
        await record(outcome);
      }
    };
    // Every lane ends before the batch does, even when one fails (recording its results failed):
    // a lane left running would go on sending past the next tick's claims and past stop().
    const lanes = await Promise.allSettled(Array.from({ length: concurrency }, lane));
    // Stopping (or a lane failed): what was claimed but not started goes back to the queue.
    await release(queue.splice(0));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async function completeCampaigns() {
    const done = await rows<{ id: string }>(
      db,
      sql`update campaigns c set status = 'sent', finished_at = now(), updated_at = now()
        where c.status = 'sending'
          and not exists (select 1 from email_sends s where s.campaign_id = c.id and s.state in ('queued', 'sending'))
        returning c.id`,
    );
    for (const d of done) {
      contentCache.delete(d.id);
      prepared.delete(`c:${d.id}`);
      log.info({ campaignId: d.id }, 'campaign sent');
    }
  }

  async function tick(): Promise<boolean> {
    await startDueCampaigns();
    if (Date.now() - lastReclaim > 2_000) {
      lastReclaim = Date.now();
      await reclaimStale();
    }
    const batch = await claim();
    if (batch.length) await processBatch(batch);
    await completeCampaigns();
    return batch.length > 0;
  }

  async function run() {
    while (!stopping) {
      let busy = false;
      try {
        busy = await tick();
      } catch (err) {
        log.error({ err: safeErrorSummary(err) }, 'send runner tick failed');
      }
      if (!busy && !stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, config.sendPollMs).unref();
        });
        wake = null;
      }
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    kick() {
      campaignStatus.clear();
      wake?.();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await flushing;
      loop = null;
    },
  };
}

/** What a transactional ledger row carries to be rendered when it is sent. */
export interface TransactionalPayload {
  templateId?: string;
  templateVersion?: string;
  content: { subject: string; format: 'html' | 'mjml'; body: string; text: string | null };
  data?: Record<string, unknown>;
  from: { name: string; address: string; replyTo?: string | null };
  postalAddress?: string;
  subject?: string;
}
