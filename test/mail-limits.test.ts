import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as systemEmails from '../src/server/emails/system.js';
import type { MailMessage } from '../src/server/lib/mailer.js';
import { client, createOrg, nextIp, uniqueEmail } from './helpers/factories.js';
import { mailsTo, waitForMail } from './helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { queueIdle } from './helpers/wait.js';

/**
 * Sign-up and mail abuse (issue 11): mails anyone can make Moxora send to any address are limited,
 * and no mail carries user-chosen text in its subject.
 */

const HOSTILE = '<script>Win a prize</script> at evil.example\r\nBcc: victim@example.com';

/** Every template of src/server/emails/system.ts, rendered with hostile user text everywhere. */
const RENDERED: Record<keyof typeof systemEmails, () => MailMessage> = {
  verificationEmail: () => systemEmails.verificationEmail('a@example.com', 'https://x.test/verify?t=1'),
  resetPasswordEmail: () =>
    systemEmails.resetPasswordEmail('a@example.com', HOSTILE, 'https://x.test/reset/1'),
  invitationEmail: () =>
    systemEmails.invitationEmail('a@example.com', HOSTILE, HOSTILE, 'member', 'https://x.test/invitations/1'),
  existingAccountEmail: () =>
    systemEmails.existingAccountEmail('a@example.com', HOSTILE, 'https://x.test/sign-in'),
  workflowNotificationEmail: () =>
    systemEmails.workflowNotificationEmail('a@example.com', {
      workflowName: HOSTILE,
      message: HOSTILE,
      contact: HOSTILE,
      url: 'https://x.test/contacts/1',
    }),
};

describe('system mail subjects', () => {
  it('covers every template the module exports', () => {
    const exported = Object.entries(systemEmails)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    expect(Object.keys(RENDERED).sort()).toEqual(exported);
  });

  it.each(Object.keys(RENDERED))('%s: a fixed subject, user text escaped in the body', (name) => {
    const mail = RENDERED[name as keyof typeof RENDERED]();
    expect(mail.subject).not.toMatch(/prize|script|evil|Bcc|[<>\r\n]/i);
    expect(mail.subject).toMatch(/Moxora/);
    expect(mail.html).not.toContain('<script>');
    if (name !== 'verificationEmail') expect(mail.html).toContain('&lt;script&gt;Win a prize');
  });

  it('the verification mail carries no name at all (whoever signed up chose it)', () => {
    const mail = systemEmails.verificationEmail('a@example.com', 'https://x.test/verify?t=1');
    expect(mail.text).toMatch(/^Confirm your email address\n\nHi,\n/);
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('mail limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const verifyMails = async (email: string) =>
    (await mailsTo(server, email)).filter((m) => /verify your email/i.test(m.subject));

  async function signUpUnverified(name = HOSTILE) {
    const email = uniqueEmail('unverified');
    const password = 'a-long-enough-password';
    const res = await client(server).post('/api/auth/sign-up/email', {
      name,
      email,
      password,
      ageConfirmed: true,
    });
    expect(res.statusCode).toBe(200);
    return { email, password };
  }

  it('10 sign-ins to an unverified account send at most 3 verification mails; every answer is the same', async () => {
    const { email, password } = await signUpUnverified(); // mail 1 of 3
    const answers = new Set<string>();
    for (let i = 0; i < 10; i++) {
      // A new address each time: the per-account limit alone must hold.
      const res = await client(server, undefined, nextIp()).post('/api/auth/sign-in/email', {
        email,
        password,
      });
      answers.add(`${res.statusCode} ${res.json().error?.code}`);
    }
    expect([...answers]).toEqual(['403 EMAIL_NOT_VERIFIED']);
    await queueIdle(server);
    const mails = await verifyMails(email);
    expect(mails).toHaveLength(3);
    for (const m of mails) {
      expect(m.subject).toBe('Verify your email address for Moxora');
      expect(m.text).not.toContain('Win a prize'); // the name the sender chose is not in it
    }
    // "Send it again" is held by the same limit (its answer does not change either).
    const resend = await client(server).post('/api/auth/send-verification-email', { email });
    expect(resend.statusCode).toBe(200);
    await queueIdle(server);
    expect(await verifyMails(email)).toHaveLength(3);
  });

  let net6 = 0;
  it.each([
    ['one IPv4 address', () => nextIp()],
    ['a new IPv6 address in one /64 each time', () => `2001:db8:${++net6}:7::`],
  ])('one client (%s) makes at most 10 verification mails an hour, across accounts', async (_, network) => {
    const accounts = [];
    for (let i = 0; i < 12; i++) accounts.push(await signUpUnverified('Someone')); // each from its own IP
    const prefix = network();
    let host = 0;
    const ip = () => (prefix.includes(':') ? `${prefix}${(++host).toString(16)}` : prefix);
    for (const a of accounts) {
      const res = await client(server, undefined, ip()).post('/api/auth/sign-in/email', a);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('EMAIL_NOT_VERIFIED');
    }
    await queueIdle(server);
    let fromSignIn = 0;
    for (const a of accounts) fromSignIn += (await verifyMails(a.email)).length - 1; // minus the sign-up mail
    expect(fromSignIn).toBe(server.config.rateLimits.verifyMailPerIp);
  });

  it("a workflow's notify mail has the fixed subject; the workflow's name is only in the escaped body", async () => {
    const org = await createOrg(server, ['member']);
    const owner = client(server, org.owner);
    const created = await owner.post('/api/v1/automations', {
      name: HOSTILE.slice(0, 60),
      definition: {
        nodes: [
          { id: 'start', type: 'trigger', trigger: { type: 'manual' } },
          { id: 'ping', type: 'notify', userId: org.member!.userId, message: 'Call them today' },
        ],
        edges: [{ from: 'start', to: 'ping' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await owner.post(`/api/v1/automations/${id}/activate`)).statusCode).toBe(200);
    const person = (
      await owner.post('/api/v1/contacts', { firstName: 'Lead', email: uniqueEmail('lead') })
    ).json().id;
    await owner.post(`/api/v1/automations/${id}/enrol`, { contactIds: [person] });
    const mail = await waitForMail(server, org.member!.email, /workflow/i);
    expect(mail.subject).toBe('A workflow notification from Moxora');
    expect(mail.text).toContain('Win a prize');
    expect(mail.html).toContain('&lt;script&gt;Win a prize');
  });

  it('the 21st invitation of an organisation within an hour answers 429 and mails nobody', async () => {
    const { owner } = await createOrg(server);
    const limit = server.config.rateLimits.invitationsPerOrg;
    expect(limit).toBe(20);
    for (let i = 0; i < limit; i++) {
      const res = await client(server, owner).post('/api/v1/invitations', {
        email: uniqueEmail(`inv${i}`),
        role: 'member',
      });
      expect(res.statusCode).toBe(201);
    }
    const extra = uniqueEmail('one-too-many');
    const over = await client(server, owner).post('/api/v1/invitations', { email: extra, role: 'member' });
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('RATE_LIMITED');
    const { rows } = await server.runtime.database.query<{ n: number }>(
      'select count(*)::int as n from invitations where email = $1',
      [extra],
    );
    expect(rows[0]!.n).toBe(0);
    await queueIdle(server);
    expect(await mailsTo(server, extra)).toEqual([]);

    // Another organisation has its own budget.
    const other = await createOrg(server);
    const res = await client(server, other.owner).post('/api/v1/invitations', {
      email: uniqueEmail('elsewhere'),
      role: 'member',
    });
    expect(res.statusCode).toBe(201);
  });
});
