import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, uniqueEmail } from '../../../test/helpers/factories.js';
import { mailsTo } from '../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../test/helpers/server.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { createSmtpMailer } from './mailer.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

/** A real SMTP server on loopback (the smtp-server package), with AUTH. */
async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'moxora' && auth.password === 's3cret') return cb(null, { user: auth.username });
      return cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received };
}

describe('SMTP transport', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await new Promise<void>((r) => smtp.server.close(() => r()));
  });

  it('delivers through an authenticated SMTP server', async () => {
    const mailer = createSmtpMailer(
      `smtp://moxora:s3cret@127.0.0.1:${smtp.port}`,
      'Moxora <no-reply@moxora.test>',
    );
    expect(await mailer.verify()).toBe(true);
    await mailer.send({ to: 'ann@example.com', subject: 'Héllo ✓', text: 'Body text', html: '<p>Body</p>' });
    const got = smtp.received.at(-1)!;
    expect(got.user).toBe('moxora');
    expect(got.to).toEqual(['ann@example.com']);
    const parsed = await simpleParser(got.raw);
    expect(parsed.subject).toBe('Héllo ✓');
    expect(parsed.text?.trim()).toBe('Body text');
    mailer.close();
  });

  it('reports a wrong password instead of pretending to send', async () => {
    const mailer = createSmtpMailer(
      `smtp://moxora:wrong@127.0.0.1:${smtp.port}`,
      'Moxora <no-reply@moxora.test>',
    );
    expect(await mailer.verify()).toBe(false);
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toThrow();
    mailer.close();
  });

  describe.skipIf(databaseMissing)('with the app', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await createTestServer({
        smtpUrl: `smtp://moxora:s3cret@127.0.0.1:${smtp.port}`,
        devOutbox: false,
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('sends the verification email over SMTP when SMTP_URL is set (and not to the outbox)', async () => {
      const email = uniqueEmail('smtp');
      const res = await client(server).post('/api/auth/sign-up/email', {
        name: 'Smtp User',
        email,
        password: 'password 123',
        ageConfirmed: true,
      });
      expect(res.statusCode).toBe(200);
      const msg = await waitFor(() => smtp.received.find((m) => m.to.includes(email)), {
        what: `the SMTP server to receive a mail to ${email}`,
      });
      const parsed = await simpleParser(msg!.raw);
      expect(parsed.text).toContain('/api/auth/verify-email?token=');
      expect(await mailsTo(server, email)).toHaveLength(0);
      expect((await client(server).get('/_dev/outbox')).statusCode).toBe(404);
    });
  });
});
