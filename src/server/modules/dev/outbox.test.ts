import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, uniqueEmail } from '../../../../test/helpers/factories.js';
import { waitForMail } from '../../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { loadConfig } from '../../lib/config.js';
import { outboxDir } from '../../lib/mailer.js';

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('outbox viewer', () => {
  let server: TestServer;
  beforeAll(async () => {
    // As configured by HOST=127.0.0.1 with no proxy trusted (lib/config.ts decides).
    server = await createTestServer({ devOutbox: loadConfig({ HOST: '127.0.0.1' }).devOutbox });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists and shows messages to loopback callers, escaping their content', async () => {
    const email = uniqueEmail('viewer');
    await client(server, undefined, '127.0.0.1').post('/api/auth/sign-up/email', {
      name: '<img src=x onerror=alert(1)>',
      email,
      password: 'password 123',
      ageConfirmed: true,
    });
    const mail = await waitForMail(server, email, /verify/i);
    const list = await server.app.inject({ method: 'GET', url: '/_dev/outbox', remoteAddress: '127.0.0.1' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(mail.file);
    const one = await server.app.inject({
      method: 'GET',
      url: `/_dev/outbox/${mail.file}`,
      remoteAddress: '::1',
    });
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('href="http://localhost:3999/api/auth/verify-email?token=');
    expect(one.body).not.toContain('<img src=x');
    const raw = await server.app.inject({
      method: 'GET',
      url: `/_dev/outbox/${mail.file}/raw`,
      remoteAddress: '127.0.0.1',
    });
    expect(raw.body).toMatch(/^Content-Type|^From|^MIME|^To|^Subject|^Message-ID/m);
  });

  it('escapes what a message says (subject, addresses, text)', async () => {
    // System mail no longer carries user-chosen text, so write a hostile message by hand.
    const evil = '<img src=x onerror=alert(1)>';
    const file = `9999-hostile-${Date.now()}.eml`;
    const dir = outboxDir(server.config.dataDir);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(
      path.join(dir, file),
      `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${evil}\r\nContent-Type: text/plain\r\n\r\nHello ${evil}\r\n`,
    );
    for (const url of ['/_dev/outbox', `/_dev/outbox/${file}`]) {
      const res = await server.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('<img src=x');
      expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('answers 404 to anyone not on loopback, even with a forged X-Forwarded-For', async () => {
    for (const url of ['/_dev/outbox', '/_dev/outbox.json']) {
      const res = await server.app.inject({
        method: 'GET',
        url,
        remoteAddress: '203.0.113.9',
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(res.statusCode).toBe(404);
    }
    const traversal = await server.app.inject({
      method: 'GET',
      url: '/_dev/outbox/..%2F..%2Fetc%2Fpasswd.eml',
      remoteAddress: '127.0.0.1',
    });
    expect([400, 404]).toContain(traversal.statusCode);
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('outbox viewer, when it must not be served', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it.each([
    ['listening on every interface (HOST=0.0.0.0)', { HOST: '0.0.0.0' }],
    ['behind a trusted reverse proxy on the same host', { HOST: '127.0.0.1', TRUST_PROXY: '127.0.0.1' }],
    ['with DEV_OUTBOX=0', { HOST: '127.0.0.1', DEV_OUTBOX: '0' }],
  ])('answers 404 even to loopback callers %s', async (_what, env: Record<string, string>) => {
    const config = loadConfig(env);
    const server = await createTestServer({ devOutbox: config.devOutbox, trustProxy: config.trustProxy });
    servers.push(server);
    const email = uniqueEmail('hidden');
    await client(server, undefined, '127.0.0.1').post('/api/auth/sign-up/email', {
      name: 'Hidden',
      email,
      password: 'password 123',
      ageConfirmed: true,
    });
    const mail = await waitForMail(server, email, /verify/i); // written to the folder all the same
    for (const url of ['/_dev/outbox', '/_dev/outbox.json', `/_dev/outbox/${mail.file}`]) {
      const res = await server.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
      expect(res.statusCode, url).toBe(404);
    }
  });
});
