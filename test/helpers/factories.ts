import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from './server.js';

let ipCounter = 1;
/** A distinct client address per factory call, so rate limits never couple unrelated tests. */
export function nextIp(): string {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

export interface Session {
  cookie: string;
  userId: string;
  email: string;
  password: string;
}

/** A cookie-authenticated client for app.inject (sends Origin, as a browser does). */
export function client(server: TestServer, session?: { cookie: string }, ip = nextIp()) {
  const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: unknown) =>
    server.app.inject({
      method,
      url,
      remoteAddress: ip,
      headers: {
        origin: server.origin,
        ...(session ? { cookie: session.cookie } : {}),
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });
  return {
    get: (url: string) => request('GET', url),
    post: (url: string, payload: unknown = {}) => request('POST', url, payload),
    patch: (url: string, payload: unknown) => request('PATCH', url, payload),
    delete: (url: string) => request('DELETE', url),
  };
}

export function sessionCookieOf(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const session = list.find((c) => c.includes('session_token='));
  if (!session) throw new Error(`No session cookie in response ${res.statusCode}: ${res.body}`);
  return session.split(';')[0]!;
}

/** Signs up through the API, marks the email verified in the database, signs in. */
export async function createUser(
  server: TestServer,
  opts: { name?: string; email?: string; password?: string } = {},
): Promise<Session> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const c = client(server);
  const res = await c.post('/api/auth/sign-up/email', {
    name: opts.name ?? 'Test User',
    email,
    password,
    ageConfirmed: true,
  });
  if (res.statusCode !== 200) throw new Error(`sign-up failed ${res.statusCode}: ${res.body}`);
  await server.runtime.database.query('update users set email_verified = true where email = $1', [email]);
  return signIn(server, email, password);
}

export async function signIn(server: TestServer, email: string, password: string): Promise<Session> {
  const res = await client(server).post('/api/auth/sign-in/email', { email, password });
  if (res.statusCode !== 200) throw new Error(`sign-in failed ${res.statusCode}: ${res.body}`);
  const body = res.json() as { user: { id: string } };
  return { cookie: sessionCookieOf(res), userId: body.user.id, email, password };
}

/** Adds an existing user to the session user's active organisation with a role (via the DB). */
export async function addMember(server: TestServer, orgId: string, userId: string, role: string) {
  await server.runtime.database.query('insert into members (org_id, user_id, role) values ($1, $2, $3)', [
    orgId,
    userId,
    role,
  ]);
}

export async function activeOrgId(server: TestServer, session: Session): Promise<string> {
  const res = await client(server, session).get('/api/v1/me');
  return (res.json() as { activeOrganization: { id: string } }).activeOrganization.id;
}

/** A fresh organisation with an owner, and optionally members of other roles. */
export async function createOrg(server: TestServer, roles: Array<'admin' | 'member' | 'viewer'> = []) {
  const owner = await createUser(server, { name: 'Olivia Owner' });
  const orgId = await activeOrgId(server, owner);
  const others: Record<string, Session> = {};
  for (const role of roles) {
    const s = await createUser(server, { name: `${role} user` });
    await addMember(server, orgId, s.userId, role);
    await client(server, s).post('/api/v1/organizations/active', { organizationId: orgId });
    others[role] = s;
  }
  return { orgId, owner, ...others } as {
    orgId: string;
    owner: Session;
    admin?: Session;
    member?: Session;
    viewer?: Session;
  };
}
