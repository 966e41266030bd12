import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../src/server/lib/config.js';
import { createUser, sessionCookieOf, uniqueEmail } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * The client address behind TRUST_PROXY: Fastify's request.ip (the nearest address that is not a
 * trusted proxy) is what the per-IP limits count and what better-auth stores on the session.
 */

const randomIp = () =>
  `${1 + (randomBytes(1)[0]! % 200)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

function post(server: TestServer, url: string, body: unknown, peer: string, xff?: string) {
  return server.app.inject({
    method: 'POST',
    url,
    remoteAddress: peer,
    headers: {
      origin: server.origin,
      'content-type': 'application/json',
      ...(xff ? { 'x-forwarded-for': xff } : {}),
    },
    payload: JSON.stringify(body),
  });
}

const signUp = (server: TestServer, peer: string, xff?: string) =>
  post(
    server,
    '/api/auth/sign-up/email',
    { name: 'Proxy Test', email: uniqueEmail('proxy'), password: 'long enough 123', ageConfirmed: true },
    peer,
    xff,
  );
const wrongSignIn = (server: TestServer, peer: string, xff?: string) =>
  post(
    server,
    '/api/auth/sign-in/email',
    { email: uniqueEmail('nobody'), password: 'wrong password 1' },
    peer,
    xff,
  );

async function sessionIp(server: TestServer, peer: string, xff?: string): Promise<string | null> {
  const user = await createUser(server);
  const res = await post(
    server,
    '/api/auth/sign-in/email',
    { email: user.email, password: user.password },
    peer,
    xff,
  );
  expect(res.statusCode).toBe(200);
  const body = res.json() as { user: { id: string } };
  expect(sessionCookieOf(res)).toBeTruthy();
  const { rows } = await server.runtime.database.query<{ ip_address: string | null }>(
    'select ip_address from sessions where user_id = $1 order by created_at desc limit 1',
    [body.user.id],
  );
  return rows[0]?.ip_address ?? null;
}

async function statuses(n: number, fn: (i: number) => Promise<{ statusCode: number }>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fn(i)).statusCode);
  return out;
}

function serverWith(env: Record<string, string>): Promise<TestServer> {
  const config: Config = loadConfig(env);
  return createTestServer({ trustProxy: config.trustProxy });
}

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('client address with no proxy trusted (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serverWith({});
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a new X-Forwarded-For each time does not escape the per-IP sign-up limit', async () => {
    const peer = '203.0.113.10';
    const max = server.config.rateLimits.signUpPerIp;
    const got = await statuses(max + 3, () => signUp(server, peer, randomIp()));
    expect(got.slice(0, max).every((s) => s === 200)).toBe(true);
    expect(got.slice(max)).toEqual([429, 429, 429]);
  });

  it('a new X-Forwarded-For each time does not escape the per-IP sign-in limit', async () => {
    const peer = '203.0.113.11';
    const max = server.config.rateLimits.signInPerIp;
    const got = await statuses(max + 3, () => wrongSignIn(server, peer, randomIp()));
    expect(got.slice(0, max).every((s) => s === 401)).toBe(true);
    expect(got.slice(max)).toEqual([429, 429, 429]);
  });

  it('counts an IPv6 client by its /64: a new address in it each time does not escape the limit', async () => {
    const max = server.config.rateLimits.signUpPerIp;
    const suffix = () => randomBytes(8).toString('hex').match(/.{4}/g)!.join(':');
    const got = await statuses(max + 2, () => signUp(server, `2001:db8:77:1:${suffix()}`));
    expect(got.slice(0, max).every((s) => s === 200)).toBe(true);
    expect(got.slice(max)).toEqual([429, 429]);
    // The next /64 is someone else.
    expect((await signUp(server, `2001:db8:77:2:${suffix()}`)).statusCode).toBe(200);
  });

  it('stores the socket address as the session IP, not a forwarded one', async () => {
    expect(await sessionIp(server, '203.0.113.12', '198.51.100.66')).toBe('203.0.113.12');
    expect(await sessionIp(server, '203.0.113.13')).toBe('203.0.113.13');
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('client address behind a trusted proxy (TRUST_PROXY=CIDR)', () => {
  let server: TestServer;
  const proxy = '172.16.5.5';
  beforeAll(async () => {
    server = await serverWith({ TRUST_PROXY: '172.16.0.0/12' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('limits per client reported by the proxy, ignoring a spoofed leftmost entry', async () => {
    const max = server.config.rateLimits.signUpPerIp;
    const client = '198.51.100.20';
    // The client prepends a new fake address each time; the proxy appends the real one.
    const got = await statuses(max + 2, () => signUp(server, proxy, `${randomIp()}, ${client}`));
    expect(got.slice(0, max).every((s) => s === 200)).toBe(true);
    expect(got.slice(max)).toEqual([429, 429]);
    // Another client behind the same proxy has its own budget.
    expect((await signUp(server, proxy, '198.51.100.21')).statusCode).toBe(200);
  });

  it('counts sign-in attempts per client behind the proxy', async () => {
    const max = server.config.rateLimits.signInPerIp;
    const got = await statuses(max + 1, () => wrongSignIn(server, proxy, `${randomIp()}, 198.51.100.22`));
    expect(got.slice(0, max).every((s) => s === 401)).toBe(true);
    expect(got[max]).toBe(429);
    expect((await wrongSignIn(server, proxy, '198.51.100.23')).statusCode).toBe(401);
  });

  it('stores the client address the proxy reports as the session IP', async () => {
    expect(await sessionIp(server, proxy, '6.6.6.6, 198.51.100.30')).toBe('198.51.100.30');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await sessionIp(server, '203.0.113.40', '198.51.100.31')).toBe('203.0.113.40');
    const peer = '203.0.113.41';
    const max = server.config.rateLimits.signUpPerIp;
    const got = await statuses(max + 1, () => signUp(server, peer, randomIp()));
    expect(got[max]).toBe(429);
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('client address with a hop count (TRUST_PROXY=1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serverWith({ TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('takes the address the nearest proxy appended (the rightmost), never the leftmost', async () => {
    expect(await sessionIp(server, '192.0.2.1', '6.6.6.6, 198.51.100.50')).toBe('198.51.100.50');
    const max = server.config.rateLimits.signUpPerIp;
    const got = await statuses(max + 1, () => signUp(server, '192.0.2.1', `${randomIp()}, 198.51.100.51`));
    expect(got[max]).toBe(429);
  });
});
