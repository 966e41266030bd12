import type { BadgeProps } from '@/components/ui/badge';
import { formatNumber } from '@/lib/utils';

type Status = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'canceled';

export const STATUS_LABELS: Record<Status, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  sent: 'Sent',
  canceled: 'Canceled',
};

export const STATUS_VARIANTS: Record<Status, NonNullable<BadgeProps['variant']>> = {
  draft: 'neutral',
  scheduled: 'accent',
  sending: 'accent',
  paused: 'warning',
  sent: 'success',
  canceled: 'destructive',
};

/** Why contacts of the audience get no email, as people say it. */
export const EXCLUSION_LABELS: Record<string, string> = {
  unsubscribed: 'unsubscribed',
  not_subscribed: 'never subscribed',
  bounced: 'bounced',
  complained: 'marked as spam',
  restricted: 'processing restricted',
  suppressed: 'on the suppression list',
  no_email: 'no email address',
  canceled: 'campaign canceled',
};

/** What the review says is missing before sending. */
export const MISSING_LABELS: Record<string, string> = {
  template: 'Choose a template',
  sender: 'Choose a sender',
  postalAddress: 'Add your postal address in Settings → Sending (it goes in every marketing footer)',
  recipients: 'Nobody in this audience can receive marketing email',
};

/** What GET /api/v1/sending says is missing before any marketing send. */
export const SENDING_MISSING_LABELS: Record<string, string> = {
  sender: 'a sender (From address)',
  postalAddress: 'your postal address for the email footer',
};

export const SEND_STATE_LABELS: Record<string, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
};

/** 0.4213 → "42.1%". */
export function formatRate(rate: number): string {
  const pct = rate * 100;
  return `${pct >= 10 || pct === 0 ? Math.round(pct) : pct.toFixed(1).replace(/\.0$/, '')}%`;
}

/** "unsubscribed 2, bounced 1" (non-zero reasons only), or '' when nobody is excluded. */
export function exclusionText(excluded: Record<string, unknown> | null | undefined): string {
  return Object.entries(excluded ?? {})
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(
      ([reason, n]) =>
        `${EXCLUSION_LABELS[reason] ?? reason.replace(/_/g, ' ')} ${formatNumber(n as number)}`,
    )
    .join(', ');
}

export function excludedTotal(excluded: Record<string, unknown> | null | undefined): number {
  return Object.values(excluded ?? {}).reduce<number>((s, n) => s + (typeof n === 'number' ? n : 0), 0);
}
