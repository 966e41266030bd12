import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  createOrg,
  createUser,
  sessionCookieOf,
  signIn,
  uniqueEmail,
} from '../../../../test/helpers/factories.js';
import { mailsTo, waitForMail } from '../../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { queueIdle } from '../../../../test/helpers/wait.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../../../common/password.js';

describe.skipIf(databaseMissing)('accounts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const count = async (sql: string, params: unknown[]) =>
    Number((await server.runtime.database.query<{ n: number }>(sql, params)).rows[0]!.n);

  it('refuses sign-up without the age confirmation and writes no user', async () => {
    for (const ageConfirmed of [undefined, false, 'true']) {
      const email = uniqueEmail('minor');
      const res = await client(server).post('/api/auth/sign-up/email', {
        name: 'Young',
        email,
        password: 'long-enough-pw',
        ...(ageConfirmed === undefined ? {} : { ageConfirmed }),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.json().error.details)).toContain('ageConfirmed');
      expect(await count('select count(*)::int as n from users where email = $1', [email])).toBe(0);
    }
  });

  it('signs up with the age confirmation: user, organisation, owner membership and a verification mail', async () => {
    const email = uniqueEmail('ann');
    const res = await client(server).post('/api/auth/sign-up/email', {
      name: 'Ann Example',
      email,
      password: 'correct horse battery',
      ageConfirmed: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined(); // no session before verification
    const { rows } = await server.runtime.database.query<{
      id: string;
      age_confirmed: boolean;
      age_confirmed_at: Date | null;
      email_verified: boolean;
    }>('select id, age_confirmed, age_confirmed_at, email_verified from users where email = $1', [email]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.age_confirmed).toBe(true);
    expect(rows[0]!.age_confirmed_at).toBeInstanceOf(Date);
    expect(rows[0]!.email_verified).toBe(false);
    const members = await server.runtime.database.query<{ role: string; name: string }>(
      'select m.role, o.name from members m join organizations o on o.id = m.org_id where m.user_id = $1',
      [rows[0]!.id],
    );
    expect(members.rows).toEqual([{ role: 'owner', name: "Ann's organisation" }]);
    const hash = await server.runtime.database.query<{ password: string }>(
      'select password from accounts where user_id = $1',
      [rows[0]!.id],
    );
    expect(hash.rows[0]!.password).toMatch(/^\$argon2id\$/);

    const mail = await waitForMail(server, email, /verify/i);
    const link = mail.links.find((l) => l.includes('/api/auth/verify-email'));
    expect(link).toBeTruthy();

    // Unverified users cannot sign in.
    const early = await client(server).post('/api/auth/sign-in/email', {
      email,
      password: 'correct horse battery',
    });
    expect(early.statusCode).toBe(403);
    expect(early.json().error.code).toBe('EMAIL_NOT_VERIFIED');

    // Following the link verifies the address and redirects into the app.
    const url = new URL(link!);
    const verify = await server.app.inject({ method: 'GET', url: url.pathname + url.search });
    expect(verify.statusCode).toBe(302);
    expect(verify.headers.location).toContain('/sign-in');
    expect(
      await count('select count(*)::int as n from users where email = $1 and email_verified', [email]),
    ).toBe(1);
    const session = await signIn(server, email, 'correct horse battery');
    expect(session.cookie).toMatch(/session_token=/);
  });

  it('answers a sign-up with a taken address like any other, creates nothing, and tells the owner', async () => {
    const user = await createUser(server);
    const fresh = await client(server).post('/api/auth/sign-up/email', {
      name: 'Someone',
      email: uniqueEmail('fresh'),
      password: 'password 123',
      ageConfirmed: true,
    });
    const dup = await client(server).post('/api/auth/sign-up/email', {
      name: 'Someone',
      email: user.email.toUpperCase(),
      password: 'password 123',
      ageConfirmed: true,
    });
    expect(dup.statusCode).toBe(fresh.statusCode);
    expect(Object.keys(dup.json().user).sort()).toEqual(Object.keys(fresh.json().user).sort());
    expect(
      await count('select count(*)::int as n from users where lower(email) = lower($1)', [user.email]),
    ).toBe(1);
    await waitForMail(server, user.email, /already have a Moxora account/);
    // The original password still works.
    await signIn(server, user.email, user.password);
  });

  it('rejects bad sign-up input with field errors', async () => {
    const res = await client(server).post('/api/auth/sign-up/email', {
      name: '',
      email: 'not-an-email',
      password: 'short',
      ageConfirmed: true,
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.details.issues as { path: string[] }[]).map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'email', 'password']));
    const long = await client(server).post('/api/auth/sign-up/email', {
      name: 'x',
      email: uniqueEmail(),
      password: 'a'.repeat(129),
      ageConfirmed: true,
    });
    expect(long.statusCode).toBe(400);
  });

  it('enforces the one password policy of src/common/password.ts', async () => {
    const attempt = (password: string) =>
      client(server).post('/api/auth/sign-up/email', {
        name: 'Pat',
        email: uniqueEmail('policy'),
        password,
        ageConfirmed: true,
      });
    const short = 'p'.repeat(PASSWORD_MIN_LENGTH - 1);
    const tooShort = await attempt(short);
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.details.issues).toContainEqual({
      path: ['password'],
      message: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
    });
    expect(passwordProblem(short)).toBe(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
    expect((await attempt('p'.repeat(PASSWORD_MIN_LENGTH))).statusCode).toBe(200);
    expect(passwordProblem('p'.repeat(PASSWORD_MIN_LENGTH))).toBeUndefined();
    expect((await attempt('p'.repeat(PASSWORD_MAX_LENGTH + 1))).statusCode).toBe(400);
    expect(passwordProblem('p'.repeat(PASSWORD_MAX_LENGTH + 1))).toBeDefined();
  });

  it('signs up through an invitation link: the invited address, verified, no organisation of their own, signed in', async () => {
    const { owner, orgId } = await createOrg(server);
    await client(server, owner).patch('/api/v1/organization', { name: 'Invitely' });
    const email = uniqueEmail('invitee');
    const id = (await client(server, owner).post('/api/v1/invitations', { email, role: 'member' })).json()
      .id as string;

    // The link alone shows who was invited where (the sign-up form prefills the address).
    const preview = await client(server).get(`/api/v1/invitations/${id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({
      email,
      organizationName: 'Invitely',
      role: 'member',
      status: 'pending',
    });

    const res = await client(server).post('/api/auth/sign-up/invitation', {
      invitationId: id,
      name: 'Ivy Invitee',
      password: 'invited-and-happy',
      ageConfirmed: true,
      email: 'someone-else@example.com', // ignored: the account is for the invited address
    });
    expect(res.statusCode).toBe(200);
    const cookie = sessionCookieOf(res);
    expect(
      await count('select count(*)::int as n from users where email = $1', ['someone-else@example.com']),
    ).toBe(0);
    const { rows } = await server.runtime.database.query<{ id: string; email_verified: boolean }>(
      'select id, email_verified from users where email = $1',
      [email],
    );
    expect(rows[0]!.email_verified).toBe(true);
    const memberships = await server.runtime.database.query<{ org_id: string; role: string }>(
      'select org_id, role from members where user_id = $1',
      [rows[0]!.id],
    );
    expect(memberships.rows).toEqual([{ org_id: orgId, role: 'member' }]);
    const me = (await client(server, { cookie }).get('/api/v1/me')).json();
    expect(me.user).toMatchObject({ email, emailVerified: true });
    expect(me.activeOrganization).toEqual({ id: orgId, name: 'Invitely', role: 'member' });
    expect(me.organizations).toHaveLength(1);
    const invitations = (await client(server, owner).get('/api/v1/invitations')).json().items;
    expect(invitations.find((i: { id: string }) => i.id === id).status).toBe('accepted');

    // The link is used up; no verification mail was needed.
    const again = await client(server).post('/api/auth/sign-up/invitation', {
      invitationId: id,
      name: 'Ivy Again',
      password: 'invited-and-happy',
      ageConfirmed: true,
    });
    expect(again.statusCode).toBe(410);
    expect((await client(server).get(`/api/v1/invitations/${id}/preview`)).json()).toMatchObject({
      status: 'accepted',
      email: null,
    });
    await queueIdle(server); // any mail it had queued is sent by now
    expect((await mailsTo(server, email)).filter((m) => /verify/i.test(m.subject))).toEqual([]);
  });

  it('refuses invitation sign-ups for unknown, revoked or expired links and for taken addresses', async () => {
    const { owner } = await createOrg(server);
    const body = { name: 'N', password: 'long-enough-pw', ageConfirmed: true };
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(
      (await client(server).post('/api/auth/sign-up/invitation', { ...body, invitationId: unknown }))
        .statusCode,
    ).toBe(404);
    expect((await client(server).get(`/api/v1/invitations/${unknown}/preview`)).statusCode).toBe(404);
    const invite = async (email: string) =>
      (await client(server, owner).post('/api/v1/invitations', { email, role: 'viewer' })).json()
        .id as string;

    const revokedEmail = uniqueEmail('revoked');
    const revoked = await invite(revokedEmail);
    await client(server, owner).delete(`/api/v1/invitations/${revoked}`);
    expect(
      (await client(server).post('/api/auth/sign-up/invitation', { ...body, invitationId: revoked }))
        .statusCode,
    ).toBe(410);
    expect((await client(server).get(`/api/v1/invitations/${revoked}/preview`)).json().email).toBeNull();

    const expired = await invite(uniqueEmail('late'));
    await server.runtime.database.query(
      `update invitations set expires_at = now() - interval '1 minute' where id = $1`,
      [expired],
    );
    expect(
      (await client(server).post('/api/auth/sign-up/invitation', { ...body, invitationId: expired }))
        .statusCode,
    ).toBe(410);

    const existing = await createUser(server);
    const taken = await invite(existing.email);
    const res = await client(server).post('/api/auth/sign-up/invitation', { ...body, invitationId: taken });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/sign in to accept/);
    await signIn(server, existing.email, existing.password); // the password was not touched

    const fine = await invite(uniqueEmail('minor'));
    const minor = await client(server).post('/api/auth/sign-up/invitation', {
      ...body,
      ageConfirmed: false,
      invitationId: fine,
    });
    expect(minor.statusCode).toBe(400);
    expect(await count('select count(*)::int as n from users where email = $1', [revokedEmail])).toBe(0);
  });

  it('sets exactly one httpOnly cookie on sign-in, and sign-out kills the session on the server', async () => {
    const user = await createUser(server);
    const res = await client(server).post('/api/auth/sign-in/email', {
      email: user.email,
      password: user.password,
    });
    expect(res.statusCode).toBe(200);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^moxora\.session_token=/);
    expect(cookies[0]).toMatch(/HttpOnly/i);
    expect(cookies[0]).toMatch(/SameSite=Lax/i);
    expect(cookies[0]).toMatch(/Max-Age=2592000/);
    const cookie = sessionCookieOf(res);
    // The session token lives only in the httpOnly cookie, never in a body scripts can read.
    const token = decodeURIComponent(cookie.split('=')[1]!).split('.')[0]!;
    expect(res.body).not.toContain(token);
    expect(res.json().user.email).toBe(user.email);

    expect((await client(server, { cookie }).get('/api/v1/me')).statusCode).toBe(200);
    const out = await client(server, { cookie }).post('/api/auth/sign-out', {});
    expect(out.statusCode).toBe(200);
    // The old cookie no longer works, even if the browser kept it.
    const after = await client(server, { cookie }).get('/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('answers a password reset the same way whether or not the email exists, and the reset works', async () => {
    const user = await createUser(server);
    const unknown = uniqueEmail('nobody');
    const a = await client(server).post('/api/auth/request-password-reset', {
      email: user.email,
      redirectTo: '/reset-password',
    });
    const b = await client(server).post('/api/auth/request-password-reset', {
      email: unknown,
      redirectTo: '/reset-password',
    });
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(a.body).toBe(b.body);
    const mail = await waitForMail(server, user.email, /reset/i);
    expect(await mailsTo(server, unknown)).toHaveLength(0);

    const link = new URL(mail.links.find((l) => l.includes('/reset-password/'))!);
    const redirect = await server.app.inject({ method: 'GET', url: link.pathname + link.search });
    expect(redirect.statusCode).toBe(302);
    const token = new URL(redirect.headers.location as string, server.baseUrl).searchParams.get('token');
    expect(token).toBeTruthy();
    const reset = await client(server).post('/api/auth/reset-password', {
      newPassword: 'a brand new password',
      token,
    });
    expect(reset.statusCode).toBe(200);
    // Old session revoked, old password refused, new one accepted.
    expect((await client(server, user).get('/api/v1/me')).statusCode).toBe(401);
    expect(
      (await client(server).post('/api/auth/sign-in/email', { email: user.email, password: user.password }))
        .statusCode,
    ).toBe(401);
    await signIn(server, user.email, 'a brand new password');
    // The token is single-use.
    const again = await client(server).post('/api/auth/reset-password', {
      newPassword: 'yet another password',
      token,
    });
    expect(again.statusCode).toBe(400);
  });

  it('changing the password signs out the other sessions but keeps this one', async () => {
    const user = await createUser(server);
    const other = await signIn(server, user.email, user.password);
    const res = await client(server, user).post('/api/auth/change-password', {
      currentPassword: user.password,
      newPassword: 'changed password 1',
      revokeOtherSessions: false, // the server forces it anyway
    });
    expect(res.statusCode).toBe(200);
    expect((await client(server, other).get('/api/v1/me')).statusCode).toBe(401);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const current = cookie.length ? { cookie: sessionCookieOf(res) } : user;
    expect((await client(server, current).get('/api/v1/me')).statusCode).toBe(200);
  });

  it("answers signed-out password changes and session revocations with the API's UNAUTHENTICATED code", async () => {
    for (const url of ['/api/auth/change-password', '/api/auth/revoke-sessions']) {
      const res = await client(server).post(url, {
        currentPassword: 'x-password-1',
        newPassword: 'x-password-2',
      });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code, url).toBe('UNAUTHENTICATED');
    }
  });

  it('rate-limits failed sign-ins per account (429) while other accounts still work', async () => {
    const user = await createUser(server);
    const limit = server.config.rateLimits.signInPerAccount;
    for (let i = 0; i < limit; i++) {
      const res = await client(server).post('/api/auth/sign-in/email', {
        email: user.email,
        password: 'wrong password',
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await client(server).post('/api/auth/sign-in/email', {
      email: user.email,
      password: user.password,
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('RATE_LIMITED');
    const someoneElse = await createUser(server);
    expect(someoneElse.cookie).toBeTruthy();
  });

  it('rate-limits sign-ups and password resets per IP', async () => {
    const ip = '10.250.0.1';
    const c = client(server, undefined, ip);
    let status = 0;
    for (let i = 0; i <= server.config.rateLimits.signUpPerIp; i++) {
      status = (
        await c.post('/api/auth/sign-up/email', {
          name: 'Flood',
          email: uniqueEmail('flood'),
          password: 'password 123',
          ageConfirmed: true,
        })
      ).statusCode;
    }
    expect(status).toBe(429);
    const email = uniqueEmail('reset');
    const r = client(server, undefined, '10.250.0.2');
    const statuses: number[] = [];
    for (let i = 0; i <= server.config.rateLimits.resetPerAccount; i++) {
      statuses.push((await r.post('/api/auth/request-password-reset', { email })).statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
  });

  it('marks the cookie Secure when served over HTTPS', async () => {
    const https = await createTestServer({ baseUrl: 'https://crm.example.com' });
    try {
      https.origin = 'https://crm.example.com';
      const user = await createUser(https);
      expect(user.cookie).toMatch(/^__Secure-moxora\.session_token=/);
      const res = await client(https).post('/api/auth/sign-in/email', {
        email: user.email,
        password: user.password,
      });
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatch(/; Secure/i);
      expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
    } finally {
      await https.close();
    }
  });

  it('refuses cookie-authenticated writes from another origin', async () => {
    const user = await createUser(server);
    const res = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: user.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'Hacked' }),
    });
    expect(res.statusCode).toBe(403);
    const none = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: user.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'Hacked' }),
    });
    expect(none.statusCode).toBe(403);
    const me = await client(server, user).get('/api/v1/me');
    expect(me.json().user.name).toBe('Test User');
  });

  it('expires idle sessions and sessions past their absolute lifetime', async () => {
    const user = await createUser(server);
    await server.runtime.database.query(
      `update sessions set updated_at = now() - make_interval(secs => $2 + 60) where user_id = $1`,
      [user.userId, server.config.session.idleSeconds],
    );
    expect((await client(server, user).get('/api/v1/me')).statusCode).toBe(401);
    expect(await count('select count(*)::int as n from sessions where user_id = $1', [user.userId])).toBe(0);

    const again = await signIn(server, user.email, user.password);
    await server.runtime.database.query(
      `update sessions set created_at = now() - make_interval(secs => $2 + 60) where user_id = $1`,
      [user.userId, server.config.session.maxAgeSeconds],
    );
    expect((await client(server, again).get('/api/v1/me')).statusCode).toBe(401);
  });

  it('never writes passwords, tokens or cookies to the logs', async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await createTestServer({ logLevel: 'info' }, { logStream });
    try {
      const email = uniqueEmail('log');
      await client(logged).post('/api/auth/sign-up/email', {
        name: 'Log',
        email,
        password: 'secret-password-xyz',
        ageConfirmed: true,
      });
      const mail = await waitForMail(logged, email, /verify/i);
      const link = new URL(mail.links.find((l) => l.includes('verify-email'))!);
      await logged.app.inject({ method: 'GET', url: link.pathname + link.search });
      const s = await signIn(logged, email, 'secret-password-xyz');
      await client(logged, s).get('/api/v1/me');
      const token = link.searchParams.get('token')!;
      const all = lines.join('');
      expect(all).toContain('/api/auth/verify-email'); // requests are logged…
      expect(all).not.toContain('secret-password-xyz'); // …without their secrets
      expect(all).not.toContain(token);
      expect(all).not.toContain(s.cookie.split('=')[1]!.split('.')[0]!);
    } finally {
      await logged.close();
    }
  });
});
