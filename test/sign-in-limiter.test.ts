import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createUser, nextIp, uniqueEmail } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * The sign-in limiter counts every attempt atomically BEFORE the password is checked
 * (modules/auth/auth.routes.ts). It used to check, verify, then count: 60 concurrent wrong
 * passwords got 15 tries against a limit of 8.
 */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('sign-in limiter under concurrency', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lets at most RATE_LIMIT_SIGN_IN_PER_ACCOUNT of 60 concurrent wrong passwords reach the password check', async () => {
    const user = await createUser(server);
    const perAccount = server.config.rateLimits.signInPerAccount;
    // Spread over addresses, so the per-IP limit does not answer first: this is the account limit.
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        client(server, undefined, nextIp()).post('/api/auth/sign-in/email', {
          email: user.email,
          password: 'wrong password 1',
        }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    const wrong = statuses.filter((s) => s === 401).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect({ wrong, limited, other: 60 - wrong - limited }).toEqual({
      wrong: perAccount,
      limited: 60 - perAccount,
      other: 0,
    });
  });

  it('holds the per-IP limit for 60 concurrent attempts from one address on different accounts', async () => {
    const ip = nextIp();
    const perIp = server.config.rateLimits.signInPerIp;
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        client(server, undefined, ip).post('/api/auth/sign-in/email', {
          email: uniqueEmail('nobody'),
          password: 'wrong password 1',
        }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401).length).toBe(perIp);
    expect(statuses.filter((s) => s === 429).length).toBe(60 - perIp);
  });

  it('gives a successful sign-in its attempt back: people are not locked out by their own sign-ins', async () => {
    const user = await createUser(server);
    const ip = nextIp();
    const perAccount = server.config.rateLimits.signInPerAccount;
    const c = client(server, undefined, ip);
    for (let i = 0; i < perAccount + 4; i++) {
      const ok = await c.post('/api/auth/sign-in/email', { email: user.email, password: user.password });
      expect(ok.statusCode).toBe(200);
    }
    // The wrong passwords still have their full budget, then the account is locked (right password too).
    for (let i = 0; i < perAccount; i++) {
      const bad = await c.post('/api/auth/sign-in/email', {
        email: user.email,
        password: 'wrong password 1',
      });
      expect(bad.statusCode).toBe(401);
    }
    const locked = await c.post('/api/auth/sign-in/email', {
      email: user.email,
      password: 'wrong password 1',
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMITED');
    const rightButLocked = await c.post('/api/auth/sign-in/email', {
      email: user.email,
      password: user.password,
    });
    expect(rightButLocked.statusCode).toBe(429);
  });
});
