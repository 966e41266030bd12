import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createRuntime } from '../src/server/app.js';
import type { Config } from '../src/server/lib/config.js';
import { openPostgres } from '../src/server/lib/db.js';
import { AUTH_SECRET_KEY } from '../src/server/lib/secrets.js';
import { client, createUser, nextIp, type Session, sessionCookieOf } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

const KEY = randomBytes(32).toString('hex');

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('the auth secret is not readable from the database', () => {
  let server: TestServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await createTestServer({ encryptionKey: KEY });
  });
  afterAll(async () => {
    await server?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const settings = async () =>
    (
      await server.runtime.database.query<{ key: string; value: string }>(
        'select key, value from instance_settings',
      )
    ).rows;

  /** A second process of the installation: its own data folder, the same database. */
  async function secondProcess(overrides: Partial<Config>) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-second-'));
    dirs.push(dataDir);
    const database = await openPostgres(server.databaseUrl, 2);
    const runtime = await createRuntime({ ...server.config, dataDir, ...overrides }, { database });
    try {
      const { app } = await buildApp(runtime);
      return {
        signIn: async (s: Session): Promise<Session> => {
          const res = await app.inject({
            method: 'POST',
            url: '/api/auth/sign-in/email',
            remoteAddress: nextIp(),
            headers: { origin: server.origin, 'content-type': 'application/json' },
            payload: JSON.stringify({ email: s.email, password: s.password }),
          });
          return { ...s, cookie: sessionCookieOf(res) };
        },
        me: (s: Session) =>
          app.inject({
            method: 'GET',
            url: '/api/v1/me',
            headers: { origin: server.origin, cookie: s.cookie },
          }),
        async close() {
          await app.close();
          await runtime.close();
        },
      };
    } catch (err) {
      await runtime.close();
      throw err;
    }
  }

  it('after start, instance_settings holds no auth_secret row, only the secret sealed under the key', async () => {
    const rows = await settings();
    expect(rows.map((r) => r.key)).not.toContain('auth_secret');
    const sealed = rows.find((r) => r.key === AUTH_SECRET_KEY)!;
    expect(sealed.value).toMatch(/^v1\.[\w-]{8}\./);
    expect(server.runtime.keys.decrypt(sealed.value).length).toBeGreaterThanOrEqual(32);
  });

  it('two processes with the same key accept each other’s cookies; a process with another key refuses to start', async () => {
    const user = await createUser(server);
    const other = await secondProcess({ encryptionKey: KEY });
    try {
      expect((await other.me(user)).statusCode).toBe(200);
    } finally {
      await other.close();
    }
    await expect(secondProcess({ encryptionKey: randomBytes(32).toString('hex') })).rejects.toThrow(
      /unknown key/,
    );
  });

  it('a clear secret left by an older release is sealed and deleted on start: its sessions stay signed in', async () => {
    const user = await createUser(server);
    const secret = server.runtime.keys.decrypt(
      (await settings()).find((r) => r.key === AUTH_SECRET_KEY)!.value,
    );
    // The state of a release before 0016: the secret in clear, nothing sealed.
    await server.runtime.database.query('delete from instance_settings where key = $1', [AUTH_SECRET_KEY]);
    await server.runtime.database.query(
      `insert into instance_settings (key, value) values ('auth_secret', $1)`,
      [secret],
    );
    const upgraded = await secondProcess({ encryptionKey: KEY });
    try {
      expect((await upgraded.me(user)).statusCode).toBe(200);
    } finally {
      await upgraded.close();
    }
    const rows = await settings();
    expect(rows.map((r) => r.key)).not.toContain('auth_secret');
    expect(rows.some((r) => r.value.includes(secret))).toBe(false);
    expect(server.runtime.keys.decrypt(rows.find((r) => r.key === AUTH_SECRET_KEY)!.value)).toBe(secret);
  });

  it('AUTH_SECRET from the environment wins: processes that share it accept each other’s cookies', async () => {
    const authSecret = randomBytes(32).toString('base64url');
    // Different encryption keys: AUTH_SECRET alone decides.
    const a = await secondProcess({ encryptionKey: KEY, authSecret });
    const b = await secondProcess({ encryptionKey: randomBytes(32).toString('hex'), authSecret });
    try {
      const user = await createUser(server);
      const viaA = await a.signIn(user);
      expect((await b.me(viaA)).statusCode).toBe(200);
      // The test server signs with the sealed secret, not AUTH_SECRET.
      expect((await client(server, viaA).get('/api/v1/me')).statusCode).toBe(401);
      expect((await a.me(user)).statusCode).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
    expect((await settings()).map((r) => r.key)).not.toContain('auth_secret');
  });
});
