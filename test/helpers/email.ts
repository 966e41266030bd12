import type { TestServer } from './server.js';

/** Sending prerequisites straight into the tables: a default sender and the postal address. */
export async function setupSending(server: TestServer, orgId: string, opts: { throttle?: number } = {}) {
  const db = server.runtime.database;
  const { rows } = await db.query<{ id: string }>(
    `insert into senders (org_id, name, email, reply_to, is_default) values ($1, 'Acme News', 'news@acme.test', 'hello@acme.test', true)
     on conflict (org_id, lower(email)) do update set name = excluded.name returning id`,
    [orgId],
  );
  await db.query(
    `insert into email_settings (org_id, postal_address, throttle_per_second) values ($1, '1 Main Street, Springfield', $2)
     on conflict (org_id) do update set postal_address = excluded.postal_address, throttle_per_second = excluded.throttle_per_second`,
    [orgId, opts.throttle ?? 10_000],
  );
  return { senderId: rows[0]!.id };
}

export async function insertTemplate(
  server: TestServer,
  orgId: string,
  t: { name?: string; subject?: string; body?: string } = {},
): Promise<string> {
  const { rows } = await server.runtime.database.query<{ id: string }>(
    `insert into templates (org_id, name, subject, format, body) values ($1, $2, $3, 'html', $4) returning id`,
    [
      orgId,
      t.name ?? `Template ${Math.random().toString(36).slice(2)}`,
      t.subject ?? 'Hello {{ contact.firstName | default: "there" }}',
      t.body ??
        '<p>Hi {{ contact.firstName | default: "there" }},</p><p><a href="https://example.com/launch?a=1&amp;b=2">Read more</a></p>',
    ],
  );
  return rows[0]!.id;
}

/** Contacts with a tag, in one statement; returns the tag id. */
export async function seedTaggedContacts(
  server: TestServer,
  orgId: string,
  count: number,
  opts: { prefix?: string; status?: string; tagName?: string } = {},
): Promise<{ tagId: string; emails: string[] }> {
  const db = server.runtime.database;
  const tagName = opts.tagName ?? 'newsletter';
  const { rows } = await db.query<{ id: string }>(
    `insert into tags (org_id, name) values ($1, $2) on conflict (org_id, lower(name)) do update set name = excluded.name returning id`,
    [orgId, tagName],
  );
  const tagId = rows[0]!.id;
  const prefix = opts.prefix ?? 'r';
  await db.query(
    `insert into contacts (org_id, first_name, email, subscription_status, tag_ids)
     select $1, 'Reader ' || i, $2 || i || '@example.com', $3, array[$4::uuid] from generate_series(1, $5) i`,
    [orgId, prefix, opts.status ?? 'subscribed', tagId, count],
  );
  return { tagId, emails: Array.from({ length: count }, (_, i) => `${prefix}${i + 1}@example.com`) };
}
