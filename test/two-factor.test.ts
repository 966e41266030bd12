import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeOrgId,
  addMember,
  client,
  createOrg,
  createUser,
  nextIp,
  type Session,
  sessionCookieOf,
} from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';
import { secretOf, totp } from './helpers/totp.js';

// Needs PostgreSQL (test/global-setup.ts starts one); skipped only when the run has none.

function cookiesOf(res: LightMyRequestResponse): string[] {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [raw] : [];
}
/** The sign-in challenge cookie (name=value), set when the password was right and a code is due. */
function challengeCookieOf(res: LightMyRequestResponse): string {
  const c = cookiesOf(res).find((x) => /two_factor=[^;]/.test(x));
  if (!c) throw new Error(`no two-factor challenge cookie in ${res.statusCode}: ${res.body}`);
  return c.split(';')[0]!;
}
/** A code outside the accepted window (now ± one step), so certainly wrong. */
function wrongCode(secret: string): string {
  const valid = new Set([-1, 0, 1].map((k) => totp(secret, Date.now(), k)));
  for (let k = 10; ; k++) {
    const c = totp(secret, Date.now(), k);
    if (!valid.has(c)) return c;
  }
}

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('two-factor sign-in', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Enables two-factor sign-in for the user; answers the new session cookie, secret and recovery codes. */
  async function enable(user: Session) {
    const c = client(server, user);
    const started = await c.post('/api/auth/two-factor/enable', { password: user.password });
    expect(started.statusCode, started.body).toBe(200);
    const { totpURI, backupCodes } = started.json() as { totpURI: string; backupCodes: string[] };
    const secret = secretOf(totpURI);
    const confirmed = await c.post('/api/auth/two-factor/verify-totp', { code: totp(secret) });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    // better-auth replaces the session when the factor is turned on.
    const cookie = sessionCookieOf(confirmed);
    return { session: { ...user, cookie }, secret, backupCodes };
  }

  /** The password step: answers the challenge cookie (no session yet). */
  async function passwordStep(user: Session, ip = nextIp()) {
    const res = await client(server, undefined, ip).post('/api/auth/sign-in/email', {
      email: user.email,
      password: user.password,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ twoFactorRedirect: true, twoFactorMethods: ['totp'] });
    expect(cookiesOf(res).some((c) => /session_token=[^;]/.test(c))).toBe(false);
    return challengeCookieOf(res);
  }

  const codeStep = (
    challenge: string,
    path: 'verify-totp' | 'verify-backup-code',
    code: string,
    ip = nextIp(),
  ) => client(server, { cookie: challenge }, ip).post(`/api/auth/two-factor/${path}`, { code });

  it('enables with the password and a first code: wrong password or wrong code are refused', async () => {
    const user = await createUser(server);
    const c = client(server, user);
    const badPassword = await c.post('/api/auth/two-factor/enable', { password: 'not my password' });
    expect(badPassword.statusCode).toBe(400);
    expect(badPassword.json().error.code).toBe('INVALID_PASSWORD');

    const started = await c.post('/api/auth/two-factor/enable', { password: user.password });
    expect(started.statusCode, started.body).toBe(200);
    const body = started.json() as { totpURI: string; backupCodes: string[] };
    expect(body.totpURI).toMatch(/^otpauth:\/\/totp\/Moxora:/);
    expect(body.backupCodes).toHaveLength(10);
    expect(JSON.stringify(body)).not.toContain('"token"');
    const secret = secretOf(body.totpURI);
    // Not on until confirmed: the secret is stored encrypted, unverified.
    expect((await c.get('/api/v1/account/security')).json()).toMatchObject({
      twoFactorEnabled: false,
      twoFactorPendingSetup: true,
    });
    const [row] = (
      await server.runtime.database.query<{ secret: string; backup_codes: string; verified: boolean }>(
        'select secret, backup_codes, verified from two_factors where user_id = $1',
        [user.userId],
      )
    ).rows;
    expect(row!.verified).toBe(false);
    expect(row!.secret).not.toContain(secret);
    expect(row!.backup_codes).not.toContain(body.backupCodes[0]);

    const wrong = await c.post('/api/auth/two-factor/verify-totp', { code: wrongCode(secret) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CODE');
    const ok = await c.post('/api/auth/two-factor/verify-totp', { code: totp(secret) });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = client(server, { cookie: sessionCookieOf(ok) });
    expect((await after.get('/api/v1/account/security')).json()).toMatchObject({
      twoFactorEnabled: true,
      twoFactorPendingSetup: false,
    });
  });

  it('signs in with password then code; a wrong code is refused; the challenge works once', async () => {
    const user = await createUser(server);
    const { secret } = await enable(user);
    const challenge = await passwordStep(user);

    const wrong = await codeStep(challenge, 'verify-totp', wrongCode(secret));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CODE');
    expect(cookiesOf(wrong).some((c) => /session_token=[^;]/.test(c))).toBe(false);

    const ok = await codeStep(challenge, 'verify-totp', totp(secret));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ ok: true, user: { id: user.userId, email: user.email } });
    const session = sessionCookieOf(ok);
    const me = await client(server, { cookie: session }).get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(user.userId);

    // The challenge is consumed: replaying it (same code or any) gets no second session.
    const replay = await codeStep(challenge, 'verify-totp', totp(secret));
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('INVALID_TWO_FACTOR_COOKIE');
  });

  it('without the challenge cookie the code step signs nobody in', async () => {
    const user = await createUser(server);
    const { secret } = await enable(user);
    const res = await client(server).post('/api/auth/two-factor/verify-totp', { code: totp(secret) });
    expect(res.statusCode).toBe(401);
    expect(cookiesOf(res).some((c) => /session_token=[^;]/.test(c))).toBe(false);
  });

  it('ends a challenge after 5 wrong codes (better-auth), so even the right code then fails', async () => {
    const user = await createUser(server);
    const { secret } = await enable(user);
    const challenge = await passwordStep(user);
    for (let i = 0; i < 5; i++) {
      const res = await codeStep(challenge, 'verify-totp', wrongCode(secret));
      expect(res.statusCode).toBe(401);
    }
    const sixth = await codeStep(challenge, 'verify-totp', totp(secret));
    expect(sixth.statusCode).toBe(400);
    expect(sixth.json().error.code).toBe('TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE');
    const again = await codeStep(challenge, 'verify-totp', totp(secret));
    expect(again.statusCode).toBe(401);
  });

  it('locks the second factor for a while after 10 wrong codes in a row across challenges', async () => {
    const user = await createUser(server);
    const { secret } = await enable(user);
    for (let round = 0; round < 2; round++) {
      const challenge = await passwordStep(user);
      for (let i = 0; i < 5; i++)
        expect((await codeStep(challenge, 'verify-totp', wrongCode(secret))).statusCode).toBe(401);
    }
    const challenge = await passwordStep(user);
    const locked = await codeStep(challenge, 'verify-totp', totp(secret));
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('ACCOUNT_TEMPORARILY_LOCKED');
  });

  it('counts wrong codes per client address in the database like failed sign-ins', async () => {
    const limited = await createTestServer({
      rateLimits: { ...server.config.rateLimits, signInPerIp: 3 },
    });
    try {
      const ip = nextIp();
      const res: number[] = [];
      for (let i = 0; i < 4; i++) {
        res.push(
          (
            await client(limited, { cookie: 'moxora.two_factor=nothing' }, ip).post(
              '/api/auth/two-factor/verify-totp',
              { code: '123456' },
            )
          ).statusCode,
        );
      }
      expect(res).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('signs in with a recovery code once; regenerating replaces the codes', async () => {
    const user = await createUser(server);
    const { session, backupCodes } = await enable(user);
    const first = backupCodes[0]!;
    const ok = await codeStep(await passwordStep(user), 'verify-backup-code', first);
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await client(server, { cookie: sessionCookieOf(ok) }).get('/api/v1/me')).statusCode).toBe(200);

    const reused = await codeStep(await passwordStep(user), 'verify-backup-code', first);
    expect(reused.statusCode).toBe(401);
    expect(cookiesOf(reused).some((c) => /session_token=[^;]/.test(c))).toBe(false);

    const c = client(server, session);
    expect(
      (await c.post('/api/auth/two-factor/generate-backup-codes', { password: 'wrong one' })).statusCode,
    ).toBe(400);
    const regenerated = await c.post('/api/auth/two-factor/generate-backup-codes', {
      password: user.password,
    });
    expect(regenerated.statusCode, regenerated.body).toBe(200);
    const fresh = regenerated.json().backupCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(backupCodes[1]);
    expect((await codeStep(await passwordStep(user), 'verify-backup-code', backupCodes[1]!)).statusCode).toBe(
      401,
    );
    expect((await codeStep(await passwordStep(user), 'verify-backup-code', fresh[0]!)).statusCode).toBe(200);
  });

  it('disables only with the password; then sign-in needs no code', async () => {
    const user = await createUser(server);
    const { session } = await enable(user);
    const c = client(server, session);
    const wrong = await c.post('/api/auth/two-factor/disable', { password: 'nope nope' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('INVALID_PASSWORD');
    const off = await c.post('/api/auth/two-factor/disable', { password: user.password });
    expect(off.statusCode, off.body).toBe(200);
    const signIn = await client(server).post('/api/auth/sign-in/email', {
      email: user.email,
      password: user.password,
    });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json().twoFactorRedirect).toBeUndefined();
    sessionCookieOf(signIn);
  });

  describe('organisation requires two-factor sign-in', () => {
    it('only an owner with two-factor sign-in on may require it; admins and viewers may not', async () => {
      const org = await createOrg(server, ['admin', 'viewer']);
      const owner = client(server, org.owner);
      const refused = await owner.patch('/api/v1/organization/security', { requireTwoFactor: true });
      expect(refused.statusCode).toBe(404); // PUT, not PATCH
      const noFactor = await server.app.inject({
        method: 'PUT',
        url: '/api/v1/organization/security',
        headers: { origin: server.origin, cookie: org.owner.cookie, 'content-type': 'application/json' },
        payload: JSON.stringify({ requireTwoFactor: true }),
      });
      expect(noFactor.statusCode).toBe(409);
      const put = (who: Session, value: boolean) =>
        server.app.inject({
          method: 'PUT',
          url: '/api/v1/organization/security',
          headers: { origin: server.origin, cookie: who.cookie, 'content-type': 'application/json' },
          payload: JSON.stringify({ requireTwoFactor: value }),
        });
      for (const who of [org.admin!, org.viewer!]) {
        const res = await put(who, false);
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
      const { session } = await enable(org.owner);
      const on = await put(session, true);
      expect(on.statusCode, on.body).toBe(200);
      expect(on.json()).toEqual({ requireTwoFactor: true, membersWithoutTwoFactor: 2 });
    });

    it('answers 403 TWO_FACTOR_REQUIRED to a member without it, in that organisation only; setup stays open; API keys unaffected', async () => {
      const org = await createOrg(server, ['member']);
      const { session: owner } = await enable(org.owner);
      const key = (
        await client(server, owner).post('/api/v1/api-keys', { name: 'Integration', scope: 'read' })
      ).json().key as string;
      const on = await server.app.inject({
        method: 'PUT',
        url: '/api/v1/organization/security',
        headers: { origin: server.origin, cookie: owner.cookie, 'content-type': 'application/json' },
        payload: JSON.stringify({ requireTwoFactor: true }),
      });
      expect(on.statusCode, on.body).toBe(200);

      const member = client(server, org.member!);
      const blocked = await member.get('/api/v1/contacts');
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().error.code).toBe('TWO_FACTOR_REQUIRED');
      expect((await member.post('/api/v1/contacts', { firstName: 'X' })).json().error.code).toBe(
        'TWO_FACTOR_REQUIRED',
      );
      // The owner (who has it) works as before.
      expect((await client(server, owner).get('/api/v1/contacts')).statusCode).toBe(200);
      // The API key is not a member: the policy does not apply to it.
      const viaKey = await server.app.inject({
        method: 'GET',
        url: '/api/v1/contacts',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(viaKey.statusCode).toBe(200);

      // What the member needs to get going stays open.
      expect((await member.get('/api/v1/me')).statusCode).toBe(200);
      const security = await member.get('/api/v1/account/security');
      expect(security.statusCode).toBe(200);
      expect(security.json().requiredBy).toEqual([{ id: org.orgId, name: expect.any(String) }]);

      // Their own organisation does not require it.
      const ownOrg = (await member.get('/api/v1/me'))
        .json()
        .organizations.find((o: { id: string }) => o.id !== org.orgId).id as string;
      expect((await member.post('/api/v1/organizations/active', { organizationId: ownOrg })).statusCode).toBe(
        204,
      );
      expect((await member.get('/api/v1/contacts')).statusCode).toBe(200);
      await member.post('/api/v1/organizations/active', { organizationId: org.orgId });
      expect((await member.get('/api/v1/contacts')).statusCode).toBe(403);

      // Once they set it up, the organisation opens.
      const { session } = await enable(org.member!);
      expect(await activeOrgId(server, session)).toBe(org.orgId);
      expect((await client(server, session).get('/api/v1/contacts')).statusCode).toBe(200);
    });

    it('turning it off opens the organisation again', async () => {
      const org = await createOrg(server);
      const { session: owner } = await enable(org.owner);
      const other = await createUser(server);
      await addMember(server, org.orgId, other.userId, 'member');
      await client(server, other).post('/api/v1/organizations/active', { organizationId: org.orgId });
      const put = (value: boolean) =>
        server.app.inject({
          method: 'PUT',
          url: '/api/v1/organization/security',
          headers: { origin: server.origin, cookie: owner.cookie, 'content-type': 'application/json' },
          payload: JSON.stringify({ requireTwoFactor: value }),
        });
      await put(true);
      expect((await client(server, other).get('/api/v1/tags')).statusCode).toBe(403);
      await put(false);
      expect((await client(server, other).get('/api/v1/tags')).statusCode).toBe(200);
    });
  });
});
