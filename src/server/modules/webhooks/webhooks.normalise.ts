import type { EmailEventType } from '../../../common/email.js';
import { sendIdFromMessageId } from '../../lib/tokens.js';

/**
 * Provider payloads → normalised email events. Pure: no database, no clock. Each event names the
 * ledger row it is about through what the payload carries of the message we sent: our
 * `X-Moxora-Send-Id` header, our Message-ID (`<sendId@host>`), or a custom argument/metadata
 * `moxora_send_id` where the provider echoes those. Provider message ids (SES, Postmark, Resend's
 * email_id, Mailgun's storage ids) are theirs and are never read as ours.
 */

export interface NormalisedEvent {
  /** The provider's id of this event (or one derived from a hash of what was signed). */
  providerEventId: string;
  /** The ledger row (email_sends.id), or null when the payload does not name one of ours. */
  sendId: string | null;
  type: EmailEventType;
  bounceType?: 'hard' | 'soft';
  /** Machine opens the provider recognised (SendGrid `sg_machine_open`). */
  machine?: boolean;
  occurredAt?: Date;
  reason?: string;
  url?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEND_ID_KEYS = new Set(['x-moxora-send-id', 'moxora-send-id', 'moxora_send_id', 'moxorasendid']);

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const clip = (s: string | undefined, n = 500) => (s && s.length > n ? `${s.slice(0, n)}…` : s);

/** Headers as a provider lists them: [{ name, value }] (any case of the keys) or { Name: value }. */
function headerPairs(v: unknown): Array<[string, string]> {
  if (Array.isArray(v)) {
    const out: Array<[string, string]> = [];
    for (const h of v) {
      const o = obj(h);
      if (!o) continue;
      const name = str(o.name ?? o.Name);
      const value = str(o.value ?? o.Value);
      if (name && value) out.push([name, value]);
    }
    return out;
  }
  const o = obj(v);
  if (!o) return [];
  return Object.entries(o).flatMap(([k, val]) =>
    typeof val === 'string'
      ? [[k, val] as [string, string]]
      : Array.isArray(val) && typeof val[0] === 'string'
        ? [[k, val[0]] as [string, string]]
        : [],
  );
}

/** Our send id in a set of headers / metadata pairs: X-Moxora-Send-Id first, then Message-ID. */
export function sendIdFromPairs(pairs: Array<[string, string]>): string | null {
  for (const [k, v] of pairs) {
    if (SEND_ID_KEYS.has(k.toLowerCase()) && UUID.test(v.trim())) return v.trim().toLowerCase();
  }
  for (const [k, v] of pairs) {
    if (k.toLowerCase() === 'message-id') {
      const id = sendIdFromMessageId(v);
      if (id) return id;
    }
  }
  return null;
}

/** Header lines of a raw message (RFC 5322 head), unfolded. */
function rawHeaderPairs(raw: string): Array<[string, string]> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const out: Array<[string, string]> = [];
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return out;
}

function date(v: unknown): Date | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v < 1e12 ? v * 1000 : v);
  if (typeof v === 'string' && v.length > 0) {
    const d = new Date(/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

// ---------------------------------------------------------------- SES (inside an SNS Notification)

/** An SES event (event publishing: `eventType`) or notification (`notificationType`). */
export function normaliseSes(snsMessageId: string, message: string): NormalisedEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  const m = obj(parsed);
  if (!m) return [];
  const kind = str(m.eventType) ?? str(m.notificationType);
  const mail = obj(m.mail) ?? {};
  const common = obj(mail.commonHeaders) ?? {};
  const sendId =
    sendIdFromPairs(headerPairs(mail.headers)) ??
    (str(common.messageId) ? sendIdFromMessageId(common.messageId as string) : null) ??
    sendIdFromPairs(headerPairs(obj(mail.tags)).filter(([k]) => SEND_ID_KEYS.has(k.toLowerCase())));
  const base = { providerEventId: snsMessageId, sendId };
  switch (kind) {
    case 'Delivery': {
      const d = obj(m.delivery) ?? {};
      return [
        { ...base, type: 'delivered', occurredAt: date(d.timestamp), reason: clip(str(d.smtpResponse)) },
      ];
    }
    case 'Bounce': {
      const b = obj(m.bounce) ?? {};
      const first = obj(Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients[0] : undefined) ?? {};
      return [
        {
          ...base,
          type: 'bounced',
          bounceType: b.bounceType === 'Permanent' ? 'hard' : 'soft',
          occurredAt: date(b.timestamp),
          reason: clip(
            str(first.diagnosticCode) ?? [b.bounceType, b.bounceSubType].filter(Boolean).join(' / '),
          ),
        },
      ];
    }
    case 'Complaint': {
      const c = obj(m.complaint) ?? {};
      return [
        { ...base, type: 'complained', occurredAt: date(c.timestamp), reason: str(c.complaintFeedbackType) },
      ];
    }
    case 'Open': {
      const o = obj(m.open) ?? {};
      return [{ ...base, type: 'opened', occurredAt: date(o.timestamp) }];
    }
    case 'Click': {
      const c = obj(m.click) ?? {};
      return [{ ...base, type: 'clicked', occurredAt: date(c.timestamp), url: str(c.link) }];
    }
    default:
      return [];
  }
}

// ---------------------------------------------------------------- Postmark

/** Bounce types that say the address does not exist (or never will take mail). */
const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress']);
/** Bounce types that say this delivery failed, for now. */
const POSTMARK_SOFT = new Set([
  'SoftBounce',
  'Transient',
  'DnsError',
  'Blocked',
  'SMTPApiError',
  'Unknown',
  'DMARCPolicy',
]);

/** One Postmark webhook (one record). `eventId` is derived from the body (Postmark sends none for every type). */
export function normalisePostmark(eventId: string, body: unknown): NormalisedEvent[] {
  const p = obj(body);
  if (!p) return [];
  const pairs: Array<[string, string]> = [
    ...headerPairs(p.Metadata),
    ...headerPairs(p.Headers),
    ...(str(p.Content) ? rawHeaderPairs(p.Content as string) : []),
  ];
  const base = { providerEventId: eventId, sendId: sendIdFromPairs(pairs) };
  switch (p.RecordType) {
    case 'Delivery':
      return [{ ...base, type: 'delivered', occurredAt: date(p.DeliveredAt), reason: clip(str(p.Details)) }];
    case 'Bounce': {
      const type = String(p.Type ?? '');
      const reason = clip(str(p.Description) ?? str(p.Details) ?? type);
      const occurredAt = date(p.BouncedAt);
      if (type === 'SpamComplaint') return [{ ...base, type: 'complained', occurredAt, reason }];
      if (type === 'Unsubscribe') return [{ ...base, type: 'unsubscribed', occurredAt, reason }];
      if (POSTMARK_HARD.has(type))
        return [{ ...base, type: 'bounced', bounceType: 'hard', occurredAt, reason }];
      if (POSTMARK_SOFT.has(type))
        return [{ ...base, type: 'bounced', bounceType: 'soft', occurredAt, reason }];
      // AutoResponder, AddressChange, Subscribe, ChallengeVerification, VirusNotification …: the
      // message reached someone, or the reply says nothing about the address.
      return [];
    }
    case 'SpamComplaint':
      return [
        { ...base, type: 'complained', occurredAt: date(p.BouncedAt), reason: clip(str(p.Description)) },
      ];
    case 'Open':
      return [{ ...base, type: 'opened', occurredAt: date(p.ReceivedAt) }];
    case 'Click':
      return [{ ...base, type: 'clicked', occurredAt: date(p.ReceivedAt), url: str(p.OriginalLink) }];
    case 'SubscriptionChange': {
      const occurredAt = date(p.ChangedAt);
      if (p.SuppressSending === false) return [{ ...base, type: 'resubscribed', occurredAt }];
      const why = str(p.SuppressionReason);
      if (why === 'HardBounce')
        return [
          {
            ...base,
            type: 'bounced',
            bounceType: 'hard',
            occurredAt,
            reason: 'Postmark suppressed: hard bounce',
          },
        ];
      if (why === 'SpamComplaint')
        return [{ ...base, type: 'complained', occurredAt, reason: 'Postmark suppressed: spam complaint' }];
      return [{ ...base, type: 'unsubscribed', occurredAt, reason: why }];
    }
    default:
      return [];
  }
}

// ---------------------------------------------------------------- SendGrid

const SENDGRID_HARD_CLASSES = new Set(['Invalid Address', 'Mailbox Unavailable']);

/** A SendGrid batch (array of events). `fallbackId` derives ids for events without sg_event_id. */
export function normaliseSendgrid(body: unknown, fallbackId: (index: number) => string): NormalisedEvent[] {
  if (!Array.isArray(body)) return [];
  const out: NormalisedEvent[] = [];
  body.forEach((raw, i) => {
    const e = obj(raw);
    if (!e) return;
    const custom = Object.entries(e).filter(
      (pair): pair is [string, string] =>
        typeof pair[1] === 'string' && SEND_ID_KEYS.has(pair[0].toLowerCase()),
    );
    const smtpId = str(e['smtp-id']);
    const sendId = sendIdFromPairs([
      ...custom,
      ...(smtpId ? [['message-id', smtpId] as [string, string]] : []),
    ]);
    const base = {
      providerEventId: str(e.sg_event_id) ?? fallbackId(i),
      sendId,
      occurredAt: date(e.timestamp),
    };
    const reason = clip(str(e.reason) ?? str(e.response));
    switch (e.event) {
      case 'delivered':
        out.push({ ...base, type: 'delivered', reason: clip(str(e.response)) });
        break;
      case 'bounce': {
        const cls = str(e.bounce_classification);
        const hard = cls ? SENDGRID_HARD_CLASSES.has(cls) : e.type !== 'blocked';
        out.push({ ...base, type: 'bounced', bounceType: hard ? 'hard' : 'soft', reason: reason ?? cls });
        break;
      }
      case 'dropped': {
        // SendGrid did not send it; its reason says why (its own suppression lists, mostly).
        const why = reason ?? '';
        if (/spam/i.test(why)) out.push({ ...base, type: 'complained', reason });
        else if (/unsubscribe/i.test(why)) out.push({ ...base, type: 'unsubscribed', reason });
        else if (/bounce|invalid/i.test(why))
          out.push({ ...base, type: 'bounced', bounceType: 'hard', reason });
        else out.push({ ...base, type: 'bounced', bounceType: 'soft', reason });
        break;
      }
      case 'spamreport':
        out.push({ ...base, type: 'complained' });
        break;
      case 'open':
        out.push({ ...base, type: 'opened', ...(e.sg_machine_open === true ? { machine: true } : {}) });
        break;
      case 'click':
        out.push({ ...base, type: 'clicked', url: str(e.url) });
        break;
      case 'unsubscribe':
      case 'group_unsubscribe':
        out.push({ ...base, type: 'unsubscribed' });
        break;
      default:
      // processed, deferred, group_resubscribe …: nothing to apply.
    }
  });
  return out;
}

// ---------------------------------------------------------------- Mailgun

/** One Mailgun webhook (`event-data`). `fallbackId` is used when the event carries no id. */
export function normaliseMailgun(body: unknown, fallbackId: string): NormalisedEvent[] {
  const d = obj(obj(body)?.['event-data']);
  if (!d) return [];
  const headers = obj(obj(d.message)?.headers) ?? {};
  const vars = obj(d['user-variables']) ?? {};
  const sendId = sendIdFromPairs([...headerPairs(vars), ...headerPairs(headers)]);
  const status = obj(d['delivery-status']) ?? {};
  const reason = clip(str(status.description) ?? str(status.message) ?? str(d.reason));
  const base = { providerEventId: str(d.id) ?? fallbackId, sendId, occurredAt: date(d.timestamp) };
  switch (d.event) {
    case 'delivered':
      return [{ ...base, type: 'delivered' }];
    case 'failed':
      return [{ ...base, type: 'bounced', bounceType: d.severity === 'permanent' ? 'hard' : 'soft', reason }];
    case 'complained':
      return [{ ...base, type: 'complained' }];
    case 'opened':
      return [{ ...base, type: 'opened' }];
    case 'clicked':
      return [{ ...base, type: 'clicked', url: str(d.url) }];
    case 'unsubscribed':
      return [{ ...base, type: 'unsubscribed' }];
    default:
      return [];
  }
}

// ---------------------------------------------------------------- Resend

/** One Resend webhook; `svixId` is the event id. */
export function normaliseResend(svixId: string, body: unknown): NormalisedEvent[] {
  const p = obj(body);
  const d = obj(p?.data);
  if (!p || !d) return [];
  const tags = headerPairs(d.tags).filter(([k]) => SEND_ID_KEYS.has(k.toLowerCase()));
  const emailId = str(d.email_id);
  const sendId =
    sendIdFromPairs([...headerPairs(d.headers), ...tags]) ??
    // Resend's own id is a UUID too: only a ledger lookup scoped to the endpoint's organisation
    // can match it, which happens when the message was sent with our id as Resend's.
    (emailId && UUID.test(emailId) ? emailId.toLowerCase() : null);
  const base = { providerEventId: svixId, sendId, occurredAt: date(p.created_at) ?? date(d.created_at) };
  switch (p.type) {
    case 'email.delivered':
      return [{ ...base, type: 'delivered' }];
    case 'email.bounced': {
      const b = obj(d.bounce) ?? {};
      return [
        {
          ...base,
          type: 'bounced',
          bounceType: b.type === 'Permanent' ? 'hard' : 'soft',
          reason: clip(str(b.message) ?? str(b.subType)),
        },
      ];
    }
    case 'email.complained':
      return [{ ...base, type: 'complained' }];
    case 'email.opened':
      return [{ ...base, type: 'opened' }];
    case 'email.clicked': {
      const c = obj(d.click) ?? {};
      return [
        { ...base, type: 'clicked', url: str(c.link), occurredAt: date(c.timestamp) ?? base.occurredAt },
      ];
    }
    default:
      return [];
  }
}
