import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { EMAIL_PROVIDERS, type EmailProvider } from '../../../common/email.js';
import { assertCan, type Ctx, type Deps } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { pgArray, rows } from '../../lib/sql.js';
import { applyEmailEvents, type EmailEventInput } from '../email/email-events.js';
import { isSnsUrl, parseSnsMessage, snsVerifier } from './sns.js';
import {
  type NormalisedEvent,
  normaliseMailgun,
  normalisePostmark,
  normaliseResend,
  normaliseSendgrid,
  normaliseSes,
} from './webhooks.normalise.js';
import {
  contentId,
  type HeaderMap,
  header,
  sendgridPublicKey,
  svixKey,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
  verifySvix,
} from './webhooks.verify.js';

/*
 * Inbound provider webhooks: per organisation one endpoint per provider (email_webhooks), whose
 * row id is the `key` in the URL the provider posts to. A request is verified with the
 * endpoint's secret, normalised, stripped of replays (email_webhook_receipts) and of events about
 * messages of other organisations, and applied through applyEmailEvents.
 */

// ---------------------------------------------------------------- configuration

const TopicArn = z
  .string()
  .trim()
  .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/, 'Not an SNS topic ARN');

/** What each provider keeps in `config` (not secret: returned by the API). */
export const PROVIDER_CONFIG = {
  ses: z.object({ topicArns: z.array(TopicArn).min(1).max(20) }).strict(),
  postmark: z.object({ username: z.string().trim().min(1).max(200) }).strict(),
  sendgrid: z.object({}).strict(),
  mailgun: z.object({}).strict(),
  resend: z.object({}).strict(),
} satisfies Record<EmailProvider, z.ZodType>;

export interface WebhookItem {
  provider: EmailProvider;
  url: string | null;
  configured: boolean;
  config: Record<string, unknown>;
}

interface WebhookRow {
  id: string;
  org_id: string;
  provider: EmailProvider;
  secret_enc: string | null;
  config: Record<string, unknown>;
}

export function webhookUrl(baseUrl: string, provider: EmailProvider, id: string): string {
  return `${baseUrl}/api/v1/webhooks/email/${provider}?key=${id}`;
}

/** Whether an endpoint has what its checks need (SES: topics; Postmark: user and password; others: secret). */
function isConfigured(row: WebhookRow): boolean {
  switch (row.provider) {
    case 'ses':
      return PROVIDER_CONFIG.ses.safeParse(row.config).success;
    case 'postmark':
      return row.secret_enc !== null && PROVIDER_CONFIG.postmark.safeParse(row.config).success;
    default:
      return row.secret_enc !== null;
  }
}

function present(ctx: Ctx, provider: EmailProvider, row: WebhookRow | undefined): WebhookItem {
  return {
    provider,
    url: row ? webhookUrl(ctx.deps.config.baseUrl, provider, row.id) : null,
    configured: row ? isConfigured(row) : false,
    config: row?.config ?? {},
  };
}

export async function listWebhooks(ctx: Ctx): Promise<WebhookItem[]> {
  assertCan(ctx, 'settings:read');
  const list = await rows<WebhookRow>(
    ctx.deps.database.db,
    sql`select id, org_id, provider, secret_enc, config from email_webhooks where org_id = ${ctx.orgId}`,
  );
  return EMAIL_PROVIDERS.map((p) =>
    present(
      ctx,
      p,
      list.find((r) => r.provider === p),
    ),
  );
}

const invalid = (path: string[], message: string) =>
  new AppError('VALIDATION_FAILED', `Invalid body: ${path.join('.')}: ${message}`, {
    issues: [{ path, message }],
  });

function checkSecret(provider: EmailProvider, secret: string): string {
  const s = secret.trim();
  if (provider === 'ses')
    throw invalid(['secret'], 'Amazon SES needs no secret (messages are signed by SNS)');
  if (s.length === 0) throw invalid(['secret'], 'Cannot be empty');
  if (provider === 'sendgrid') {
    try {
      sendgridPublicKey(s);
    } catch {
      throw invalid(['secret'], 'Not a SendGrid verification key (an ECDSA P-256 public key, base64 or PEM)');
    }
  }
  if (provider === 'resend') {
    try {
      svixKey(s);
    } catch {
      throw invalid(['secret'], 'Not a Resend signing secret (whsec_…)');
    }
  }
  return s;
}

function providerOf(name: string): EmailProvider {
  const p = EMAIL_PROVIDERS.find((x) => x === name);
  if (!p) throw notFound('Email provider');
  return p;
}

export async function putWebhook(
  ctx: Ctx,
  providerName: string,
  input: { secret?: string; config?: Record<string, unknown> },
): Promise<WebhookItem> {
  assertCan(ctx, 'settings:write');
  const provider = providerOf(providerName);
  const secretEnc =
    input.secret === undefined ? null : ctx.deps.keys.encrypt(checkSecret(provider, input.secret));
  let config: Record<string, unknown> | null = null;
  if (input.config !== undefined) {
    const parsed = PROVIDER_CONFIG[provider].safeParse(input.config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(['config', ...issue.path.map(String)], issue.message);
    }
    config = parsed.data;
  }
  const [row] = await rows<WebhookRow>(
    ctx.deps.database.db,
    sql`insert into email_webhooks (org_id, provider, secret_enc, config)
      values (${ctx.orgId}, ${provider}, ${secretEnc}, coalesce(${config ? JSON.stringify(config) : null}::jsonb, '{}'::jsonb))
      on conflict (org_id, provider) do update set
        secret_enc = coalesce(excluded.secret_enc, email_webhooks.secret_enc),
        config = case when ${config !== null} then excluded.config else email_webhooks.config end,
        updated_at = now()
      returning id, org_id, provider, secret_enc, config`,
  );
  return present(ctx, provider, row);
}

export async function deleteWebhook(ctx: Ctx, providerName: string): Promise<void> {
  assertCan(ctx, 'settings:write');
  const provider = providerOf(providerName);
  await rows(
    ctx.deps.database.db,
    sql`delete from email_webhooks where org_id = ${ctx.orgId} and provider = ${provider}`,
  );
}

// ---------------------------------------------------------------- inbound

/** The one answer to an unknown endpoint and to a missing or wrong signature. */
const refused = () => new AppError('UNAUTHENTICATED', 'Webhook signature missing or invalid');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Signed timestamps older than this are refused (receipts are kept 30 days). */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export interface InboundRequest {
  provider: EmailProvider;
  key: string | undefined;
  headers: HeaderMap;
  rawBody: Buffer;
}

interface Log {
  warn(obj: object, msg: string): void;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function loadEndpoint(deps: Deps, provider: EmailProvider, key: string | undefined) {
  if (!key || !UUID.test(key)) return null;
  const [row] = await rows<WebhookRow>(
    deps.database.db,
    sql`select id, org_id, provider, secret_enc, config from email_webhooks where id = ${key} and provider = ${provider}`,
  );
  if (!row || !isConfigured(row)) return null;
  let secret = '';
  if (row.secret_enc) {
    try {
      secret = deps.keys.decrypt(row.secret_enc);
    } catch {
      return null; // encrypted under a key this instance no longer has
    }
  }
  return { row, secret };
}

/** What a verified request holds: events, plus ids of the request itself that must not repeat. */
interface Verified {
  events: NormalisedEvent[];
  requestIds?: string[];
}

async function verifyAndNormalise(
  req: InboundRequest,
  endpoint: { row: WebhookRow; secret: string },
  log?: Log,
): Promise<Verified> {
  const { headers, rawBody } = req;
  const why = (reason: string) => {
    log?.warn({ provider: req.provider, endpoint: endpoint.row.id, reason }, 'webhook refused');
    return refused();
  };
  switch (req.provider) {
    case 'ses': {
      const msg = parseSnsMessage(rawBody.toString('utf8'));
      if (!msg) throw why('not an SNS message');
      const topics = (endpoint.row.config.topicArns as string[] | undefined) ?? [];
      if (!topics.includes(msg.TopicArn)) throw why('topic not in the allow-list');
      const sns = snsVerifier();
      const result = await sns.verify(msg);
      if (result === 'cert-unavailable')
        throw new AppError('UNAVAILABLE', 'The SNS signing certificate could not be fetched; retry later');
      if (result !== 'ok') throw why(result);
      const at = Date.parse(msg.Timestamp);
      if (!Number.isFinite(at) || Date.now() - at > MAX_AGE_MS) throw why('message too old');
      if (msg.Type === 'SubscriptionConfirmation') {
        if (!isSnsUrl(msg.SubscribeURL)) throw new AppError('BAD_REQUEST', 'SubscribeURL is not an SNS URL');
        try {
          await sns.fetch(msg.SubscribeURL);
        } catch {
          throw new AppError('UNAVAILABLE', 'The subscription could not be confirmed; retry later');
        }
        return { events: [] };
      }
      if (msg.Type !== 'Notification') return { events: [] };
      return { events: normaliseSes(msg.MessageId, msg.Message) };
    }
    case 'postmark': {
      const username = String(endpoint.row.config.username ?? '');
      if (!verifyPostmark(headers, username, endpoint.secret)) throw why('bad basic auth');
      const body = parseJson(rawBody);
      if (body === undefined) throw new AppError('BAD_REQUEST', 'Body is not JSON');
      return { events: normalisePostmark(contentId(rawBody), body) };
    }
    case 'sendgrid': {
      if (!verifySendgrid(headers, rawBody, endpoint.secret)) throw why('bad signature');
      const ts = Number(header(headers, 'x-twilio-email-event-webhook-timestamp'));
      if (!Number.isFinite(ts) || Date.now() - ts * 1000 > MAX_AGE_MS) throw why('timestamp too old');
      const body = parseJson(rawBody);
      if (body === undefined) throw new AppError('BAD_REQUEST', 'Body is not JSON');
      return { events: normaliseSendgrid(body, (i) => contentId(String(ts), rawBody, String(i))) };
    }
    case 'mailgun': {
      const body = parseJson(rawBody) as { signature?: Record<string, unknown> } | undefined;
      const signature = body && typeof body === 'object' ? body.signature : undefined;
      if (!verifyMailgun(signature, endpoint.secret)) throw why('bad signature');
      const token = String(signature!.token);
      return { events: normaliseMailgun(body, contentId(token)), requestIds: [`token:${token}`] };
    }
    case 'resend': {
      if (!verifySvix(headers, rawBody, endpoint.secret)) throw why('bad signature');
      const body = parseJson(rawBody);
      if (body === undefined) throw new AppError('BAD_REQUEST', 'Body is not JSON');
      return { events: normaliseResend(header(headers, 'svix-id')!, body) };
    }
  }
}

/**
 * Inserts receipts; returns the ids that were new (the others were seen before). In sorted order,
 * so that two overlapping batches at once wait for each other instead of deadlocking.
 */
async function claim(tx: Db, provider: EmailProvider, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const got = await rows<{ event_id: string }>(
    tx,
    sql`insert into email_webhook_receipts (provider, event_id, org_id)
      select ${provider}, unnest(${pgArray([...ids].sort())}::text[]), ${orgId} on conflict do nothing returning event_id`,
  );
  return new Set(got.map((r) => r.event_id));
}

/**
 * Handles one inbound webhook request. Throws UNAUTHENTICATED (nothing recorded) for an unknown
 * endpoint or a bad signature. Returns how many events were new (replays are dropped). Receipts
 * and the events are written in one transaction: an event is either applied and remembered, or
 * neither (and the provider's retry is processed).
 */
export async function receiveWebhook(
  deps: Deps,
  req: InboundRequest,
  log?: Log,
): Promise<{ received: number }> {
  const endpoint = await loadEndpoint(deps, req.provider, req.key);
  if (!endpoint) throw refused();
  const orgId = endpoint.row.org_id;
  const { events, requestIds = [] } = await verifyAndNormalise(req, endpoint, log);
  // Receipts are per organisation: another organisation's endpoint cannot pre-empt this one's ids.
  const receiptId = (id: string) => `${orgId}:${id}`;

  const outcome = await deps.database.db.transaction(async (tx) => {
    if (requestIds.length > 0) {
      const fresh = await claim(tx, req.provider, orgId, requestIds.map(receiptId));
      if (fresh.size < requestIds.length) return { received: 0, applied: 0 }; // the same signed request again
    }
    const claimed = await claim(tx, req.provider, orgId, [
      ...new Set(events.map((e) => receiptId(e.providerEventId))),
    ]);
    const seen = new Set<string>();
    const fresh = events.filter((e) => {
      const id = receiptId(e.providerEventId);
      if (!claimed.has(id) || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    // Only this organisation's messages: another organisation's send id is ignored.
    const candidates = [...new Set(fresh.map((e) => e.sendId).filter((s): s is string => s !== null))];
    const ours = new Set(
      candidates.length === 0
        ? []
        : (
            await rows<{ id: string }>(
              tx,
              sql`select id from email_sends where org_id = ${orgId} and id = any(${pgArray(candidates)}::uuid[])`,
            )
          ).map((r) => r.id),
    );
    const inputs: EmailEventInput[] = fresh
      .filter((e) => e.sendId !== null && ours.has(e.sendId))
      .map((e) => ({
        sendId: e.sendId!,
        type: e.type,
        source: req.provider,
        ...(e.occurredAt && !Number.isNaN(e.occurredAt.getTime()) ? { occurredAt: e.occurredAt } : {}),
        ...(e.bounceType ? { bounceType: e.bounceType } : {}),
        ...(e.machine ? { machine: true } : {}),
        detail: {
          providerEventId: e.providerEventId,
          ...(e.reason ? { reason: e.reason } : {}),
          ...(e.url ? { url: e.url } : {}),
        },
      }));
    const { applied } = await applyEmailEvents(deps, inputs, { tx });
    return { received: fresh.length, applied };
  });
  // The timeline rows written in the transaction are dispatched now that it committed.
  if (outcome.applied > 0) deps.events?.kick();
  return { received: outcome.received };
}

/** Deletes receipts older than `days` days (the purge job). */
export async function purgeReceipts(database: Deps['database'], days = 30): Promise<number> {
  const res = await database.query<{ n: number }>(
    `with d as (delete from email_webhook_receipts where received_at < now() - make_interval(days => $1) returning 1)
      select count(*)::int as n from d`,
    [days],
  );
  return res.rows[0]?.n ?? 0;
}
