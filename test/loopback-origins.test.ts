import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, trustedOriginsOf } from '../src/server/lib/config.js';
import { nextIp, sessionCookieOf, uniqueEmail } from './helpers/factories.js';
import { waitForMail } from './helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

describe('trusted origins in the configuration', () => {
  it('trusts both loopback spellings for the default (loopback) BASE_URL, on the same port', () => {
    expect(loadConfig({}).trustedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(loadConfig({ PORT: '8080' }).trustedOrigins).toEqual([
      'http://localhost:8080',
      'http://127.0.0.1:8080',
    ]);
    expect(trustedOriginsOf('http://127.0.0.1:3999')).toEqual([
      'http://127.0.0.1:3999',
      'http://localhost:3999',
    ]);
  });

  it('trusts only the BASE_URL origin for a public address', () => {
    expect(loadConfig({ BASE_URL: 'https://crm.example.com/' }).trustedOrigins).toEqual([
      'https://crm.example.com',
    ]);
    expect(loadConfig({}, { baseUrl: 'https://crm.example.com' }).trustedOrigins).toEqual([
      'https://crm.example.com',
    ]);
  });
});

describe.skipIf(databaseMissing)('a site opened at 127.0.0.1 instead of localhost', () => {
  let server: TestServer;
  const LOOPBACK = 'http://127.0.0.1:3999'; // the test server's BASE_URL is http://localhost:3999
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (url: string, origin: string, payload: unknown, cookie?: string, ip = nextIp()) =>
    server.app.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      // What a browser's fetch() sends: better-auth checks the Origin of sign-up and sign-in then.
      headers: {
        origin,
        'sec-fetch-site': 'same-origin',
        'sec-fetch-mode': 'cors',
        'sec-fetch-dest': 'empty',
        'content-type': 'application/json',
        ...(cookie ? { cookie } : {}),
      },
      payload: JSON.stringify(payload),
    });

  // Browsers send every cookie of the host whatever the port, so a page at 127.0.0.1 usually
  // carries cookies of other local apps: better-auth then checks the Origin.
  const OTHER_APP = 'other_local_app=1';

  it('signs up, signs in and writes with the session cookie', async () => {
    const email = uniqueEmail('loop');
    const password = 'a-long-enough-password';
    const signUp = await post(
      '/api/auth/sign-up/email',
      LOOPBACK,
      { name: 'Loop Back', email, password, ageConfirmed: true },
      OTHER_APP,
    );
    expect(signUp.statusCode, signUp.body).toBe(200);
    await waitForMail(server, email, /verify|confirm/i);
    await server.runtime.database.query('update users set email_verified = true where email = $1', [email]);
    const signIn = await post('/api/auth/sign-in/email', LOOPBACK, { email, password }, OTHER_APP);
    expect(signIn.statusCode, signIn.body).toBe(200);
    const cookie = sessionCookieOf(signIn);
    const created = await post(
      '/api/v1/contacts',
      LOOPBACK,
      { firstName: 'From', lastName: 'Loopback' },
      cookie,
    );
    expect(created.statusCode, created.body).toBe(201);

    // Another port is another site: refused, and the message says which origin is expected.
    const other = await post('/api/v1/contacts', 'http://127.0.0.1:4000', { firstName: 'X' }, cookie);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('ORIGIN_MISMATCH');
    expect(other.json().error.message).toContain('http://127.0.0.1:4000');
    expect(other.json().error.message).toContain('http://localhost:3999');
    const missing = await server.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ firstName: 'X' }),
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.message).toContain('expected http://localhost:3999');
  });

  it('still refuses a foreign origin', async () => {
    const res = await post(
      '/api/auth/sign-up/email',
      'https://evil.example',
      { name: 'Eve', email: uniqueEmail('eve'), password: 'a-long-enough-password', ageConfirmed: true },
      OTHER_APP,
    );
    expect(res.statusCode).toBe(403);
    // better-auth's own refusal says which origin the server expects, too.
    expect(res.json().error.message).toContain('https://evil.example');
    expect(res.json().error.message).toContain('http://localhost:3999');
  });
});
