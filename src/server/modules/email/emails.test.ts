import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTemplate, setupSending } from '../../../../test/helpers/email.js';
import { client, createOrg, nextIp, type Session } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../../../../test/helpers/smtp-sink.js';
import { waitFor } from '../../../../test/helpers/wait.js';

/**
 * Transactional email (POST /api/v1/emails, GET /api/v1/emails/:id) end to end: the request writes
 * a ledger row, the send runner delivers it to a real SMTP server (the sink), and the ledger says
 * what happened.
 */
describe.skipIf(databaseMissing)('transactional email (real SMTP sink)', () => {
  let server: TestServer;
  let sink: SmtpSink;
  /** Temporary rejections given so far, per address (the sink answers 451 twice to `soft-…`). */
  const softRejections = new Map<string, number>();
  beforeAll(async () => {
    sink = await startSmtpSink();
    // Addresses decide the sink's answer, so the tests (run in a random order) never interfere.
    sink.reject = (rcpt) => {
      if (rcpt.startsWith('hard-')) return { code: 550, message: 'No such user here' };
      if (rcpt.startsWith('soft-')) {
        const n = softRejections.get(rcpt) ?? 0;
        if (n < 2) {
          softRejections.set(rcpt, n + 1);
          return { code: 451, message: 'Greylisted, try again later' };
        }
      }
      return null;
    };
    server = await createTestServer({ smtpUrl: sink.url, sendPollMs: 50, sendRetrySeconds: 1 });
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  let seq = 0;
  /** An address no other test uses. */
  const address = (prefix = 'tx') => `${prefix}-${Date.now().toString(36)}-${++seq}@example.org`;

  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  /** POST /api/v1/emails as `session`, with an optional Idempotency-Key. */
  function sendEmail(session: { cookie: string }, body: unknown, key?: string, ip = nextIp()) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/emails',
      remoteAddress: ip,
      headers: {
        origin: server.origin,
        cookie: session.cookie,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: JSON.stringify(body),
    });
  }

  const messagesTo = (to: string) => sink.messages.filter((m) => m.to.some((t) => t.toLowerCase() === to));

  const waitMessage = (to: string): Promise<SinkMessage> =>
    waitFor(() => messagesTo(to)[0], { what: `a message to ${to} at the SMTP sink` });

  const waitState = (session: Session, id: string, state: string) =>
    waitFor(
      async () => {
        const r = (await client(server, session).get(`/api/v1/emails/${id}`)).json();
        return r.state === state ? r : undefined;
      },
      { what: `email ${id} to be ${state}` },
    );

  async function orgReadyToSend(roles: Array<'viewer'> = []) {
    const org = await createOrg(server, roles);
    const { senderId } = await setupSending(server, org.orgId);
    return { ...org, senderId };
  }

  async function insertContact(orgId: string, email: string, firstName: string, status = 'subscribed') {
    const [c] = await q<{ id: string }>(
      `insert into contacts (org_id, first_name, email, subscription_status) values ($1, $2, $3, $4) returning id`,
      [orgId, firstName, email, status],
    );
    return c!.id;
  }

  it('sends inline content to an address, merge data HTML-escaped, with its send id and no unsubscribe headers', async () => {
    const { owner } = await orgReadyToSend();
    const to = address();
    const res = await sendEmail(owner, {
      to,
      subject: 'Order {{ data.order }} confirmed',
      html: '<p>Hello {{ data.name }}, your total is {{ data.total }}.</p>',
      text: 'Hello {{ data.name }}, total {{ data.total }}',
      data: { order: 'A-17', name: '<b>Eve</b> & "Co"', total: 42 },
    });
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ status: 'queued', to });
    expect(body.messageId).toMatch(new RegExp(`^<${body.id}@localhost>$`));

    const msg = await waitMessage(to);
    expect(msg.subject).toBe('Order A-17 confirmed');
    expect(msg.header('X-Moxora-Send-Id')).toBe(body.id);
    expect(msg.messageId).toBe(body.messageId);
    expect(msg.header('List-Unsubscribe')).toBeNull();
    expect(msg.header('List-Unsubscribe-Post')).toBeNull();
    expect(msg.from).toBe('news@acme.test'); // the organisation's default sender
    const parsed = await simpleParser(msg.raw);
    const html = String(parsed.html);
    expect(html).toContain('Hello &lt;b&gt;Eve&lt;/b&gt; &amp; &#34;Co&#34;, your total is 42.');
    expect(html).not.toContain('<b>Eve</b>');
    expect(parsed.text).toContain('Hello <b>Eve</b> & "Co", total 42');

    const state = await waitState(owner, body.id, 'sent');
    expect(state).toMatchObject({ id: body.id, to, attempts: 1, messageId: body.messageId, failedAt: null });
    expect(state.sentAt).not.toBeNull();
    expect(messagesTo(to)).toHaveLength(1);
  });

  it("sends a template to a contact, with the contact's fields and the merge data", async () => {
    const { orgId, owner, senderId } = await orgReadyToSend();
    const to = address('contact');
    const contactId = await insertContact(orgId, to, 'Ada');
    const templateId = await insertTemplate(server, orgId, {
      subject: 'Welcome {{ contact.firstName }}',
      body: '<p>Hi {{ contact.firstName }}, your code is {{ data.code }}.</p>',
    });
    const res = await sendEmail(owner, { contactId, templateId, senderId, data: { code: 'X-991' } });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'queued', to });
    const msg = await waitMessage(to);
    expect(msg.subject).toBe('Welcome Ada');
    expect(String((await simpleParser(msg.raw)).html)).toContain('Hi Ada, your code is X-991.');
    expect(msg.header('X-Moxora-Send-Id')).toBe(res.json().id);
    const [row] = await q<{ contact_id: string; kind: string }>(
      `select contact_id, kind from email_sends where id = $1`,
      [res.json().id],
    );
    expect(row).toEqual({ contact_id: contactId, kind: 'transactional' });
    await waitState(owner, res.json().id, 'sent');
  });

  it('answers a repeated Idempotency-Key with the first response and sends one message, also to concurrent requests', async () => {
    const { owner } = await orgReadyToSend();
    // One after the other.
    const to = address('idem');
    const body = { to, subject: 'Receipt', html: '<p>Paid</p>' };
    const first = await sendEmail(owner, body, 'receipt-1');
    const second = await sendEmail(owner, body, 'receipt-1');
    expect(first.statusCode, first.body).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    // The same key with another request: refused.
    const other = await sendEmail(owner, { ...body, subject: 'Another receipt' }, 'receipt-1');
    expect(other.statusCode, other.body).toBe(409);

    // Five at once with a new key.
    const toRace = address('race');
    const raceBody = { to: toRace, subject: 'Raced', html: '<p>Once</p>' };
    const raced = await Promise.all(
      Array.from({ length: 5 }, () => sendEmail(owner, raceBody, 'receipt-race')),
    );
    for (const r of raced) expect(r.statusCode, r.body).toBe(202);
    const ids = new Set(raced.map((r) => r.json().id));
    expect(ids.size, JSON.stringify(raced.map((r) => r.json()))).toBe(1);
    for (const r of raced) expect(r.json()).toEqual(raced[0]!.json());

    await waitState(owner, first.json().id, 'sent');
    await waitState(owner, raced[0]!.json().id, 'sent');
    // Exactly one ledger row and one message per key.
    for (const address of [to, toRace]) {
      const [n] = await q<{ n: number }>(`select count(*)::int as n from email_sends where email = $1`, [
        address,
      ]);
      expect(n!.n, address).toBe(1);
      expect(messagesTo(address), address).toHaveLength(1);
    }
  });

  it('never sends to a suppressed address (status "suppressed"), but sends to an unsubscribed contact', async () => {
    const { orgId, owner } = await orgReadyToSend();
    const suppressed = address('suppressed');
    await q(`insert into suppressions (org_id, email, reason) values ($1, $2, 'manual')`, [
      orgId,
      suppressed.toUpperCase(),
    ]);
    const res = await sendEmail(owner, { to: suppressed, subject: 'Reset', html: '<p>Reset</p>' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'suppressed', to: suppressed });

    // Marketing unsubscribes do not apply to transactional mail.
    const unsubscribed = address('unsub');
    const contactId = await insertContact(orgId, unsubscribed, 'Una', 'unsubscribed');
    const ok = await sendEmail(owner, { contactId, subject: 'Your invoice', html: '<p>Invoice</p>' });
    expect(ok.statusCode, ok.body).toBe(202);
    await waitMessage(unsubscribed);
    await waitState(owner, ok.json().id, 'sent');

    // The suppressed one, written before, was never sent.
    const state = (await client(server, owner).get(`/api/v1/emails/${res.json().id}`)).json();
    expect(state).toMatchObject({ state: 'skipped', reason: 'suppressed', attempts: 0, sentAt: null });
    expect(messagesTo(suppressed)).toHaveLength(0);
  });

  it('marks a message the server rejects with 5xx failed, and retries a 4xx until it is accepted', async () => {
    const { owner } = await orgReadyToSend();
    const hard = address('hard');
    const soft = address('soft');
    const rejected = await sendEmail(owner, { to: hard, subject: 'Hi', html: '<p>Hi</p>' });
    const retried = await sendEmail(owner, { to: soft, subject: 'Hi', html: '<p>Hi</p>' });
    expect(rejected.statusCode, rejected.body).toBe(202);
    expect(retried.statusCode, retried.body).toBe(202);

    const failed = await waitState(owner, rejected.json().id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/No such user here/);
    expect(failed.failedAt).not.toBeNull();
    expect(failed.sentAt).toBeNull();

    const sent = await waitState(owner, retried.json().id, 'sent');
    expect(sent.attempts).toBe(3);
    expect(sent.lastError).toMatch(/Greylisted/);
    expect(softRejections.get(soft)).toBe(2);
    expect(messagesTo(soft)).toHaveLength(1);
    expect(messagesTo(hard)).toHaveLength(0);
  });

  it('keeps organisations apart: ids, contacts, templates, senders and Idempotency-Keys of another organisation', async () => {
    const a = await orgReadyToSend();
    const b = await orgReadyToSend();
    const aTo = address('iso-a');
    const aContact = await insertContact(a.orgId, aTo, 'Alice');
    const aTemplate = await insertTemplate(server, a.orgId);
    const aMail = await sendEmail(a.owner, { to: aTo, subject: 'A', html: '<p>A</p>' }, 'shared-key');
    expect(aMail.statusCode, aMail.body).toBe(202);
    await waitState(a.owner, aMail.json().id, 'sent');

    const cb = client(server, b.owner);
    expect((await cb.get(`/api/v1/emails/${aMail.json().id}`)).statusCode).toBe(404);
    const bTo = address('iso-b');
    const inline = { subject: 'B', html: '<p>B</p>' };
    expect((await sendEmail(b.owner, { contactId: aContact, ...inline })).statusCode).toBe(404);
    expect((await sendEmail(b.owner, { to: bTo, templateId: aTemplate })).statusCode).toBe(404);
    expect((await sendEmail(b.owner, { to: bTo, ...inline, senderId: a.senderId })).statusCode).toBe(404);
    const [none] = await q<{ n: number }>(`select count(*)::int as n from email_sends where org_id = $1`, [
      b.orgId,
    ]);
    expect(none!.n).toBe(0);

    // The same key in another organisation is another request, not A's answer.
    const bMail = await sendEmail(b.owner, { to: aTo, subject: 'A', html: '<p>A</p>' }, 'shared-key');
    expect(bMail.statusCode, bMail.body).toBe(202);
    expect(bMail.json().id).not.toBe(aMail.json().id);
    await waitState(b.owner, bMail.json().id, 'sent');
    expect(messagesTo(aTo)).toHaveLength(2);
  });

  it('refuses a viewer, and shows only transactional messages (not campaign rows)', async () => {
    const org = await orgReadyToSend(['viewer']);
    const viewer = org.viewer!;
    const denied = await sendEmail(viewer, { to: address('viewer'), subject: 'x', html: '<p>x</p>' });
    expect(denied.statusCode).toBe(403);
    const [n] = await q<{ n: number }>(`select count(*)::int as n from email_sends where org_id = $1`, [
      org.orgId,
    ]);
    expect(n!.n).toBe(0);

    const mine = await sendEmail(org.owner, { to: address('viewer'), subject: 'x', html: '<p>x</p>' });
    expect((await client(server, viewer).get(`/api/v1/emails/${mine.json().id}`)).statusCode).toBe(200);

    const [campaign] = await q<{ id: string }>(
      `insert into campaigns (org_id, name, status) values ($1, 'Old news', 'sent') returning id`,
      [org.orgId],
    );
    const [row] = await q<{ id: string }>(
      `insert into email_sends (org_id, campaign_id, kind, email, state, message_id, sent_at)
       values ($1, $2, 'campaign', $3, 'sent', '<' || gen_random_uuid() || '@localhost>', now()) returning id`,
      [org.orgId, campaign!.id, address('campaign')],
    );
    expect((await client(server, org.owner).get(`/api/v1/emails/${row!.id}`)).statusCode).toBe(404);
  });

  it('validates the request: exactly one recipient, and content or a template', async () => {
    const { owner } = await orgReadyToSend();
    const both = await sendEmail(owner, {
      to: address(),
      contactId: crypto.randomUUID(),
      subject: 's',
      html: 'h',
    });
    expect(both.statusCode).toBe(400);
    expect((await sendEmail(owner, { subject: 's', html: 'h' })).statusCode).toBe(400);
    expect((await sendEmail(owner, { to: address(), html: '<p>no subject</p>' })).statusCode).toBe(400);
    expect((await sendEmail(owner, { to: address(), subject: 'Only a subject' })).statusCode).toBe(400);
  });
});
