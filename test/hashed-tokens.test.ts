import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../src/server/lib/auth-adapter.js';
import { MIGRATIONS_DIR } from '../src/server/lib/db.js';
import { client, createUser, signIn } from './helpers/factories.js';
import { waitForMail } from './helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/** The raw session token inside a `moxora.session_token=<token>.<signature>` cookie. */
function rawToken(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(0, value.lastIndexOf('.'));
}

const b64urlSha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('session and reset tokens are stored as hashes only', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const sessionRows = async (userId: string) =>
    (
      await server.runtime.database.query<{ id: string; token: string; row: string }>(
        'select id, token, row_to_json(s)::text as row from sessions s where user_id = $1 order by created_at',
        [userId],
      )
    ).rows;

  it('after sign-in the sessions row holds the hash of the cookie token, nowhere the token itself; the session works', async () => {
    const user = await createUser(server);
    const token = rawToken(user.cookie);
    expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
    const rows = await sessionRows(user.userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token).toBe(b64urlSha256(token));
    expect(rows[0]!.token).toBe(hashSessionToken(token));
    expect(rows[0]!.row).not.toContain(token);
    const me = await client(server, user).get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.body).not.toContain(rows[0]!.token);
  });

  it('sign-out deletes exactly the signed-out session; revoke-sessions deletes all of the user', async () => {
    const user = await createUser(server);
    const second = await signIn(server, user.email, user.password);
    const third = await signIn(server, user.email, user.password);
    expect(await sessionRows(user.userId)).toHaveLength(3);

    const out = await client(server, second).post('/api/auth/sign-out');
    expect(out.statusCode).toBe(200);
    const left = (await sessionRows(user.userId)).map((r) => r.token);
    expect(left).toEqual([hashSessionToken(rawToken(user.cookie)), hashSessionToken(rawToken(third.cookie))]);
    expect((await client(server, second).get('/api/v1/me')).statusCode).toBe(401);
    expect((await client(server, user).get('/api/v1/me')).statusCode).toBe(200);

    const revoke = await client(server, user).post('/api/auth/revoke-sessions');
    expect(revoke.statusCode).toBe(200);
    expect(await sessionRows(user.userId)).toHaveLength(0);
    expect((await client(server, third).get('/api/v1/me')).statusCode).toBe(401);
  });

  it('a password reset stores only the hash of the emailed token, and the link works once', async () => {
    const user = await createUser(server);
    const token = await requestResetToken(user.email);
    const { rows } = await server.runtime.database.query<{ identifier: string; row: string }>(
      `select identifier, row_to_json(v)::text as row from verifications v where identifier = $1`,
      [b64urlSha256(`reset-password:${token}`)],
    );
    expect(rows).toHaveLength(1);
    const all = await server.runtime.database.query<{ row: string }>(
      `select row_to_json(v)::text as row from verifications v`,
    );
    for (const r of all.rows) expect(r.row).not.toContain(token);

    const reset = await client(server).post('/api/auth/reset-password', {
      newPassword: 'a fresh passphrase',
      token,
    });
    expect(reset.statusCode).toBe(200);
    await signIn(server, user.email, 'a fresh passphrase');
    const again = await client(server).post('/api/auth/reset-password', {
      newPassword: 'another one here',
      token,
    });
    expect(again.statusCode).toBe(400);
  });

  it('migration 0016 hashes the rows of an older release: their cookies and reset links keep working', async () => {
    const user = await createUser(server);
    const token = rawToken(user.cookie);
    const resetUser = await createUser(server);
    const resetToken = await requestResetToken(resetUser.email);
    // The state before 0016: tokens and identifiers in clear.
    await server.runtime.database.query('update sessions set token = $1 where user_id = $2', [
      token,
      user.userId,
    ]);
    await server.runtime.database.query('update verifications set identifier = $1 where identifier = $2', [
      `reset-password:${resetToken}`,
      b64urlSha256(`reset-password:${resetToken}`),
    ]);
    const sqlText = fs.readFileSync(path.join(MIGRATIONS_DIR, '0016_hashed_tokens.sql'), 'utf8');
    for (const statement of sqlText.split('--> statement-breakpoint'))
      await server.runtime.database.query(statement);

    expect((await sessionRows(user.userId))[0]!.token).toBe(hashSessionToken(token));
    expect((await client(server, user).get('/api/v1/me')).statusCode).toBe(200);
    const plain = await server.runtime.database.query(
      `select 1 from verifications where identifier like 'reset-password:%'`,
    );
    expect(plain.rows).toHaveLength(0);
    const reset = await client(server).post('/api/auth/reset-password', {
      newPassword: 'migrated reset works',
      token: resetToken,
    });
    expect(reset.statusCode).toBe(200);
    // Running it again changes nothing (rows already hashed are left alone).
    const before = await sessionRows(user.userId);
    for (const statement of sqlText.split('--> statement-breakpoint'))
      await server.runtime.database.query(statement);
    expect(await sessionRows(user.userId)).toEqual(before);
  });

  async function requestResetToken(email: string): Promise<string> {
    const res = await client(server).post('/api/auth/request-password-reset', {
      email,
      redirectTo: '/reset-password',
    });
    expect(res.statusCode).toBe(200);
    const mail = await waitForMail(server, email, /reset/i);
    const link = new URL(mail.links.find((l) => l.includes('/reset-password/'))!);
    const token = link.pathname.split('/').at(-1)!;
    expect(token.length).toBeGreaterThan(10);
    return token;
  }
});
