import { describe, expect, it } from 'vitest';
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
import { createSnsVerifier, isSnsUrl, parseSnsMessage, snsStringToSign } from './sns.js';
import {
  normaliseMailgun,
  normalisePostmark,
  normaliseResend,
  normaliseSendgrid,
  normaliseSes,
} from './webhooks.normalise.js';
import { verifyMailgun, verifyPostmark, verifySendgrid, verifySvix } from './webhooks.verify.js';

const SEND = '0190f5a2-1c2b-7abc-8def-0123456789ab';
const MSGID = `<${SEND}@crm.example.com>`;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';

describe('SNS (Amazon SES)', () => {
  const id = snsSigningIdentity();
  const fetched: string[] = [];
  const verifier = () =>
    createSnsVerifier(async (url) => {
      fetched.push(url);
      return id.certPem;
    });

  it('accepts signature versions 1 (SHA1) and 2 (SHA256), fetching the certificate once', async () => {
    const v = verifier();
    fetched.length = 0;
    const m1 = parseSnsMessage(JSON.stringify(snsMessage(id.keyPem, { TopicArn: TOPIC }, { version: '1' })))!;
    const m2 = parseSnsMessage(
      JSON.stringify(
        snsMessage(id.keyPem, { TopicArn: TOPIC, Subject: 'Amazon SES Email Event Notification' }),
      ),
    )!;
    expect(await v.verify(m1)).toBe('ok');
    expect(await v.verify(m2)).toBe('ok');
    expect(fetched).toEqual([CERT_URL]);
  });

  it('refuses a changed field, a certificate URL off the SNS hosts, and another key', async () => {
    const v = verifier();
    const msg = snsMessage(id.keyPem, { TopicArn: TOPIC, Message: '{"a":1}' });
    expect(await v.verify(parseSnsMessage(JSON.stringify({ ...msg, Message: '{"a":2}' }))!)).toBe(
      'bad-signature',
    );
    expect(await v.verify(parseSnsMessage(JSON.stringify({ ...msg, TopicArn: `${TOPIC}x` }))!)).toBe(
      'bad-signature',
    );
    for (const url of [
      'http://sns.eu-west-1.amazonaws.com/cert.pem',
      'https://sns.eu-west-1.amazonaws.com.evil.test/cert.pem',
      'https://evil.test/sns.eu-west-1.amazonaws.com/cert.pem',
      'https://sns.eu-west-1.amazonaws.com:8443/cert.pem',
      'https://user@sns.eu-west-1.amazonaws.com/cert.pem',
    ]) {
      const bad = snsMessage(id.keyPem, { TopicArn: TOPIC }, { certUrl: url });
      expect(await v.verify(parseSnsMessage(JSON.stringify(bad))!), url).toBe('bad-cert-url');
    }
    const other = snsSigningIdentity();
    const forged = snsMessage(other.keyPem, { TopicArn: TOPIC });
    expect(await v.verify(parseSnsMessage(JSON.stringify(forged))!)).toBe('bad-signature');
  });

  it('builds the canonical string per type (Subject only when present; confirmation fields)', () => {
    expect(
      snsStringToSign({
        Type: 'Notification',
        MessageId: 'm',
        Message: 'x',
        Timestamp: 't',
        TopicArn: 'a',
      }),
    ).toBe('Message\nx\nMessageId\nm\nTimestamp\nt\nTopicArn\na\nType\nNotification\n');
    expect(
      snsStringToSign({
        Type: 'SubscriptionConfirmation',
        MessageId: 'm',
        Message: 'x',
        Timestamp: 't',
        TopicArn: 'a',
        Token: 'k',
        SubscribeURL: 'u',
      }),
    ).toBe(
      'Message\nx\nMessageId\nm\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\na\nType\nSubscriptionConfirmation\n',
    );
    expect(snsStringToSign({ Type: 'Other' })).toBeNull();
    expect(isSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe(true);
  });

  it('normalises SES events of both spellings, finding our id in the headers', () => {
    const mail = {
      messageId: '0102018f-ses-own-id',
      headers: [
        { name: 'Message-ID', value: MSGID },
        { name: 'X-Moxora-Send-Id', value: SEND },
      ],
      commonHeaders: { messageId: '<0102018f@email.amazonses.com>' },
    };
    const bounce = (bounceType: string) =>
      normaliseSes(
        'sns-1',
        JSON.stringify({
          eventType: 'Bounce',
          mail,
          bounce: {
            bounceType,
            bounceSubType: 'General',
            timestamp: '2026-01-02T03:04:05.000Z',
            bouncedRecipients: [{ emailAddress: 'a@x.test', diagnosticCode: 'smtp; 550 5.1.1 no such user' }],
          },
        }),
      );
    expect(bounce('Permanent')).toEqual([
      {
        providerEventId: 'sns-1',
        sendId: SEND,
        type: 'bounced',
        bounceType: 'hard',
        occurredAt: new Date('2026-01-02T03:04:05.000Z'),
        reason: 'smtp; 550 5.1.1 no such user',
      },
    ]);
    expect(bounce('Transient')[0]!.bounceType).toBe('soft');
    expect(bounce('Undetermined')[0]!.bounceType).toBe('soft');
    const onlyCommon = { commonHeaders: { messageId: MSGID } };
    expect(
      normaliseSes('s', JSON.stringify({ notificationType: 'Delivery', mail: onlyCommon, delivery: {} })),
    ).toMatchObject([{ type: 'delivered', sendId: SEND }]);
    expect(
      normaliseSes('s', JSON.stringify({ notificationType: 'Complaint', mail, complaint: {} }))[0]!.type,
    ).toBe('complained');
    expect(normaliseSes('s', JSON.stringify({ eventType: 'Open', mail, open: {} }))[0]!.type).toBe('opened');
    expect(
      normaliseSes('s', JSON.stringify({ eventType: 'Click', mail, click: { link: 'https://x.test/' } }))[0],
    ).toMatchObject({ type: 'clicked', url: 'https://x.test/' });
    // SES's own message id is never read as ours.
    expect(
      normaliseSes(
        's',
        JSON.stringify({ eventType: 'Delivery', mail: { messageId: SEND, commonHeaders: {} }, delivery: {} }),
      )[0]!.sendId,
    ).toBeNull();
    expect(normaliseSes('s', JSON.stringify({ eventType: 'Send', mail }))).toEqual([]);
  });
});

describe('Postmark', () => {
  it('checks basic auth: user and password both', () => {
    expect(verifyPostmark({ authorization: basicAuth('hook', 's3cret') }, 'hook', 's3cret')).toBe(true);
    expect(verifyPostmark({ authorization: basicAuth('hook', 's3cret!') }, 'hook', 's3cret')).toBe(false);
    expect(verifyPostmark({ authorization: basicAuth('other', 's3cret') }, 'hook', 's3cret')).toBe(false);
    expect(verifyPostmark({}, 'hook', 's3cret')).toBe(false);
    expect(verifyPostmark({ authorization: 'Bearer x' }, 'hook', 's3cret')).toBe(false);
  });

  it('maps record and bounce types', () => {
    const n = (p: Record<string, unknown>) =>
      normalisePostmark('e', { Metadata: { moxora_send_id: SEND }, MessageID: 'pm-own-uuid', ...p });
    expect(n({ RecordType: 'Delivery' })).toMatchObject([{ type: 'delivered', sendId: SEND }]);
    expect(n({ RecordType: 'Bounce', Type: 'HardBounce' })).toMatchObject([
      { type: 'bounced', bounceType: 'hard' },
    ]);
    expect(n({ RecordType: 'Bounce', Type: 'SoftBounce' })).toMatchObject([
      { type: 'bounced', bounceType: 'soft' },
    ]);
    expect(n({ RecordType: 'Bounce', Type: 'Transient' })).toMatchObject([
      { type: 'bounced', bounceType: 'soft' },
    ]);
    expect(n({ RecordType: 'Bounce', Type: 'AutoResponder' })).toEqual([]);
    expect(n({ RecordType: 'SpamComplaint' })).toMatchObject([{ type: 'complained' }]);
    expect(n({ RecordType: 'Open' })).toMatchObject([{ type: 'opened' }]);
    expect(n({ RecordType: 'Click', OriginalLink: 'https://x.test' })).toMatchObject([
      { type: 'clicked', url: 'https://x.test' },
    ]);
    expect(
      n({ RecordType: 'SubscriptionChange', SuppressSending: true, SuppressionReason: 'ManualSuppression' }),
    ).toMatchObject([{ type: 'unsubscribed' }]);
    expect(n({ RecordType: 'SubscriptionChange', SuppressSending: false })).toMatchObject([
      { type: 'resubscribed' },
    ]);
    // Without metadata: the Message-ID header of the payload, never Postmark's MessageID.
    expect(
      normalisePostmark('e', { RecordType: 'Delivery', Headers: [{ Name: 'Message-ID', Value: MSGID }] })[0]!
        .sendId,
    ).toBe(SEND);
    expect(
      normalisePostmark('e', {
        RecordType: 'Bounce',
        Type: 'HardBounce',
        Content: `Received: x\r\nMessage-ID:\r\n ${MSGID}\r\nSubject: hi\r\n\r\nbody Message-ID: <nope@x>`,
      })[0]!.sendId,
    ).toBe(SEND);
    expect(normalisePostmark('e', { RecordType: 'Delivery', MessageID: SEND })[0]!.sendId).toBeNull();
  });
});

describe('SendGrid', () => {
  const keys = sendgridKeys();
  const body = JSON.stringify([{ event: 'delivered', sg_event_id: 'e1', 'smtp-id': MSGID }]);

  it('verifies ECDSA signatures over timestamp + body, with the key as base64 DER or PEM', () => {
    const headers = sendgridHeaders(keys.privateKey, body);
    expect(verifySendgrid(headers, Buffer.from(body), keys.publicKey)).toBe(true);
    expect(verifySendgrid(headers, Buffer.from(body), keys.publicPem)).toBe(true);
    expect(verifySendgrid(headers, Buffer.from(`${body} `), keys.publicKey)).toBe(false);
    expect(
      verifySendgrid(
        {
          ...headers,
          'x-twilio-email-event-webhook-timestamp': String(
            Number(headers['x-twilio-email-event-webhook-timestamp']) + 1,
          ),
        },
        Buffer.from(body),
        keys.publicKey,
      ),
    ).toBe(false);
    expect(verifySendgrid(headers, Buffer.from(body), sendgridKeys().publicKey)).toBe(false);
    expect(verifySendgrid({}, Buffer.from(body), keys.publicKey)).toBe(false);
  });

  it('maps a batch', () => {
    const events = normaliseSendgrid(
      [
        { event: 'processed', sg_event_id: 'p', 'smtp-id': MSGID },
        { event: 'delivered', sg_event_id: 'a', 'smtp-id': MSGID, timestamp: 1767323045 },
        {
          event: 'bounce',
          sg_event_id: 'b',
          'smtp-id': MSGID,
          type: 'bounce',
          bounce_classification: 'Invalid Address',
        },
        { event: 'bounce', sg_event_id: 'c', 'smtp-id': MSGID, type: 'blocked' },
        {
          event: 'bounce',
          sg_event_id: 'c2',
          'smtp-id': MSGID,
          type: 'bounce',
          bounce_classification: 'Reputation',
        },
        { event: 'dropped', sg_event_id: 'd', 'smtp-id': MSGID, reason: 'Bounced Address' },
        { event: 'spamreport', sg_event_id: 'e', moxora_send_id: SEND },
        { event: 'open', sg_event_id: 'f', moxora_send_id: SEND, sg_machine_open: true },
        { event: 'click', sg_event_id: 'g', moxora_send_id: SEND, url: 'https://x.test' },
        { event: 'unsubscribe', sg_event_id: 'h', moxora_send_id: SEND },
        { event: 'group_unsubscribe', moxora_send_id: SEND },
        { event: 'open' },
      ],
      (i) => `derived-${i}`,
    );
    expect(events.map((e) => [e.providerEventId, e.type, e.bounceType, e.sendId])).toEqual([
      ['a', 'delivered', undefined, SEND],
      ['b', 'bounced', 'hard', SEND],
      ['c', 'bounced', 'soft', SEND],
      ['c2', 'bounced', 'soft', SEND],
      ['d', 'bounced', 'hard', SEND],
      ['e', 'complained', undefined, SEND],
      ['f', 'opened', undefined, SEND],
      ['g', 'clicked', undefined, SEND],
      ['h', 'unsubscribed', undefined, SEND],
      ['derived-10', 'unsubscribed', undefined, SEND],
      ['derived-11', 'opened', undefined, null],
    ]);
    expect(events[0]!.occurredAt).toEqual(new Date(1767323045 * 1000));
    expect(events[6]!.machine).toBe(true);
  });
});

describe('Mailgun', () => {
  const key = 'key-0123456789abcdef';
  it('verifies the HMAC, within 5 minutes', () => {
    expect(verifyMailgun(mailgunSignature(key), key)).toBe(true);
    expect(verifyMailgun(mailgunSignature('other'), key)).toBe(false);
    expect(
      verifyMailgun(mailgunSignature(key, { timestamp: Math.floor(Date.now() / 1000) - 301 }), key),
    ).toBe(false);
    expect(
      verifyMailgun(mailgunSignature(key, { timestamp: Math.floor(Date.now() / 1000) + 301 }), key),
    ).toBe(false);
    expect(verifyMailgun({ ...mailgunSignature(key), token: 'changed' }, key)).toBe(false);
    expect(verifyMailgun(undefined, key)).toBe(false);
  });

  it('maps event-data', () => {
    const n = (d: Record<string, unknown>) =>
      normaliseMailgun(
        {
          'event-data': { id: 'ev', message: { headers: { 'message-id': `${SEND}@crm.example.com` } }, ...d },
        },
        'fallback',
      );
    expect(n({ event: 'delivered' })).toMatchObject([
      { type: 'delivered', sendId: SEND, providerEventId: 'ev' },
    ]);
    expect(n({ event: 'failed', severity: 'permanent' })).toMatchObject([
      { type: 'bounced', bounceType: 'hard' },
    ]);
    expect(n({ event: 'failed', severity: 'temporary' })).toMatchObject([
      { type: 'bounced', bounceType: 'soft' },
    ]);
    expect(n({ event: 'complained' })).toMatchObject([{ type: 'complained' }]);
    expect(n({ event: 'opened' })).toMatchObject([{ type: 'opened' }]);
    expect(n({ event: 'clicked', url: 'https://x.test' })).toMatchObject([
      { type: 'clicked', url: 'https://x.test' },
    ]);
    expect(n({ event: 'unsubscribed' })).toMatchObject([{ type: 'unsubscribed' }]);
    expect(n({ event: 'accepted' })).toEqual([]);
  });
});

describe('Resend (Svix)', () => {
  it('matches the Svix reference vector', () => {
    const headers = {
      'svix-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'svix-timestamp': '1614265330',
      'svix-signature':
        'v1,bm9ldHUjKzFob2VudXRob2VodWUzMjRvdWVvdW9ldQo= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const body = Buffer.from('{"test": 2432232314}');
    expect(verifySvix(headers, body, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 1614265330_000)).toBe(true);
    // Outside ±5 minutes of its timestamp.
    expect(
      verifySvix(headers, body, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 1614265330_000 + 301_000),
    ).toBe(false);
    expect(
      verifySvix(headers, body, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 1614265330_000 - 301_000),
    ).toBe(false);
    expect(
      verifySvix(
        headers,
        Buffer.from('{"test": 2432232315}'),
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        1614265330_000,
      ),
    ).toBe(false);
  });

  it('verifies fresh signatures and refuses other secrets', () => {
    const secret = svixSecret();
    const body = '{"type":"email.delivered","data":{}}';
    expect(verifySvix(svixHeaders(secret, body), Buffer.from(body), secret)).toBe(true);
    expect(verifySvix(svixHeaders(svixSecret(), body), Buffer.from(body), secret)).toBe(false);
    expect(verifySvix({}, Buffer.from(body), secret)).toBe(false);
  });

  it('maps types, finding our id in headers or tags', () => {
    const n = (type: string, data: Record<string, unknown> = {}) =>
      normaliseResend('svix-1', {
        type,
        created_at: '2026-01-02T03:04:05.000Z',
        data: {
          email_id: 'e0a3c6f2-0000-4000-8000-000000000000',
          headers: [{ name: 'X-Moxora-Send-Id', value: SEND }],
          ...data,
        },
      });
    expect(n('email.delivered')).toMatchObject([
      { type: 'delivered', sendId: SEND, providerEventId: 'svix-1' },
    ]);
    expect(n('email.bounced', { bounce: { type: 'Permanent', message: 'no' } })).toMatchObject([
      { type: 'bounced', bounceType: 'hard', reason: 'no' },
    ]);
    expect(n('email.bounced', { bounce: { type: 'Transient' } })).toMatchObject([
      { type: 'bounced', bounceType: 'soft' },
    ]);
    expect(n('email.complained')).toMatchObject([{ type: 'complained' }]);
    expect(n('email.opened')).toMatchObject([{ type: 'opened' }]);
    expect(n('email.clicked', { click: { link: 'https://x.test' } })).toMatchObject([
      { type: 'clicked', url: 'https://x.test' },
    ]);
    expect(n('email.sent')).toEqual([]);
    expect(n('email.delivered', { headers: undefined, tags: { moxora_send_id: SEND } })[0]!.sendId).toBe(
      SEND,
    );
  });
});
