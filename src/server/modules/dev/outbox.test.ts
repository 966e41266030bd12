import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, uniqueEmail } from '../../../../test/helpers/factories.js';
import { waitForMail } from '../../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

describe.skipIf(databaseMissing)('outbox viewer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
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
    expect(one.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const raw = await server.app.inject({
      method: 'GET',
      url: `/_dev/outbox/${mail.file}/raw`,
      remoteAddress: '127.0.0.1',
    });
    expect(raw.body).toMatch(/^Content-Type|^From|^MIME|^To|^Subject|^Message-ID/m);
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
