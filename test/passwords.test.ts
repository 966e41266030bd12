import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isBlankPassword,
  PASSWORD_HINT,
  passwordProblem,
  WHITESPACE_PASSWORD_MESSAGE,
} from '../src/common/password.js';
import { createAuth } from '../src/server/lib/auth.js';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '../src/server/lib/common-passwords.js';
import { client, createOrg, createUser, signIn, uniqueEmail } from './helpers/factories.js';
import { waitForMail } from './helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/** Common and blank passwords are refused wherever a password is set (issue 11). */

const REFUSED = [
  'password',
  '12345678',
  'Password1',
  ' qwertyuiop ',
  'iloveyou',
  '        ',
  '\t\t\t\t\t\t\t\t',
];

describe('password policy', () => {
  it('knows the most common passwords, case-insensitively and trimmed', () => {
    for (const p of ['password', '12345678', 'PASSWORD', 'Password1', ' qwertyuiop ', 'iloveyou', 'sunshine'])
      expect(isCommonPassword(p), p).toBe(true);
    for (const p of ['correct horse battery', 'a-long-enough-password', 'x7#Qm!2vLp']) {
      expect(isCommonPassword(p), p).toBe(false);
    }
  });

  it('refuses blank passwords on both sides (the web forms share this check)', () => {
    expect(isBlankPassword('        ')).toBe(true);
    expect(isBlankPassword(' \u00a0\u2003\n\t   ')).toBe(true);
    expect(isBlankPassword('  a     ')).toBe(false);
    expect(passwordProblem('        ')).toBe(WHITESPACE_PASSWORD_MESSAGE);
    expect(passwordProblem('a long passphrase')).toBeUndefined();
    expect(PASSWORD_HINT).toMatch(/common/);
  });
});

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('common passwords on every path that sets one', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  type ErrorBody = {
    error: { code: string; details: { issues: Array<{ path: string[]; message: string }> } };
  };
  const expectRefused = (res: { statusCode: number; json(): unknown }, field: string, password: string) => {
    expect(res.statusCode, password).toBe(400);
    const body = res.json() as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const issue = body.error.details.issues.find((i) => i.path.join('.') === field);
    expect(issue?.message, password).toBe(
      password.trim() === '' ? WHITESPACE_PASSWORD_MESSAGE : COMMON_PASSWORD_MESSAGE,
    );
  };

  it('sign-up: refused with a field error, no account, for a new and a taken address alike', async () => {
    const taken = await createUser(server);
    for (const password of REFUSED) {
      for (const email of [uniqueEmail('common'), taken.email]) {
        const res = await client(server).post('/api/auth/sign-up/email', {
          name: 'Pat',
          email,
          password,
          ageConfirmed: true,
        });
        expectRefused(res, 'password', password);
      }
    }
    const { rows } = await server.runtime.database.query<{ n: number }>(
      `select count(*)::int as n from users where email like 'common-%'`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('sign-up through an invitation: refused', async () => {
    const { owner } = await createOrg(server);
    const email = uniqueEmail('invitee');
    const id = (await client(server, owner).post('/api/v1/invitations', { email, role: 'member' })).json().id;
    const res = await client(server).post('/api/auth/sign-up/invitation', {
      invitationId: id,
      name: 'Ivy',
      password: 'password1',
      ageConfirmed: true,
    });
    expectRefused(res, 'password', 'password1');
  });

  it('password reset: refused, and the token still works for a good password', async () => {
    const user = await createUser(server);
    await client(server).post('/api/auth/request-password-reset', {
      email: user.email,
      redirectTo: '/reset-password',
    });
    const mail = await waitForMail(server, user.email, /reset/i);
    const link = new URL(mail.links.find((l) => l.includes('/reset-password/'))!);
    const redirect = await server.app.inject({ method: 'GET', url: link.pathname + link.search });
    const token = new URL(redirect.headers.location as string, server.baseUrl).searchParams.get('token');
    for (const password of ['12345678', '        ']) {
      expectRefused(
        await client(server).post('/api/auth/reset-password', { newPassword: password, token }),
        'newPassword',
        password,
      );
    }
    const ok = await client(server).post('/api/auth/reset-password', {
      newPassword: 'a fresh passphrase',
      token,
    });
    expect(ok.statusCode).toBe(200);
    await signIn(server, user.email, 'a fresh passphrase');
  });

  it('password change: refused, the old password keeps working', async () => {
    const user = await createUser(server);
    for (const password of ['qwerty123', '          ']) {
      const res = await client(server, user).post('/api/auth/change-password', {
        currentPassword: user.password,
        newPassword: password,
      });
      expectRefused(res, 'newPassword', password);
    }
    await signIn(server, user.email, user.password);
  });

  it('behind the routes too: better-auth refuses to hash a common password (second wall)', async () => {
    const { config, database, jobs, log } = server.runtime;
    const auth = createAuth({
      config,
      database,
      jobs,
      log,
      secret: 'a-test-secret-of-enough-length-0123456789',
    });
    await expect(
      auth.api.signUpEmail({
        body: { name: 'Direct', email: uniqueEmail('direct'), password: 'password123', ageConfirmed: true },
      }),
    ).rejects.toMatchObject({ body: { code: 'PASSWORD_TOO_COMMON' } });
  });
});
