import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg, createUser } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * API keys act as themselves (the timeline names the key, not the member who made it), work only
 * while the member they belong to is a member, and an admin can re-home them to another member
 * (PATCH /api-keys/:id {ownerId}) so that they survive that member leaving.
 */
describe.skipIf(databaseMissing)('API keys as actors', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const bearer =
    (key: string) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      server.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        payload: body !== undefined ? JSON.stringify(body) : undefined,
      });

  async function createKey(c: ReturnType<typeof client>, name: string) {
    const res = await c.post('/api/v1/api-keys', { name, scope: 'read_write' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; key: string; ownerId: string | null };
  }

  async function removeMember(c: ReturnType<typeof client>, userId: string) {
    const members = (await c.get('/api/v1/members')).json().items as Array<{ id: string; userId: string }>;
    const m = members.find((x) => x.userId === userId)!;
    const res = await c.delete(`/api/v1/members/${m.id}`);
    expect(res.statusCode, res.body).toBe(204);
  }

  it('a contact created and edited with an API key shows actor {type: apiKey, id, name: <key name>} on its timeline', async () => {
    const org = await createOrg(server, ['admin']);
    const admin = client(server, org.admin!);
    const key = await createKey(admin, 'Zapier');
    const as = bearer(key.key);
    const created = await as('POST', '/api/v1/contacts', { firstName: 'Via', email: 'via@key.test' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(
      (await as('PATCH', `/api/v1/contacts/${id}`, { jobTitle: 'Integrator', tags: ['api'] })).statusCode,
    ).toBe(200);
    expect((await as('POST', `/api/v1/contacts/${id}/notes`, { body: 'from the key' })).statusCode).toBe(201);

    const tl = (await client(server, org.owner).get(`/api/v1/contacts/${id}/timeline`)).json()
      .items as Array<{
      type: string;
      actor: unknown;
    }>;
    expect(tl.map((e) => e.type)).toEqual(['note.added', 'tag.added', 'contact.updated', 'contact.created']);
    for (const e of tl) expect(e.actor, e.type).toEqual({ type: 'apiKey', id: key.id, name: 'Zapier' });
    const [row] = (
      await server.runtime.database.query<{ actor_type: string; actor_id: string }>(
        `select distinct actor_type, actor_id from contact_events where contact_id = $1`,
        [id],
      )
    ).rows;
    expect(row).toEqual({ actor_type: 'apiKey', actor_id: key.id });
  });

  it('removing the member who created a key makes it stop working (401) unless an admin re-homed it first', async () => {
    const org = await createOrg(server, ['admin']);
    const owner = client(server, org.owner);
    const admin = client(server, org.admin!);
    const dropped = await createKey(admin, 'Dropped with its member');
    const kept = await createKey(admin, 'Kept by re-homing');
    expect(dropped.ownerId).toBe(org.admin!.userId);
    for (const k of [dropped, kept])
      expect((await bearer(k.key)('GET', '/api/v1/contacts')).statusCode).toBe(200);

    const rehome = await owner.patch(`/api/v1/api-keys/${kept.id}`, { ownerId: org.owner.userId });
    expect(rehome.statusCode, rehome.body).toBe(200);
    expect(rehome.json()).toMatchObject({ id: kept.id, ownerId: org.owner.userId, revokedAt: null });

    await removeMember(owner, org.admin!.userId);

    const gone = await bearer(dropped.key)('GET', '/api/v1/contacts');
    expect(gone.statusCode, gone.body).toBe(401);
    expect((await bearer(dropped.key)('POST', '/api/v1/contacts', { firstName: 'No' })).statusCode).toBe(401);
    const alive = bearer(kept.key);
    expect((await alive('GET', '/api/v1/contacts')).statusCode).toBe(200);
    const made = await alive('POST', '/api/v1/contacts', { firstName: 'Still', email: 'still@key.test' });
    expect(made.statusCode, made.body).toBe(201);
    const keys = (await owner.get('/api/v1/api-keys')).json().items as Array<{
      id: string;
      ownerId: string | null;
      revokedAt: string | null;
    }>;
    expect(keys.find((k) => k.id === dropped.id)!.revokedAt).not.toBeNull();
    expect(keys.find((k) => k.id === kept.id)).toMatchObject({ ownerId: org.owner.userId, revokedAt: null });
    // A revoked key cannot be brought back by re-homing it.
    expect(
      (await owner.patch(`/api/v1/api-keys/${dropped.id}`, { ownerId: org.owner.userId })).statusCode,
    ).toBe(404);
    expect((await bearer(dropped.key)('GET', '/api/v1/contacts')).statusCode).toBe(401);
  });

  it('re-homing: to a non-member → 400, another organisation → 404, a viewer → 403, with an API key → 403; the key is unchanged', async () => {
    const a = await createOrg(server, ['admin', 'viewer']);
    const b = await createOrg(server, ['admin']);
    const outsider = await createUser(server, { name: 'Not a member' });
    const ownerA = client(server, a.owner);
    const key = await createKey(client(server, a.admin!), 'Shared');
    const attempts = [
      [ownerA, { ownerId: outsider.userId }, 400],
      [ownerA, { ownerId: b.owner.userId }, 400],
      [client(server, b.owner), { ownerId: b.owner.userId }, 404],
      [client(server, b.admin!), { ownerId: b.admin!.userId }, 404],
      [client(server, a.viewer!), { ownerId: a.viewer!.userId }, 403],
    ] as const;
    for (const [c, body, status] of attempts) {
      const res = await c.patch(`/api/v1/api-keys/${key.id}`, body);
      expect(res.statusCode, res.body).toBe(status);
    }
    expect(
      (await bearer(key.key)('PATCH', `/api/v1/api-keys/${key.id}`, { ownerId: a.owner.userId })).statusCode,
    ).toBe(403);
    const listed = (await ownerA.get('/api/v1/api-keys'))
      .json()
      .items.find((k: { id: string }) => k.id === key.id);
    expect(listed).toMatchObject({ ownerId: a.admin!.userId, revokedAt: null });
  });
});
