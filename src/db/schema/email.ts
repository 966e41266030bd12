import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { contacts, v7id } from './contacts.js';
import { organizations } from './organizations.js';

/*
 * Email: senders, settings, templates, campaigns, the send ledger, links, suppressions, stats.
 * The raw event store `email_events` is partitioned by month and written in SQL only (migration
 * 0013): Drizzle's schema cannot express partitioning.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const orgId = () =>
  uuid('org_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

/** A From identity of an organisation. */
export const senders = pgTable(
  'senders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    replyTo: text('reply_to'),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('senders_org_email_uq').on(t.orgId, sql`lower(${t.email})`),
    uniqueIndex('senders_org_default_uq').on(t.orgId).where(sql`${t.isDefault}`),
  ],
);

/** Per-organisation sending settings (one row, created on first write). */
export const emailSettings = pgTable(
  'email_settings',
  {
    orgId: uuid('org_id')
      .primaryKey()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** Goes in every marketing footer; required before a marketing send. */
    postalAddress: text('postal_address').notNull().default(''),
    /** IANA time zone for schedules ("send at 09:00"). */
    timeZone: text('time_zone').notNull().default('UTC'),
    /** Messages per second, for this organisation's campaigns. */
    throttlePerSecond: integer('throttle_per_second').notNull().default(20),
    smtpHost: text('smtp_host'),
    smtpPort: integer('smtp_port'),
    smtpSecure: boolean('smtp_secure').notNull().default(false),
    smtpUser: text('smtp_user'),
    /** AES-256-GCM under the environment's key (lib/crypto.ts); never returned by the API. */
    smtpPasswordEnc: text('smtp_password_enc'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('email_settings_throttle_ck', sql`${t.throttlePerSecond} between 1 and 10000`)],
);

/** An inbound provider webhook endpoint of an organisation (its secret and checks). */
export const emailWebhooks = pgTable(
  'email_webhooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    provider: text('provider').notNull(),
    /** Encrypted secret (HMAC key, basic-auth password, Svix secret) or public key (SendGrid). */
    secretEnc: text('secret_enc'),
    /** Provider specifics: SES TopicArn allow-list, Postmark user name, … */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_webhooks_org_provider_uq').on(t.orgId, t.provider),
    check(
      'email_webhooks_provider_ck',
      sql`${t.provider} in ('ses','postmark','sendgrid','mailgun','resend')`,
    ),
  ],
);

/** Provider event ids already processed (replays are dropped); purged after 30 days. */
export const emailWebhookReceipts = pgTable(
  'email_webhook_receipts',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    orgId: orgId(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.eventId] }),
    index('email_webhook_receipts_at_idx').on(t.receivedAt),
  ],
);

export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    /** 'html': body is HTML (a fragment is put in the responsive layout); 'mjml': body is MJML. */
    format: text('format').notNull().default('html'),
    body: text('body').notNull(),
    /** Plain-text part; generated from the HTML when null. */
    text: text('text'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('templates_org_name_uq').on(t.orgId, sql`lower(${t.name})`),
    check('templates_format_ck', sql`${t.format} in ('html','mjml')`),
  ],
);

export interface CampaignAudience {
  segmentIds?: string[];
  tagIds?: string[];
  filter?: unknown;
}
export interface CampaignContent {
  subject: string;
  format: 'html' | 'mjml';
  body: string;
  text: string | null;
  fromName: string;
  fromEmail: string;
  replyTo: string | null;
  postalAddress: string;
}

export const campaigns = pgTable(
  'campaigns',
  {
    id: v7id(),
    orgId: orgId(),
    name: text('name').notNull(),
    /** draft → scheduled → sending ⇄ paused → sent; canceled from any but sent. */
    status: text('status').notNull().default('draft'),
    templateId: uuid('template_id').references(() => templates.id, { onDelete: 'set null' }),
    senderId: uuid('sender_id').references(() => senders.id, { onDelete: 'set null' }),
    audience: jsonb('audience').$type<CampaignAudience>().notNull().default({}),
    /** Template, sender and footer frozen when sending starts: later edits change nothing. */
    content: jsonb('content').$type<CampaignContent>(),
    scheduledAt: ts('scheduled_at'),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    /** Recipients written to the ledger, and the exclusions counted then ({ reason: n }). */
    recipientCount: integer('recipient_count'),
    excluded: jsonb('excluded').$type<Record<string, number>>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('campaigns_org_created_idx').on(t.orgId, t.createdAt.desc()),
    index('campaigns_due_idx').on(t.scheduledAt).where(sql`${t.status} = 'scheduled'`),
    check(
      'campaigns_status_ck',
      sql`${t.status} in ('draft','scheduled','sending','paused','sent','canceled')`,
    ),
  ],
);

/**
 * The send ledger: one row per (campaign, contact), or per transactional message. The state moves
 * queued → sending → sent | failed, or queued → skipped (with a reason). `message_id` is derived
 * from the row id, so a resend after a crash carries the same Message-ID.
 */
export const emailSends = pgTable(
  'email_sends',
  {
    id: v7id(),
    orgId: orgId(),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    kind: text('kind').notNull().default('campaign'),
    email: text('email').notNull(),
    state: text('state').notNull().default('queued'),
    reason: text('reason'),
    messageId: text('message_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: ts('next_attempt_at'),
    /** Transactional only: what to render (template id or inline content, merge data, from). */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    queuedAt: ts('queued_at').notNull().defaultNow(),
    sendingAt: ts('sending_at'),
    sentAt: ts('sent_at'),
    failedAt: ts('failed_at'),
    // Delivery and engagement, applied from events with precedence (lib: email events applier).
    deliveredAt: ts('delivered_at'),
    bouncedAt: ts('bounced_at'),
    bounceType: text('bounce_type'),
    complainedAt: ts('complained_at'),
    unsubscribedAt: ts('unsubscribed_at'),
    openedAt: ts('opened_at'),
    clickedAt: ts('clicked_at'),
    machineOpenedAt: ts('machine_opened_at'),
    machineClickedAt: ts('machine_clicked_at'),
    opens: integer('opens').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
  },
  (t) => [
    uniqueIndex('email_sends_campaign_contact_uq')
      .on(t.campaignId, t.contactId)
      .where(sql`${t.campaignId} is not null`),
    index('email_sends_campaign_state_idx').on(t.campaignId, t.state, t.id),
    index('email_sends_org_contact_idx').on(t.orgId, t.contactId, t.id.desc()),
    index('email_sends_retry_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} in ('queued','sending') and ${t.kind} in ('transactional','automation')`),
    uniqueIndex('email_sends_message_id_uq').on(t.messageId),
    // Rows whose sender died (lease expired) are found without scanning the ledger.
    index('email_sends_sending_idx').on(t.sendingAt).where(sql`${t.state} = 'sending'`),
    check('email_sends_state_ck', sql`${t.state} in ('queued','sending','sent','failed','skipped')`),
    check('email_sends_kind_ck', sql`${t.kind} in ('campaign','transactional','test','automation')`),
  ],
);

/** Links allowed to redirect: stored when a message is rendered (no open redirect). */
export const emailLinks = pgTable(
  'email_links',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orgId: orgId(),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    clicks: integer('clicks').notNull().default(0),
    humanClicks: integer('human_clicks').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_links_org_campaign_url_uq').on(
      t.orgId,
      sql`coalesce(${t.campaignId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      sql`md5(${t.url})`,
    ),
  ],
);

/** Addresses never mailed (transactional included). */
export const suppressions = pgTable(
  'suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId(),
    email: text('email').notNull(),
    reason: text('reason').notNull(),
    note: text('note').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** A removal keeps the row (who, when, why); only rows not removed suppress. */
    removedAt: ts('removed_at'),
    removedBy: uuid('removed_by').references(() => users.id, { onDelete: 'set null' }),
    removedReason: text('removed_reason'),
  },
  (t) => [
    uniqueIndex('suppressions_org_email_uq')
      .on(t.orgId, sql`lower(${t.email})`)
      .where(sql`${t.removedAt} is null`),
    index('suppressions_org_created_idx').on(t.orgId, t.createdAt.desc()),
    check('suppressions_reason_ck', sql`${t.reason} in ('hard_bounce','soft_bounce','complaint','manual')`),
  ],
);

/** Soft bounces in a row per address (3 suppress it; a delivery resets it). */
export const bounceStreaks = pgTable(
  'bounce_streaks',
  {
    orgId: orgId(),
    email: text('email').notNull(),
    count: integer('count').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.email] })],
);

/**
 * Campaign aggregates, kept by the events applier: reports read these, never the raw events.
 * `bucket` is the hour (for the chart); the row with bucket = epoch holds the totals.
 */
export const campaignStats = pgTable(
  'campaign_stats',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    bucket: ts('bucket').notNull(),
    sent: integer('sent').notNull().default(0),
    delivered: integer('delivered').notNull().default(0),
    bounced: integer('bounced').notNull().default(0),
    complained: integer('complained').notNull().default(0),
    unsubscribed: integer('unsubscribed').notNull().default(0),
    opens: integer('opens').notNull().default(0),
    machineOpens: integer('machine_opens').notNull().default(0),
    uniqueOpens: integer('unique_opens').notNull().default(0),
    uniqueMachineOpens: integer('unique_machine_opens').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    machineClicks: integer('machine_clicks').notNull().default(0),
    uniqueClicks: integer('unique_clicks').notNull().default(0),
    uniqueMachineClicks: integer('unique_machine_clicks').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.bucket] })],
);

/** `Idempotency-Key` answers of POST /api/v1/emails, kept 24 hours. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: orgId(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);
