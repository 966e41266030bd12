import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertTemplate, seedTaggedContacts, setupSending } from '../../../../test/helpers/email.js';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { type SmtpSink, startSmtpSink } from '../../../../test/helpers/smtp-sink.js';
import { waitFor } from '../../../../test/helpers/wait.js';

describe.skipIf(databaseMissing)('campaigns and the send ledger (real SMTP sink)', () => {
  let server: TestServer;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await createTestServer({
      smtpUrl: sink.url,
      sendRetrySeconds: 1,
      sendPollMs: 50,
      sendConcurrency: 4,
    });
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });
  beforeEach(() => {
    sink.reject = () => null;
    sink.delayMs = 0;
  });
  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  async function draft(orgId: string, owner: { cookie: string }, tagId: string, name = 'Launch') {
    const templateId = await insertTemplate(server, orgId);
    const { senderId } = await setupSending(server, orgId);
    const res = await client(server, owner).post('/api/v1/campaigns', {
      name,
      templateId,
      senderId,
      audience: { tagIds: [tagId] },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }
  const waitStatus = (c: ReturnType<typeof client>, id: string, status: string, timeoutMs?: number) =>
    waitFor(
      async () => {
        const r = (await c.get(`/api/v1/campaigns/${id}`)).json();
        return r.status === status ? r : undefined;
      },
      { what: `campaign ${status}`, timeoutMs },
    );

  it('reviews the audience with its exclusions, sends to the rest once, tracked and unsubscribable', async () => {
    const { orgId, owner } = await createOrg(server);
    const { tagId, emails } = await seedTaggedContacts(server, orgId, 5, { prefix: 'ok' });
    for (const [prefix, status] of [
      ['unsub', 'unsubscribed'],
      ['bounce', 'bounced'],
      ['spam', 'complained'],
      ['never', 'not_subscribed'],
    ] as const) {
      await seedTaggedContacts(server, orgId, 1, { prefix, status });
    }
    await seedTaggedContacts(server, orgId, 1, { prefix: 'sup' });
    await q(`insert into suppressions (org_id, email, reason) values ($1, 'sup1@example.com', 'manual')`, [
      orgId,
    ]);
    await seedTaggedContacts(server, orgId, 1, { prefix: 'gdpr' });
    await q(`update contacts set restricted = true where email = 'gdpr1@example.com'`);

    const c = client(server, owner);
    const id = await draft(orgId, owner, tagId);
    const review = (await c.get(`/api/v1/campaigns/${id}/review`)).json();
    expect(review).toMatchObject({
      recipients: 5,
      total: 11,
      ready: true,
      excluded: {
        unsubscribed: 1,
        bounced: 1,
        complained: 1,
        not_subscribed: 1,
        suppressed: 1,
        restricted: 1,
      },
    });

    const sent = await c.post(`/api/v1/campaigns/${id}/send`, {});
    expect(sent.statusCode, sent.body).toBe(200);
    const done = await waitStatus(c, id, 'sent');
    const errs = await q(
      `select last_error from email_sends where campaign_id = $1 and state = 'failed' limit 1`,
      [id],
    );
    expect(done.counts, JSON.stringify(errs)).toMatchObject({
      queued: 0,
      sending: 0,
      sent: 5,
      failed: 0,
      skipped: 6,
      total: 11,
    });

    const mine = sink.messages.filter((m) => m.to.some((t) => emails.includes(t)));
    expect(mine.map((m) => m.to[0]).sort()).toEqual([...emails].sort());
    const ledger = await q<{ email: string; message_id: string }>(
      `select email, message_id from email_sends where campaign_id = $1 and state = 'sent'`,
      [id],
    );
    for (const m of mine) {
      const row = ledger.find((l) => l.email === m.to[0])!;
      expect(m.messageId).toBe(row.message_id);
      expect(m.header('List-Unsubscribe')).toMatch(/^<http:\/\/localhost:3999\/e\/u\/[^>]+>$/);
      expect(m.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(m.header('X-Moxora-Send-Id')).toBe(row.message_id.slice(1).split('@')[0]);
      expect(m.header('X-PM-Metadata-moxora_send_id')).toBe(m.header('X-Moxora-Send-Id'));
      expect(m.subject).toMatch(/^Hello Reader \d$/);
      const parsed = await simpleParser(m.raw);
      const html = String(parsed.html);
      expect(html).toContain('/e/o/');
      expect(html).toContain('/e/c/');
      expect(html).not.toContain('https://example.com/launch');
      expect(html).toContain('1 Main Street, Springfield');
      expect(parsed.text).toContain('/e/c/');
    }
    const [link] = await q<{ url: string }>(`select url from email_links where campaign_id = $1`, [id]);
    expect(link!.url).toBe('https://example.com/launch?a=1&b=2');

    const report = (await c.get(`/api/v1/campaigns/${id}/report`)).json();
    expect(report.totals.sent).toBe(5);
    expect(report.counts.skipped).toBe(6);
    const recipients = (await c.get(`/api/v1/campaigns/${id}/recipients?state=skipped&limit=3`)).json();
    expect(recipients.items).toHaveLength(3);
    expect(recipients.nextCursor).not.toBeNull();
    const rest = (
      await c.get(`/api/v1/campaigns/${id}/recipients?state=skipped&cursor=${recipients.nextCursor}`)
    ).json();
    expect([...recipients.items, ...rest.items].map((r: { reason: string }) => r.reason).sort()).toEqual([
      'bounced',
      'complained',
      'not_subscribed',
      'restricted',
      'suppressed',
      'unsubscribed',
    ]);
    // The timeline of a recipient says the campaign was sent.
    const [contact] = await q<{ id: string }>(`select id from contacts where email = $1`, [emails[0]]);
    const events = await q<{ type: string }>(`select type from contact_events where contact_id = $1`, [
      contact!.id,
    ]);
    expect(events.map((e) => e.type)).toContain('email.sent');
  });

  it('fails a recipient rejected with 5xx and moves on; retries a 4xx with backoff until it is accepted', async () => {
    const { orgId, owner } = await createOrg(server);
    const { tagId } = await seedTaggedContacts(server, orgId, 4, { prefix: 'rj' });
    let temporary = 0;
    sink.reject = (rcpt) => {
      if (rcpt === 'rj1@example.com') return { code: 550, message: 'No such user' };
      if (rcpt === 'rj2@example.com' && temporary < 2) {
        temporary++;
        return { code: 451, message: 'Try again later' };
      }
      return null;
    };
    const c = client(server, owner);
    const id = await draft(orgId, owner, tagId);
    await c.post(`/api/v1/campaigns/${id}/send`, {});
    const done = await waitStatus(c, id, 'sent', 60_000);
    expect(done.counts).toMatchObject({ sent: 3, failed: 1, queued: 0 });
    const rows = await q<{ email: string; state: string; attempts: number; last_error: string | null }>(
      `select email, state, attempts, last_error from email_sends where campaign_id = $1 order by email`,
      [id],
    );
    expect(rows.find((r) => r.email === 'rj1@example.com')).toMatchObject({ state: 'failed', attempts: 1 });
    expect(rows.find((r) => r.email === 'rj1@example.com')!.last_error).toMatch(/No such user/);
    expect(rows.find((r) => r.email === 'rj2@example.com')).toMatchObject({ state: 'sent', attempts: 3 });
    expect(sink.countsByRecipient().get('rj2@example.com')).toBe(1);
    expect(sink.countsByRecipient().get('rj1@example.com')).toBeUndefined();
  });

  it('pauses and resumes without sending anyone twice; cancel skips the rest', async () => {
    const { orgId, owner } = await createOrg(server);
    const { tagId, emails } = await seedTaggedContacts(server, orgId, 60, { prefix: 'pz' });
    sink.delayMs = 30;
    const c = client(server, owner);
    const id = await draft(orgId, owner, tagId);
    await c.post(`/api/v1/campaigns/${id}/send`, {});
    await waitFor(
      async () => ((await c.get(`/api/v1/campaigns/${id}`)).json().counts.sent >= 10 ? true : undefined),
      {
        what: '10 sent',
      },
    );
    expect((await c.post(`/api/v1/campaigns/${id}/pause`, {})).json().status).toBe('paused');
    // Messages in flight finish and are recorded; then nothing moves.
    const paused = await waitFor(
      async () => {
        const r = (await c.get(`/api/v1/campaigns/${id}`)).json();
        return r.counts.sending === 0 ? r : undefined;
      },
      { what: 'nothing in flight' },
    );
    expect(paused.status).toBe('paused');
    expect(paused.counts.queued).toBeGreaterThan(0);
    expect((await c.post(`/api/v1/campaigns/${id}/resume`, {})).json().status).toBe('sending');
    await waitStatus(c, id, 'sent');
    const counts = sink.countsByRecipient();
    for (const e of emails) expect(counts.get(e), e).toBe(1);

    // Cancel: a second campaign to the same people stops, the queued rest is skipped.
    const id2 = await draft(orgId, owner, tagId, 'Second');
    await c.post(`/api/v1/campaigns/${id2}/send`, {});
    await waitFor(
      async () => ((await c.get(`/api/v1/campaigns/${id2}`)).json().counts.sent >= 5 ? true : undefined),
      {
        what: '5 sent',
      },
    );
    expect((await c.post(`/api/v1/campaigns/${id2}/cancel`, {})).json().status).toBe('canceled');
    const canceled = await waitFor(
      async () => {
        const r = (await c.get(`/api/v1/campaigns/${id2}`)).json();
        return r.counts.sending === 0 ? r : undefined;
      },
      { what: 'nothing in flight after cancel' },
    );
    expect(canceled.counts.queued).toBe(0);
    expect(canceled.counts.skipped).toBeGreaterThan(0);
    expect(canceled.counts.sent + canceled.counts.skipped).toBe(60);
    expect(canceled.status).toBe('canceled');
  });

  it("keeps to the organisation's throttle (messages per second)", async () => {
    const { orgId, owner } = await createOrg(server);
    const { tagId } = await seedTaggedContacts(server, orgId, 9, { prefix: 'th' });
    const c = client(server, owner);
    const id = await draft(orgId, owner, tagId);
    await q(`update email_settings set throttle_per_second = 4 where org_id = $1`, [orgId]);
    await c.post(`/api/v1/campaigns/${id}/send`, {});
    await waitStatus(c, id, 'sent');
    const [span] = await q<{ ms: number }>(
      `select extract(epoch from max(sent_at) - min(sent_at)) * 1000 as ms from email_sends where campaign_id = $1`,
      [id],
    );
    // 9 messages at 4 per second: slots 2 s apart, less the first delivery time (a lower bound,
    // which a slow machine only makes longer).
    expect(Number(span!.ms)).toBeGreaterThanOrEqual(1500);
  });

  it('schedules in the organisation time zone and refuses to send without a postal address', async () => {
    const { orgId, owner } = await createOrg(server);
    const { tagId } = await seedTaggedContacts(server, orgId, 1, { prefix: 'tz' });
    const c = client(server, owner);
    const id = await draft(orgId, owner, tagId);
    await q(`update email_settings set time_zone = 'Europe/Paris', postal_address = '' where org_id = $1`, [
      orgId,
    ]);
    const refused = await c.post(`/api/v1/campaigns/${id}/send`, {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/postal address/);
    await q(`update email_settings set postal_address = '2 Rue de Rivoli, Paris' where org_id = $1`, [orgId]);
    const year = new Date().getUTCFullYear() + 1;
    const res = await c.post(`/api/v1/campaigns/${id}/send`, { at: `${year}-07-01T09:00` });
    expect(res.statusCode, res.body).toBe(200);
    const scheduled = res.json();
    expect(scheduled.status).toBe('scheduled');
    expect(scheduled.scheduledAt).toBe(`${year}-07-01T07:00:00.000Z`); // CEST is UTC+2
    expect((await c.patch(`/api/v1/campaigns/${id}`, { name: 'x' })).statusCode).toBe(409);
    expect((await c.post(`/api/v1/campaigns/${id}/cancel`, {})).json().status).toBe('canceled');
  });

  it('keeps organisations apart and checks roles', async () => {
    const a = await createOrg(server, ['viewer', 'member']);
    const { tagId } = await seedTaggedContacts(server, a.orgId, 1, { prefix: 'iso' });
    const id = await draft(a.orgId, a.owner, tagId);
    const b = await createOrg(server);
    const cb = client(server, b.owner);
    for (const [method, path] of [
      ['get', `/api/v1/campaigns/${id}`],
      ['get', `/api/v1/campaigns/${id}/review`],
      ['get', `/api/v1/campaigns/${id}/report`],
      ['get', `/api/v1/campaigns/${id}/recipients`],
      ['patch', `/api/v1/campaigns/${id}`],
      ['post', `/api/v1/campaigns/${id}/send`],
      ['post', `/api/v1/campaigns/${id}/pause`],
      ['post', `/api/v1/campaigns/${id}/resume`],
      ['post', `/api/v1/campaigns/${id}/cancel`],
      ['delete', `/api/v1/campaigns/${id}`],
    ] as const) {
      const res =
        method === 'get' || method === 'delete' ? await cb[method](path) : await cb[method](path, {});
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
    expect((await cb.get('/api/v1/campaigns')).json().items).toEqual([]);
    // Org B cannot point a campaign at org A's tag, template or sender.
    const bad = await cb.post('/api/v1/campaigns', { name: 'x', audience: { tagIds: [tagId] } });
    expect(bad.statusCode).toBe(201);
    expect((await cb.get(`/api/v1/campaigns/${bad.json().id}/review`)).statusCode).toBe(404);
    const [tpl] = await q<{ id: string }>(`select id from templates where org_id = $1`, [a.orgId]);
    expect((await cb.post('/api/v1/campaigns', { name: 'y', templateId: tpl!.id })).statusCode).toBe(404);
    // A viewer reads but cannot send; a member may send.
    const viewer = client(server, a.viewer!);
    expect((await viewer.get(`/api/v1/campaigns/${id}`)).statusCode).toBe(200);
    expect((await viewer.post(`/api/v1/campaigns/${id}/send`, {})).statusCode).toBe(403);
    expect((await viewer.post('/api/v1/campaigns', { name: 'v' })).statusCode).toBe(403);
    expect((await client(server, a.member!).post(`/api/v1/campaigns/${id}/send`, {})).statusCode).toBe(200);
  });
});
