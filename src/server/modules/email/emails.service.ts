import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';
import { contactFieldKeys } from '../fields/fields.repo.js';
import { prepareTemplate } from '../templates/render.js';
import type { TransactionalPayload } from './runner.js';
import { defaultFrom } from './transport.js';

/**
 * Transactional email (`POST /api/v1/emails`): to a contact or an address, a template or inline
 * content, with merge data. It ignores marketing unsubscribes but never the suppression list. It is
 * written to the ledger (kind 'transactional') and sent by the runner with retries; an
 * Idempotency-Key makes a repeated request answer the first response, with one message.
 */
export interface EmailInput {
  to?: string;
  contactId?: string;
  templateId?: string;
  subject?: string;
  html?: string;
  text?: string;
  data?: Record<string, unknown>;
  senderId?: string;
}

export interface EmailResult {
  id: string;
  status: 'queued' | 'suppressed';
  to: string;
  messageId: string;
}

function requestHash(input: EmailInput): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

export async function sendEmail(
  ctx: Ctx,
  input: EmailInput,
  idempotencyKey?: string,
): Promise<{ status: number; body: EmailResult }> {
  assertCan(ctx, 'campaigns:send');
  const db = ctx.deps.database.db;
  const hash = requestHash(input);
  if (idempotencyKey) {
    const [seen] = await rows<{
      request_hash: string;
      status_code: number | null;
      response: EmailResult | null;
    }>(
      db,
      sql`select request_hash, status_code, response from idempotency_keys
        where org_id = ${ctx.orgId} and key = ${idempotencyKey} and created_at > now() - interval '24 hours'`,
    );
    if (seen) return replay(seen, hash);
  }
  if (!input.to === !input.contactId)
    throw new AppError('VALIDATION_FAILED', 'Give exactly one of to and contactId');
  if (
    !input.templateId &&
    (input.subject === undefined || (input.html === undefined && input.text === undefined))
  )
    throw new AppError('VALIDATION_FAILED', 'Give a templateId, or a subject with html and/or text');

  let to = input.to?.trim() ?? '';
  let contactId: string | null = null;
  if (input.contactId) {
    const [c] = await rows<{ id: string; email: string | null }>(
      db,
      sql`select id, email from contacts where org_id = ${ctx.orgId} and id = ${input.contactId}`,
    );
    if (!c) throw new AppError('NOT_FOUND', 'Contact not found');
    if (!c.email) throw new AppError('VALIDATION_FAILED', 'The contact has no email address');
    to = c.email;
    contactId = c.id;
  } else {
    const [c] = await rows<{ id: string }>(
      db,
      sql`select id from contacts where org_id = ${ctx.orgId} and lower(email) = lower(${to})`,
    );
    contactId = c?.id ?? null;
  }

  let content: TransactionalPayload['content'];
  let templateVersion: string | undefined;
  if (input.templateId) {
    const [t] = await rows<{
      subject: string;
      format: 'html' | 'mjml';
      body: string;
      text: string | null;
      updated_at: Date;
    }>(
      db,
      sql`select subject, format, body, text, updated_at from templates where org_id = ${ctx.orgId} and id = ${input.templateId}`,
    );
    if (!t) throw new AppError('NOT_FOUND', 'Template not found');
    content = { subject: t.subject, format: t.format, body: t.body, text: t.text };
    templateVersion = new Date(t.updated_at).toISOString();
  } else {
    content = {
      subject: input.subject!,
      format: 'html',
      body: input.html ?? escapeText(input.text ?? ''),
      text: input.text ?? null,
    };
  }
  await prepareTemplate(content, { customFieldKeys: await contactFieldKeys(db, ctx.orgId) });

  let from: TransactionalPayload['from'];
  if (input.senderId) {
    const [s] = await rows<{ name: string; email: string; reply_to: string | null }>(
      db,
      sql`select name, email, reply_to from senders where org_id = ${ctx.orgId} and id = ${input.senderId}`,
    );
    if (!s) throw new AppError('NOT_FOUND', 'Sender not found');
    from = { name: s.name, address: s.email, replyTo: s.reply_to };
  } else {
    const d = await defaultFrom(ctx.deps, ctx.orgId);
    from = { name: d.name, address: d.address, replyTo: d.replyTo };
  }
  const [settings] = await rows<{ postal_address: string }>(
    db,
    sql`select postal_address from email_settings where org_id = ${ctx.orgId}`,
  );
  const payload: TransactionalPayload = {
    ...(input.templateId ? { templateId: input.templateId, templateVersion } : {}),
    content,
    data: input.data ?? {},
    from,
    postalAddress: settings?.postal_address ?? '',
    subject: content.subject.slice(0, 200),
  };
  const host = new URL(ctx.deps.config.baseUrl).hostname;

  try {
    const result = await db.transaction(async (tx) => {
      const [suppressed] = await rows(
        tx,
        sql`select 1 from suppressions where org_id = ${ctx.orgId} and lower(email) = lower(${to}) and removed_at is null`,
      );
      const [row] = await rows<{ id: string; message_id: string }>(
        tx,
        sql`with v as (select uuid_v7() as id)
          insert into email_sends (id, org_id, contact_id, kind, email, state, reason, message_id, payload, next_attempt_at)
          select v.id, ${ctx.orgId}, ${contactId}, 'transactional', ${to},
            ${suppressed ? 'skipped' : 'queued'}, ${suppressed ? 'suppressed' : null},
            '<' || v.id || '@' || ${host} || '>', ${JSON.stringify(payload)}::jsonb, now()
          from v returning id, message_id`,
      );
      const body: EmailResult = {
        id: row!.id,
        status: suppressed ? 'suppressed' : 'queued',
        to,
        messageId: row!.message_id,
      };
      const status = suppressed ? 200 : 202;
      if (idempotencyKey) {
        await tx.execute(sql`insert into idempotency_keys (org_id, key, request_hash, status_code, response)
          values (${ctx.orgId}, ${idempotencyKey}, ${hash}, ${status}, ${JSON.stringify(body)}::jsonb)
          on conflict (org_id, key) do update set request_hash = excluded.request_hash,
            status_code = excluded.status_code, response = excluded.response, created_at = now()
          where idempotency_keys.created_at <= now() - interval '24 hours'`);
        const [mine] = await rows<{ response: EmailResult }>(
          tx,
          sql`select response from idempotency_keys where org_id = ${ctx.orgId} and key = ${idempotencyKey}`,
        );
        // Another request with this key won the race: roll ours back and answer theirs.
        if (mine?.response?.id !== body.id) throw new IdempotentReplay();
      }
      return { status, body };
    });
    ctx.deps.sender?.kick();
    return result;
  } catch (err) {
    if ((err instanceof IdempotentReplay || pgCode(err) === '23505') && idempotencyKey) {
      const [seen] = await rows<{
        request_hash: string;
        status_code: number | null;
        response: EmailResult | null;
      }>(
        db,
        sql`select request_hash, status_code, response from idempotency_keys where org_id = ${ctx.orgId} and key = ${idempotencyKey}`,
      );
      if (seen) return replay(seen, hash);
    }
    throw err;
  }
}

class IdempotentReplay extends Error {}

function replay(
  seen: { request_hash: string; status_code: number | null; response: EmailResult | null },
  hash: string,
): { status: number; body: EmailResult } {
  if (seen.request_hash !== hash)
    throw new AppError(
      'CONFLICT',
      'This Idempotency-Key was used with a different request in the last 24 hours',
    );
  return { status: seen.status_code ?? 202, body: seen.response! };
}

function escapeText(text: string): string {
  return `<pre style="font:14px/1.5 Arial,sans-serif;white-space:pre-wrap">${text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')}</pre>`;
}

export async function getEmail(ctx: Ctx, id: string) {
  assertCan(ctx, 'campaigns:read');
  const [r] = await rows<Record<string, unknown>>(
    ctx.deps.database.db,
    sql`select id, email, state, reason, message_id, attempts, last_error, sent_at, failed_at, delivered_at, bounced_at,
        opened_at, clicked_at, queued_at from email_sends
      where org_id = ${ctx.orgId} and id = ${id} and kind = 'transactional'`,
  );
  if (!r) throw new AppError('NOT_FOUND', 'Email not found');
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: r.id as string,
    to: r.email as string,
    state: r.state as string,
    reason: (r.reason as string | null) ?? null,
    messageId: r.message_id as string,
    attempts: r.attempts as number,
    lastError: (r.last_error as string | null) ?? null,
    queuedAt: iso(r.queued_at)!,
    sentAt: iso(r.sent_at),
    failedAt: iso(r.failed_at),
    deliveredAt: iso(r.delivered_at),
    bouncedAt: iso(r.bounced_at),
    openedAt: iso(r.opened_at),
    clickedAt: iso(r.clicked_at),
  };
}
