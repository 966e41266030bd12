import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createUser, type Session, signIn } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

// Needs PostgreSQL (test/global-setup.ts starts one); skipped only when the run has none.

interface Listed {
  id: string;
  userAgent: string | null;
  ipAddress: string | null;
  current: boolean;
  createdAt: string;
  lastActiveAt: string;
}

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)("one's own sessions", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signInFrom(user: Session, ip: string, userAgent: string) {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      remoteAddress: ip,
      headers: { origin: server.origin, 'content-type': 'application/json', 'user-agent': userAgent },
      payload: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const raw = res.headers['set-cookie'];
    const list = Array.isArray(raw) ? raw : [raw!];
    return { ...user, cookie: list.find((c) => c.includes('session_token='))!.split(';')[0]! };
  }
  const list = async (s: Session) => {
    const res = await client(server, s).get('/api/v1/account/sessions');
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as Listed[];
  };

  it('lists the user’s sessions with device, address, dates and which one is this', async () => {
    const user = await createUser(server);
    const phone = await signInFrom(user, '10.77.0.9', 'Mozilla/5.0 (iPhone) Safari');
    const items = await list(user);
    expect(items).toHaveLength(2);
    expect(items.filter((i) => i.current)).toHaveLength(1);
    const other = items.find((i) => !i.current)!;
    expect(other).toMatchObject({ userAgent: 'Mozilla/5.0 (iPhone) Safari', ipAddress: '10.77.0.9' });
    expect(new Date(other.createdAt).getTime()).toBeGreaterThan(0);
    expect(new Date(other.lastActiveAt).getTime()).toBeGreaterThan(0);
    // Another user's sessions never show.
    const stranger = await createUser(server);
    expect((await list(stranger)).map((i) => i.id)).not.toContain(other.id);
    expect((await list(phone)).find((i) => i.current)!.id).toBe(other.id);
  });

  it('revokes one session: its cookie gets 401 at once; the others keep working', async () => {
    const user = await createUser(server);
    const laptop = await signInFrom(user, '10.77.0.10', 'Laptop');
    const items = await list(user);
    const laptopId = items.find((i) => i.userAgent === 'Laptop')!.id;
    const res = await client(server, user).delete(`/api/v1/account/sessions/${laptopId}`);
    expect(res.statusCode, res.body).toBe(204);
    const after = await client(server, laptop).get('/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect((await client(server, user).get('/api/v1/me')).statusCode).toBe(200);
    // Gone: a second revoke says 404.
    expect((await client(server, user).delete(`/api/v1/account/sessions/${laptopId}`)).statusCode).toBe(404);
  });

  it("another user cannot revoke someone's session: 404 as for an unknown id, and it keeps working", async () => {
    const victim = await createUser(server);
    const attacker = await createUser(server);
    const [victimSession] = await list(victim);
    const res = await client(server, attacker).delete(`/api/v1/account/sessions/${victimSession!.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect((await client(server, victim).get('/api/v1/me')).statusCode).toBe(200);
  });

  it('revokes all other sessions and keeps this one', async () => {
    const user = await createUser(server);
    const a = await signIn(server, user.email, user.password);
    const b = await signIn(server, user.email, user.password);
    const res = await client(server, user).post('/api/v1/account/sessions/revoke-others', {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ revoked: 2 });
    expect((await client(server, a).get('/api/v1/me')).statusCode).toBe(401);
    expect((await client(server, b).get('/api/v1/me')).statusCode).toBe(401);
    expect((await client(server, user).get('/api/v1/me')).statusCode).toBe(200);
    expect(await list(user)).toHaveLength(1);
  });

  it('refuses API keys and signed-out callers', async () => {
    expect((await client(server).get('/api/v1/account/sessions')).statusCode).toBe(401);
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/account/sessions',
      headers: { authorization: 'Bearer mox_whatever' },
    });
    expect(res.statusCode).toBe(403);
  });
});
