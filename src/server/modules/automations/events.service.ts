import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { pgCode, rows } from '../../lib/sql.js';
import { eventsFrom, writeTx } from '../contacts/write/events.js';

/**
 * Custom events (`POST /api/v1/events`): a named event with properties, recorded on the contact's
 * timeline ('event.custom') through the contacts write path, so the event bus hands it to the
 * automations' trigger subscriber. An Idempotency-Key (kept 24 hours, prefixed 'event:' in
 * idempotency_keys so it never collides with a /emails key) makes a repeated request answer the
 * first response with one event.
 */

export const MAX_PROPERTIES_BYTES = 16 * 1024;

export interface CustomEventInput {
  contact: { id: string } | { email: string };
  name: string;
  properties: Record<string, unknown>;
}
export interface CustomEventResult {
  id: string;
  contactId: string;
  name: string;
}

interface Seen {
  request_hash: string;
  status_code: number | null;
  response: CustomEventResult | null;
}

class IdempotentReplay extends Error {}

function replay(seen: Seen, hash: string): CustomEventResult {
  if (seen.request_hash !== hash)
    throw new AppError(
      'CONFLICT',
      'This Idempotency-Key was used with a different request in the last 24 hours',
    );
  return seen.response!;
}

export async function recordCustomEvent(
  ctx: Ctx,
  input: CustomEventInput,
  idempotencyKey?: string,
): Promise<CustomEventResult> {
  assertCan(ctx, 'contacts:write');
  const db = ctx.deps.database.db;
  const properties = JSON.stringify(input.properties ?? {});
  if (Buffer.byteLength(properties) > MAX_PROPERTIES_BYTES)
    throw new AppError('VALIDATION_FAILED', 'properties: at most 16 KB of JSON', {
      issues: [{ path: ['properties'], message: 'At most 16 KB of JSON' }],
    });
  const hash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  const key = idempotencyKey ? `event:${idempotencyKey}` : undefined;
  const lookup = async () => {
    const [seen] = await rows<Seen>(
      db,
      sql`select request_hash, status_code, response from idempotency_keys
        where org_id = ${ctx.orgId} and key = ${key!} and created_at > now() - interval '24 hours'`,
    );
    return seen;
  };
  if (key) {
    const seen = await lookup();
    if (seen) return replay(seen, hash);
  }
  const [contact] = await rows<{ id: string }>(
    db,
    'id' in input.contact
      ? sql`select id from contacts where org_id = ${ctx.orgId} and id = ${input.contact.id}`
      : sql`select id from contacts where org_id = ${ctx.orgId} and lower(email) = lower(${input.contact.email})
          order by created_at, id limit 1`,
  );
  if (!contact) throw new AppError('NOT_FOUND', 'Contact not found');
  const data = JSON.stringify({ name: input.name, properties: input.properties ?? {} });
  try {
    return await writeTx(ctx, async (tx) => {
      const [ev] = await rows<{ id: string }>(
        tx,
        sql`with src as (select ${contact.id}::uuid as contact_id),
          ${eventsFrom(ctx, { source: 'src', contactId: 'contact_id', type: sql`'event.custom'`, data: sql`${data}::jsonb`, name: 'custom_event' })}
          select id from custom_event`,
      );
      const body: CustomEventResult = { id: ev!.id, contactId: contact.id, name: input.name };
      if (key) {
        await tx.execute(sql`insert into idempotency_keys (org_id, key, request_hash, status_code, response)
          values (${ctx.orgId}, ${key}, ${hash}, 202, ${JSON.stringify(body)}::jsonb)
          on conflict (org_id, key) do update set request_hash = excluded.request_hash,
            status_code = excluded.status_code, response = excluded.response, created_at = now()
          where idempotency_keys.created_at <= now() - interval '24 hours'`);
        const [mine] = await rows<{ response: CustomEventResult }>(
          tx,
          sql`select response from idempotency_keys where org_id = ${ctx.orgId} and key = ${key}`,
        );
        // Another request with this key won the race: roll ours back and answer theirs.
        if (mine?.response?.id !== body.id) throw new IdempotentReplay();
      }
      return body;
    });
  } catch (err) {
    if ((err instanceof IdempotentReplay || pgCode(err) === '23505') && key) {
      const seen = await lookup();
      if (seen) return replay(seen, hash);
    }
    throw err;
  }
}
