import * as argon2 from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { client, createUser, uniqueEmail } from './helpers/factories.js';
import { mailsTo, waitForMail } from './helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { queueIdle } from './helpers/wait.js';

/**
 * Sign-up with an address that already has an account (issue 11): the answer cannot be told apart
 * from a new sign-up (status, body shape, headers, time), and the owner of the address is told.
 */

// Counts the argon2 hashes the server computes (it runs in this process), passing each through.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, hash: vi.fn(real.hash) };
});

/** The JSON "shape" of a value: keys, recursively, and the type of every leaf. */
function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shape(v)]),
    );
  }
  // A date-time string is a type of its own (a date field must not turn into null or a number).
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return 'date-time';
  return typeof value;
}

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('sign-up with an existing address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const signUp = (email: string, name = 'Sam Sample') =>
    client(server).post('/api/auth/sign-up/email', {
      name,
      email,
      password: 'a-long-enough-password',
      ageConfirmed: true,
    });

  it('answers exactly like a new sign-up: status, headers, every key and type of the body', async () => {
    const owner = await createUser(server, { name: 'Olive Owner' });
    const fresh = await signUp(uniqueEmail('fresh'));
    const taken = await signUp(owner.email);
    expect(taken.statusCode).toBe(200);
    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(shape(taken.json())).toEqual(shape(fresh.json()));
    // The values a caller sent come back the same way on both paths.
    expect(taken.json().user).toMatchObject({ name: 'Sam Sample', email: owner.email, emailVerified: false });
    expect(fresh.json().user.ageConfirmedAt).toEqual(expect.any(String));
    expect(taken.json().user.ageConfirmedAt).toEqual(expect.any(String));
    // No header that only one path sends (request ids and dates aside).
    const names = (h: Record<string, unknown>) =>
      Object.keys(h)
        .filter((k) => !['date', 'x-request-id', 'content-length'].includes(k))
        .sort();
    expect(names(taken.headers)).toEqual(names(fresh.headers));
    expect(taken.headers['set-cookie']).toBeUndefined();
  });

  it('tells the owner of the address by email (no name the new sign-up chose, a fixed subject)', async () => {
    const owner = await createUser(server, { name: 'Vera Verified' });
    await signUp(owner.email, 'Win a prize at evil.example');
    const mail = await waitForMail(server, owner.email, /^You already have a Moxora account$/);
    expect(mail.text).toContain('Hi Vera Verified,'); // the verified owner's own name
    expect(mail.text).not.toContain('Win a prize');
    expect(mail.links.some((l) => l.endsWith('/sign-in'))).toBe(true);
  });

  it('an unverified account is greeted without its name (someone else may have chosen it)', async () => {
    const email = uniqueEmail('unverified');
    expect((await signUp(email, 'First Claimant')).statusCode).toBe(200);
    expect((await signUp(email, 'Second Claimant')).statusCode).toBe(200);
    const mail = await waitForMail(server, email, /^You already have a Moxora account$/);
    expect(mail.text).not.toContain('Claimant');
    await queueIdle(server);
    expect((await mailsTo(server, email)).filter((m) => /already have/.test(m.subject))).toHaveLength(1);
  });

  it('hashes the password once on both paths (the work that dominates a sign-up)', async () => {
    // The timing band, checked by structure: it holds on any machine, however busy (a timed
    // assertion failed CI on a loaded runner). Without the hash on the existing-address path that
    // path answers in a few lookups; with it, both paths spend their time in the same argon2 call.
    // The times themselves are measured by `npm run bench signup`.
    const hash = vi.mocked(argon2.hash);
    const owner = await createUser(server);
    hash.mockClear();
    expect((await signUp(owner.email)).statusCode).toBe(200);
    expect(hash).toHaveBeenCalledTimes(1);
    hash.mockClear();
    expect((await signUp(uniqueEmail('counted'))).statusCode).toBe(200);
    expect(hash).toHaveBeenCalledTimes(1);
  });
});
