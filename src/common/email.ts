import { z } from 'zod';

/** Email constants and DTOs shared by server and web. */

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'canceled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Ledger states: queued → sending → sent | failed; queued → skipped (with a reason). */
export const SEND_STATES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type SendState = (typeof SEND_STATES)[number];

/** Why a contact of the audience is not mailed (review step, ledger `reason` of skipped rows). */
export const EXCLUSION_REASONS = [
  'unsubscribed',
  'not_subscribed',
  'bounced',
  'complained',
  'restricted',
  'suppressed',
  'no_email',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Normalised email events (tracking, SMTP results, provider webhooks). */
export const EMAIL_EVENT_TYPES = [
  'sent',
  'failed',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
  'resubscribed',
] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export const EMAIL_PROVIDERS = ['ses', 'postmark', 'sendgrid', 'mailgun', 'resend'] as const;
export type EmailProvider = (typeof EMAIL_PROVIDERS)[number];

export const EMAIL_EVENT_SOURCES = ['tracking', 'smtp', 'preferences', ...EMAIL_PROVIDERS] as const;
export type EmailEventSource = (typeof EMAIL_EVENT_SOURCES)[number];

export const SUPPRESSION_REASONS = ['hard_bounce', 'soft_bounce', 'complaint', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Lawful bases for a marketing subscription (GDPR art. 6). */
export const CONSENT_BASES = ['consent', 'contract', 'legitimate_interest', 'legal_obligation'] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];

/** Audience of a campaign: the union of segments, tags and a filter (at least one). */
export const CampaignAudience = z
  .object({
    segmentIds: z.array(z.uuid()).max(50).optional(),
    tagIds: z.array(z.uuid()).max(50).optional(),
    filter: z.unknown().optional(),
  })
  .strict();
export type CampaignAudience = z.infer<typeof CampaignAudience>;
