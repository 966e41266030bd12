import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg, uniqueEmail } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import {
  basicAuth,
  CERT_URL,
  mailgunSignature,
  sendgridHeaders,
  sendgridKeys,
  snsMessage,
  snsSigningIdentity,
  svixHeaders,
  svixSecret,
} from './fixtures/signers.js';
import { useSnsFetcher } from './sns.js';
import { purgeReceipts } from './webhooks.service.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:moxora-ses';
const SUBSCRIBE_URL =
  'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:moxora-ses&Token=abc';

type Org = Awaited<ReturnType<typeof createOrg>>;

describe.skipIf(databaseMissing)('provider webhooks', () => {
  let server: TestServer;
  let a: Org;
  let b: Org;
  const sns = snsSigningIdentity();
  const fetched: string[] = [];

  beforeAll(async () => {
    server = await createTestServer();
    useSnsFetcher(async (url) => {
      fetched.push(url);
      if (url === CERT_URL) return sns.certPem;
      if (url.startsWith('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription'))
        return '<ConfirmSubscriptionResponse/>';
      throw new Error(`unexpected fetch ${url}`);
    });
    a = await createOrg(server, ['viewer']);
    b = await createOrg(server);
  });
  afterAll(async () => {
    useSnsFetcher(null);
    await server?.close();
  });

  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  function put(session: { cookie: string }, provider: string, body: unknown) {
    return server.app.inject({
      method: 'PUT',
      url: `/api/v1/sending/webhooks/${provider}`,
      headers: { origin: server.origin, cookie: session.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  }

  /** Configures an endpoint and returns its key (the row id in the URL). */
  async function endpoint(org: Org, provider: string, body: unknown): Promise<string> {
    const res = await put(org.owner, provider, body);
    expect(res.statusCode, res.body).toBe(200);
    return new URL(res.json().url).searchParams.get('key')!;
  }

  /** A sent message (ledger row) to a subscribed contact; `email` reuses the contact. */
  async function sent(org: Org, email = uniqueEmail('rcpt')) {
    const [c] = await q<{ id: string }>(
      `insert into contacts (org_id, email, subscription_status) values ($1, $2, 'subscribed')
        on conflict (org_id, lower(email)) do update set email = excluded.email returning id`,
      [org.orgId, email],
    );
    const [s] = await q<{ id: string }>(
      `insert into email_sends (org_id, contact_id, kind, email, state, message_id, sent_at)
        values ($1, $2, 'transactional', $3, 'sent', gen_random_uuid()::text, now()) returning id`,
      [org.orgId, c!.id, email],
    );
    const sendId = s!.id;
    const messageId = `<${sendId}@localhost>`;
    await q(`update email_sends set message_id = $2 where id = $1`, [sendId, messageId]);
    return { sendId, contactId: c!.id, email, messageId };
  }

  function post(
    provider: string,
    key: string | undefined,
    body: string,
    headers: Record<string, string> = {},
    contentType = 'application/json',
  ) {
    return server.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/email/${provider}${key ? `?key=${key}` : ''}`,
      headers: { 'content-type': contentType, ...headers },
      payload: body,
    });
  }

  const ledger = async (sendId: string) =>
    (
      await q<{
        delivered: boolean;
        bounced: boolean;
        bounce_type: string | null;
        complained: boolean;
        opens: number;
      }>(
        `select delivered_at is not null as delivered, bounced_at is not null as bounced, bounce_type,
           complained_at is not null as complained, opens from email_sends where id = $1`,
        [sendId],
      )
    )[0]!;
  const eventCount = async (sendId: string) =>
    (await q<{ n: number }>(`select count(*)::int as n from email_events where send_id = $1`, [sendId]))[0]!
      .n;
  const receiptCount = async (orgId: string) =>
    (
      await q<{ n: number }>(`select count(*)::int as n from email_webhook_receipts where org_id = $1`, [
        orgId,
      ])
    )[0]!.n;
  const contactStatus = async (contactId: string) =>
    (await q<{ s: string }>(`select subscription_status as s from contacts where id = $1`, [contactId]))[0]!
      .s;
  const suppression = async (orgId: string, email: string) =>
    (
      await q<{ reason: string }>(
        `select reason from suppressions where org_id = $1 and lower(email) = lower($2) and removed_at is null`,
        [orgId, email],
      )
    )[0]?.reason;

  /** Posts, expects 401 with the one refusal body, and checks nothing was recorded. */
  async function refused(
    res: Awaited<ReturnType<typeof post>>,
    orgId: string,
    sendId: string,
    receiptsBefore: number,
  ) {
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().error).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Webhook signature missing or invalid',
    });
    expect(await eventCount(sendId)).toBe(0);
    expect(await receiptCount(orgId)).toBe(receiptsBefore);
  }

  describe('settings', () => {
    it('lists all five providers, stores the secret encrypted and never returns it', async () => {
      const org = await createOrg(server, ['viewer']);
      const empty = await client(server, org.owner).get('/api/v1/sending/webhooks');
      expect(empty.statusCode).toBe(200);
      expect(empty.json().items).toEqual(
        ['ses', 'postmark', 'sendgrid', 'mailgun', 'resend'].map((provider) => ({
          provider,
          url: null,
          configured: false,
          config: {},
        })),
      );
      const secret = `pm-password-${randomUUID()}`;
      const res = await put(org.owner, 'postmark', { secret, config: { username: 'moxora' } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain(secret);
      const item = res.json();
      expect(item).toMatchObject({ provider: 'postmark', configured: true, config: { username: 'moxora' } });
      const [row] = await q<{ id: string; secret_enc: string }>(
        `select id, secret_enc from email_webhooks where org_id = $1 and provider = 'postmark'`,
        [org.orgId],
      );
      expect(item.url).toBe(`${server.baseUrl}/api/v1/webhooks/email/postmark?key=${row!.id}`);
      expect(row!.secret_enc).not.toContain(secret);
      expect(server.runtime.keys.decrypt(row!.secret_enc)).toBe(secret);
      // Changing the user name keeps the stored password; the viewer reads, never the secret.
      await put(org.owner, 'postmark', { config: { username: 'other' } });
      expect(
        server.runtime.keys.decrypt(
          (await q<{ s: string }>(`select secret_enc as s from email_webhooks where id = $1`, [row!.id]))[0]!
            .s,
        ),
      ).toBe(secret);
      const list = await client(server, org.viewer).get('/api/v1/sending/webhooks');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(secret);
      expect(list.body).not.toContain(row!.secret_enc);
      expect(list.json().items[1]).toEqual({ ...item, config: { username: 'other' } });
    });

    it('validates each provider: SES topics (no secret), SendGrid key, Resend secret, known providers', async () => {
      const org = await createOrg(server);
      expect((await put(org.owner, 'ses', { config: {} })).statusCode).toBe(400);
      expect((await put(org.owner, 'ses', { config: { topicArns: ['not-an-arn'] } })).statusCode).toBe(400);
      expect((await put(org.owner, 'ses', { secret: 'x', config: { topicArns: [TOPIC] } })).statusCode).toBe(
        400,
      );
      const ses = await put(org.owner, 'ses', { config: { topicArns: [TOPIC] } });
      expect(ses.json()).toMatchObject({ configured: true, config: { topicArns: [TOPIC] } });
      expect((await put(org.owner, 'sendgrid', { secret: 'not a key' })).statusCode).toBe(400);
      expect((await put(org.owner, 'sendgrid', { secret: sendgridKeys().publicPem })).json().configured).toBe(
        true,
      );
      expect((await put(org.owner, 'resend', { secret: 'plain' })).statusCode).toBe(400);
      expect((await put(org.owner, 'resend', { secret: svixSecret() })).json().configured).toBe(true);
      expect((await put(org.owner, 'mailgun', { config: { extra: 1 } })).statusCode).toBe(400);
      expect((await put(org.owner, 'sparkpost', { secret: 'x' })).statusCode).toBe(404);
      // Postmark without its user name is saved but not configured (its checks need both).
      expect((await put(org.owner, 'postmark', { secret: 'pw' })).json()).toMatchObject({
        configured: false,
      });
      expect(
        await q(`select provider from email_webhooks where org_id = $1 order by provider`, [org.orgId]),
      ).toEqual([
        { provider: 'postmark' },
        { provider: 'resend' },
        { provider: 'sendgrid' },
        { provider: 'ses' },
      ]);
    });

    it('refuses viewers, keeps organisations apart, and a deleted endpoint stops accepting', async () => {
      const org = await createOrg(server, ['viewer']);
      const other = await createOrg(server);
      const key = await endpoint(org, 'mailgun', { secret: 'mg-key-a' });
      expect((await put(org.viewer!, 'mailgun', { secret: 'evil' })).statusCode).toBe(403);
      const del = await server.app.inject({
        method: 'DELETE',
        url: '/api/v1/sending/webhooks/mailgun',
        headers: { origin: server.origin, cookie: org.viewer!.cookie },
      });
      expect(del.statusCode).toBe(403);
      // The other organisation sees none of it, and its own endpoint is its own.
      const theirs = (await client(server, other.owner).get('/api/v1/sending/webhooks')).json().items;
      expect(theirs.every((i: { url: string | null }) => i.url === null)).toBe(true);
      const otherKey = await endpoint(other, 'mailgun', { secret: 'mg-key-b' });
      expect(otherKey).not.toBe(key);
      const deleted = await client(server, other.owner).delete('/api/v1/sending/webhooks/mailgun');
      expect(deleted.statusCode).toBe(204);
      expect(await q(`select provider from email_webhooks where org_id = $1`, [org.orgId])).toEqual([
        { provider: 'mailgun' },
      ]);
      // A's key still works, B's deleted one no longer does.
      const msg = await sent(org);
      const body = (secret: string) =>
        JSON.stringify({
          signature: mailgunSignature(secret),
          'event-data': {
            id: randomUUID(),
            event: 'delivered',
            message: { headers: { 'message-id': msg.messageId } },
          },
        });
      expect((await post('mailgun', otherKey, body('mg-key-b'))).statusCode).toBe(401);
      const ok = await post('mailgun', key, body('mg-key-a'));
      expect(ok.statusCode, ok.body).toBe(200);
      expect((await ledger(msg.sendId)).delivered).toBe(true);
    });
  });

  describe('Amazon SES (SNS)', () => {
    let key: string;
    beforeAll(async () => {
      key = await endpoint(a, 'ses', { config: { topicArns: [TOPIC] } });
    });
    const sesEvent = (messageId: string, event: Record<string, unknown>) =>
      JSON.stringify({
        mail: {
          messageId: '0102018f-own-ses-id',
          headers: [{ name: 'Message-ID', value: messageId }],
          commonHeaders: { messageId: '<0102018f@email.amazonses.com>' },
        },
        ...event,
      });

    it('applies a signed delivery (text/plain, signature v2) and a v1 hard bounce, which suppresses', async () => {
      const msg = await sent(a);
      const delivery = snsMessage(sns.keyPem, {
        TopicArn: TOPIC,
        Message: sesEvent(msg.messageId, {
          eventType: 'Delivery',
          delivery: { timestamp: new Date().toISOString() },
        }),
      });
      const res = await post('ses', key, JSON.stringify(delivery), {}, 'text/plain; charset=UTF-8');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: 1 });
      expect(await ledger(msg.sendId)).toMatchObject({ delivered: true, bounced: false });

      const other = await sent(a);
      const bounce = snsMessage(
        sns.keyPem,
        {
          TopicArn: TOPIC,
          Subject: 'Amazon SES Email Event Notification',
          Message: sesEvent(other.messageId, {
            notificationType: 'Bounce',
            bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: other.email }] },
          }),
        },
        { version: '1' },
      );
      expect((await post('ses', key, JSON.stringify(bounce), {}, 'text/plain')).statusCode).toBe(200);
      expect(await ledger(other.sendId)).toMatchObject({ bounced: true, bounce_type: 'hard' });
      expect(await suppression(a.orgId, other.email)).toBe('hard_bounce');
      expect(await contactStatus(other.contactId)).toBe('bounced');

      // A late delivery after the bounce leaves the row bounced.
      const late = snsMessage(sns.keyPem, {
        TopicArn: TOPIC,
        Message: sesEvent(other.messageId, { eventType: 'Delivery', delivery: {} }),
      });
      expect((await post('ses', key, JSON.stringify(late), {}, 'text/plain')).statusCode).toBe(200);
      expect(await ledger(other.sendId)).toMatchObject({ delivered: false, bounced: true });
    });

    it('refuses a bad or missing signature, a topic off the allow-list and a certificate off the SNS hosts', async () => {
      const msg = await sent(a);
      const before = await receiptCount(a.orgId);
      const good = snsMessage(sns.keyPem, {
        TopicArn: TOPIC,
        Message: sesEvent(msg.messageId, { eventType: 'Delivery', delivery: {} }),
      });
      const tampered = {
        ...good,
        Message: sesEvent(msg.messageId, { eventType: 'Bounce', bounce: { bounceType: 'Permanent' } }),
      };
      await refused(
        await post('ses', key, JSON.stringify(tampered), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      const { Signature: _s, ...unsigned } = good;
      await refused(
        await post('ses', key, JSON.stringify(unsigned), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      const otherTopic = snsMessage(sns.keyPem, {
        TopicArn: 'arn:aws:sns:eu-west-1:999999999999:someone-else',
        Message: sesEvent(msg.messageId, { eventType: 'Delivery', delivery: {} }),
      });
      await refused(
        await post('ses', key, JSON.stringify(otherTopic), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      fetched.length = 0;
      const evilCert = snsMessage(
        sns.keyPem,
        { TopicArn: TOPIC, Message: sesEvent(msg.messageId, { eventType: 'Delivery', delivery: {} }) },
        { certUrl: 'https://sns.eu-west-1.amazonaws.com.attacker.test/cert.pem' },
      );
      await refused(
        await post('ses', key, JSON.stringify(evilCert), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      expect(fetched).toEqual([]);
      // Another key signing with a real-looking certificate URL: the served certificate does not match.
      const forged = snsMessage(snsSigningIdentity().keyPem, {
        TopicArn: TOPIC,
        Message: sesEvent(msg.messageId, { eventType: 'Delivery', delivery: {} }),
      });
      await refused(
        await post('ses', key, JSON.stringify(forged), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      // Unknown key: the same answer, nothing recorded.
      await refused(
        await post('ses', randomUUID(), JSON.stringify(good), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      await refused(
        await post('ses', undefined, JSON.stringify(good), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      // The endpoint of another provider does not take SES messages under its key.
      const mgKey = await endpoint(a, 'mailgun', { secret: 'mg-a' });
      await refused(
        await post('ses', mgKey, JSON.stringify(good), {}, 'text/plain'),
        a.orgId,
        msg.sendId,
        before,
      );
      // And the genuine message still goes through afterwards.
      expect((await post('ses', key, JSON.stringify(good), {}, 'text/plain')).statusCode).toBe(200);
      expect(await eventCount(msg.sendId)).toBe(1);
    });

    it('answers 503 (retry later) when the signing certificate cannot be fetched, recording nothing', async () => {
      const msg = await sent(a);
      const before = await receiptCount(a.orgId);
      const unreachable = snsMessage(
        sns.keyPem,
        { TopicArn: TOPIC, Message: sesEvent(msg.messageId, { eventType: 'Delivery', delivery: {} }) },
        { certUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-gone.pem' },
      );
      const res = await post('ses', key, JSON.stringify(unreachable), {}, 'text/plain');
      expect(res.statusCode, res.body).toBe(503);
      expect(await eventCount(msg.sendId)).toBe(0);
      expect(await receiptCount(a.orgId)).toBe(before);
    });

    it('refuses bodies over 1 MB', async () => {
      const big = JSON.stringify({ Type: 'Notification', Message: 'x'.repeat(1024 * 1024 + 1) });
      const res = await post('ses', key, big, {}, 'text/plain');
      expect(res.statusCode).toBe(413);
    });

    it('processes a replayed notification once', async () => {
      const msg = await sent(a);
      const open = JSON.stringify(
        snsMessage(sns.keyPem, {
          TopicArn: TOPIC,
          Message: sesEvent(msg.messageId, {
            eventType: 'Open',
            open: { timestamp: new Date().toISOString() },
          }),
        }),
      );
      expect((await post('ses', key, open, {}, 'text/plain')).json()).toEqual({ received: 1 });
      const again = await post('ses', key, open, {}, 'text/plain');
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ received: 0 });
      expect(await eventCount(msg.sendId)).toBe(1);
      expect((await ledger(msg.sendId)).opens).toBe(1);
    });

    it('confirms a subscription by fetching its SubscribeURL, and never a URL off the SNS hosts', async () => {
      fetched.length = 0;
      const confirm = snsMessage(sns.keyPem, {
        Type: 'SubscriptionConfirmation',
        TopicArn: TOPIC,
        Token: 'abc',
        SubscribeURL: SUBSCRIBE_URL,
        Message: 'You have chosen to subscribe to the topic …',
      });
      const res = await post('ses', key, JSON.stringify(confirm), {}, 'text/plain');
      expect(res.statusCode, res.body).toBe(200);
      expect(fetched).toContain(SUBSCRIBE_URL);
      fetched.length = 0;
      const evil = snsMessage(sns.keyPem, {
        Type: 'SubscriptionConfirmation',
        TopicArn: TOPIC,
        Token: 'abc',
        SubscribeURL: 'https://attacker.test/?Action=ConfirmSubscription',
        Message: 'x',
      });
      expect((await post('ses', key, JSON.stringify(evil), {}, 'text/plain')).statusCode).toBe(400);
      expect(fetched.filter((u) => u.includes('attacker'))).toEqual([]);
      // A confirmation for a topic not allowed is refused before anything is fetched.
      fetched.length = 0;
      const stranger = snsMessage(sns.keyPem, {
        Type: 'SubscriptionConfirmation',
        TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other',
        Token: 'abc',
        SubscribeURL: SUBSCRIBE_URL,
        Message: 'x',
      });
      expect((await post('ses', key, JSON.stringify(stranger), {}, 'text/plain')).statusCode).toBe(401);
      expect(fetched).toEqual([]);
    });
  });

  describe('Postmark', () => {
    let key: string;
    const password = `pm-${randomUUID()}`;
    beforeAll(async () => {
      key = await endpoint(a, 'postmark', { secret: password, config: { username: 'moxora' } });
    });
    const auth = (user = 'moxora', pw = password) => ({ authorization: basicAuth(user, pw) });

    it('applies a hard bounce with basic auth; a replay once; wrong or missing credentials 401', async () => {
      const msg = await sent(a);
      const body = JSON.stringify({
        RecordType: 'Bounce',
        Type: 'HardBounce',
        ID: 42,
        MessageID: randomUUID(),
        Metadata: { moxora_send_id: msg.sendId },
        Email: msg.email,
        BouncedAt: new Date().toISOString(),
        Description: 'The server was unable to deliver your message',
      });
      const before = await receiptCount(a.orgId);
      await refused(await post('postmark', key, body, auth('moxora', 'wrong')), a.orgId, msg.sendId, before);
      await refused(
        await post('postmark', key, body, auth('someone', password)),
        a.orgId,
        msg.sendId,
        before,
      );
      await refused(await post('postmark', key, body), a.orgId, msg.sendId, before);
      const res = await post('postmark', key, body, auth());
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: 1 });
      expect((await post('postmark', key, body, auth())).json()).toEqual({ received: 0 });
      expect(await eventCount(msg.sendId)).toBe(1);
      expect(await ledger(msg.sendId)).toMatchObject({ bounced: true, bounce_type: 'hard' });
      expect(await suppression(a.orgId, msg.email)).toBe('hard_bounce');
      expect(await contactStatus(msg.contactId)).toBe('bounced');
    });

    it('finds the message by the Message-ID header when there is no metadata', async () => {
      const msg = await sent(a);
      const body = JSON.stringify({
        RecordType: 'Delivery',
        MessageID: randomUUID(),
        Headers: [{ Name: 'Message-ID', Value: msg.messageId }],
        DeliveredAt: new Date().toISOString(),
      });
      expect((await post('postmark', key, body, auth())).statusCode).toBe(200);
      expect((await ledger(msg.sendId)).delivered).toBe(true);
    });
  });

  describe('SendGrid', () => {
    const keys = sendgridKeys();
    let key: string;
    beforeAll(async () => {
      key = await endpoint(a, 'sendgrid', { secret: keys.publicKey });
    });

    it('applies a signed batch: three soft bounces in a row suppress the address', async () => {
      const email = uniqueEmail('soft');
      const sends = [await sent(a, email), await sent(a, email), await sent(a, email)];
      const ts = Math.floor(Date.now() / 1000);
      const body = JSON.stringify(
        sends.map((s, i) => ({
          email,
          timestamp: ts + i,
          'smtp-id': s.messageId,
          event: 'bounce',
          type: 'blocked',
          bounce_classification: 'Technical',
          reason: '421 try again later',
          sg_event_id: `sg-${randomUUID()}`,
        })),
      );
      const res = await post('sendgrid', key, body, sendgridHeaders(keys.privateKey, body));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: 3 });
      for (const s of sends)
        expect(await ledger(s.sendId)).toMatchObject({ bounced: true, bounce_type: 'soft' });
      expect(await suppression(a.orgId, email)).toBe('soft_bounce');
    });

    it('refuses bad and missing signatures; drops a replayed event id', async () => {
      const msg = await sent(a);
      const event = {
        email: msg.email,
        timestamp: Math.floor(Date.now() / 1000),
        event: 'open',
        moxora_send_id: msg.sendId,
        sg_event_id: `sg-${randomUUID()}`,
      };
      const body = JSON.stringify([event]);
      const before = await receiptCount(a.orgId);
      await refused(
        await post('sendgrid', key, body, sendgridHeaders(sendgridKeys().privateKey, body)),
        a.orgId,
        msg.sendId,
        before,
      );
      await refused(await post('sendgrid', key, body), a.orgId, msg.sendId, before);
      const signedOther = sendgridHeaders(keys.privateKey, JSON.stringify([{ ...event, event: 'click' }]));
      await refused(await post('sendgrid', key, body, signedOther), a.orgId, msg.sendId, before);
      expect((await post('sendgrid', key, body, sendgridHeaders(keys.privateKey, body))).json()).toEqual({
        received: 1,
      });
      // The same event in a newly signed batch (SendGrid retries): once.
      const batch = JSON.stringify([
        event,
        { ...event, sg_event_id: `sg-${randomUUID()}`, event: 'delivered' },
      ]);
      expect(
        (
          await post('sendgrid', key, batch, sendgridHeaders(keys.privateKey, batch, event.timestamp + 60))
        ).json(),
      ).toEqual({ received: 1 });
      expect(await eventCount(msg.sendId)).toBe(2);
      expect((await ledger(msg.sendId)).opens).toBe(1);
    });
  });

  describe('Mailgun', () => {
    const signingKey = `mg-${randomUUID()}`;
    let key: string;
    beforeAll(async () => {
      key = await endpoint(a, 'mailgun', { secret: signingKey });
    });
    const body = (messageId: string, signature: object, data: Record<string, unknown> = {}) =>
      JSON.stringify({
        signature,
        'event-data': {
          id: randomUUID(),
          event: 'failed',
          severity: 'permanent',
          timestamp: Date.now() / 1000,
          message: { headers: { 'message-id': messageId.slice(1, -1) } },
          'delivery-status': { description: 'No such user' },
          ...data,
        },
      });

    it('applies a permanent failure as a hard bounce; a reused token is a replay', async () => {
      const msg = await sent(a);
      const signature = mailgunSignature(signingKey);
      const first = body(msg.messageId, signature);
      const res = await post('mailgun', key, first);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: 1 });
      expect(await ledger(msg.sendId)).toMatchObject({ bounced: true, bounce_type: 'hard' });
      expect(await suppression(a.orgId, msg.email)).toBe('hard_bounce');
      // The same token (even with another event id in the body) is not processed again.
      const replay = await post('mailgun', key, body(msg.messageId, signature, { event: 'delivered' }));
      expect(replay.statusCode).toBe(200);
      expect(replay.json()).toEqual({ received: 0 });
      expect(await eventCount(msg.sendId)).toBe(1);
    });

    it('refuses a bad, missing or stale signature', async () => {
      const msg = await sent(a);
      const before = await receiptCount(a.orgId);
      await refused(
        await post('mailgun', key, body(msg.messageId, mailgunSignature('wrong'))),
        a.orgId,
        msg.sendId,
        before,
      );
      await refused(await post('mailgun', key, body(msg.messageId, {})), a.orgId, msg.sendId, before);
      const stale = mailgunSignature(signingKey, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
      await refused(await post('mailgun', key, body(msg.messageId, stale)), a.orgId, msg.sendId, before);
      await refused(await post('mailgun', key, 'not json'), a.orgId, msg.sendId, before);
    });

    it("ignores events about another organisation's messages", async () => {
      const ofA = await sent(a);
      const keyB = await endpoint(b, 'mailgun', { secret: 'b-signing-key' });
      const res = await post('mailgun', keyB, body(ofA.messageId, mailgunSignature('b-signing-key')));
      expect(res.statusCode, res.body).toBe(200);
      expect(await ledger(ofA.sendId)).toMatchObject({ bounced: false });
      expect(await eventCount(ofA.sendId)).toBe(0);
      expect(await suppression(a.orgId, ofA.email)).toBeUndefined();
      expect(await contactStatus(ofA.contactId)).toBe('subscribed');
    });
  });

  describe('Resend (Svix)', () => {
    const secret = svixSecret();
    let key: string;
    beforeAll(async () => {
      key = await endpoint(a, 'resend', { secret });
    });
    const complaint = (sendId: string) =>
      JSON.stringify({
        type: 'email.complained',
        created_at: new Date().toISOString(),
        data: {
          email_id: randomUUID(),
          to: ['x@example.com'],
          headers: [{ name: 'X-Moxora-Send-Id', value: sendId }],
        },
      });

    it('applies a complaint (suppression, contact complained); a replayed svix-id once', async () => {
      const msg = await sent(a);
      const body = complaint(msg.sendId);
      const headers = svixHeaders(secret, body);
      const res = await post('resend', key, body, headers);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: 1 });
      expect((await ledger(msg.sendId)).complained).toBe(true);
      expect(await suppression(a.orgId, msg.email)).toBe('complaint');
      expect(await contactStatus(msg.contactId)).toBe('complained');
      expect((await post('resend', key, body, headers)).json()).toEqual({ received: 0 });
      expect(await eventCount(msg.sendId)).toBe(1);
    });

    it('refuses bad, missing and out-of-window signatures', async () => {
      const msg = await sent(a);
      const body = complaint(msg.sendId);
      const before = await receiptCount(a.orgId);
      await refused(
        await post('resend', key, body, svixHeaders(svixSecret(), body)),
        a.orgId,
        msg.sendId,
        before,
      );
      await refused(await post('resend', key, body), a.orgId, msg.sendId, before);
      const now = Math.floor(Date.now() / 1000);
      for (const timestamp of [now - 6 * 60, now + 6 * 60]) {
        await refused(
          await post('resend', key, body, svixHeaders(secret, body, { timestamp })),
          a.orgId,
          msg.sendId,
          before,
        );
      }
      expect(await contactStatus(msg.contactId)).toBe('subscribed');
    });
  });

  it('purges receipts older than 30 days', async () => {
    const org = await createOrg(server);
    await q(
      `insert into email_webhook_receipts (provider, event_id, org_id, received_at) values
        ('resend', $1, $2, now() - interval '31 days'), ('resend', $3, $2, now() - interval '29 days')`,
      [`old-${randomUUID()}`, org.orgId, `new-${randomUUID()}`],
    );
    expect(await purgeReceipts(server.runtime.database, 30)).toBeGreaterThanOrEqual(1);
    expect(
      await q(`select event_id like 'new-%' as recent from email_webhook_receipts where org_id = $1`, [
        org.orgId,
      ]),
    ).toEqual([{ recent: true }]);
  });
});
