import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

describe.skipIf(databaseMissing)('senders', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const defaults = async (orgId: string) =>
    (
      await server.runtime.database.query<{ email: string }>(
        'select email from senders where org_id = $1 and is_default',
        [orgId],
      )
    ).rows.map((r) => r.email);

  it('creates, lists, changes and deletes senders; the default is always exactly one and moves in one step', async () => {
    const { owner, orgId } = await createOrg(server);
    const c = client(server, owner);
    expect((await c.get('/api/v1/senders')).json()).toEqual({ items: [] });

    const first = await c.post('/api/v1/senders', { name: 'News', email: ' News@Example.com ' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      name: 'News',
      email: 'news@example.com',
      replyTo: null,
      isDefault: true,
    });

    const second = (
      await c.post('/api/v1/senders', {
        name: 'Support',
        email: 'support@example.com',
        replyTo: 'help@example.com',
      })
    ).json();
    expect(second).toMatchObject({ isDefault: false, replyTo: 'help@example.com' });
    expect(await defaults(orgId)).toEqual(['news@example.com']);

    // A new sender asked to be the default takes it over.
    const third = (
      await c.post('/api/v1/senders', { name: 'Sales', email: 'sales@example.com', isDefault: true })
    ).json();
    expect(third.isDefault).toBe(true);
    expect(await defaults(orgId)).toEqual(['sales@example.com']);
    const list = (await c.get('/api/v1/senders')).json().items as Array<{ id: string; isDefault: boolean }>;
    expect(list.map((s) => s.id)).toEqual([third.id, first.json().id, second.id]); // default first, then oldest
    expect(list.filter((s) => s.isDefault)).toHaveLength(1);

    // PATCH moves the default too, and changes fields.
    const patched = await c.patch(`/api/v1/senders/${second.id}`, {
      isDefault: true,
      name: 'Help desk',
      replyTo: null,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      id: second.id,
      name: 'Help desk',
      replyTo: null,
      isDefault: true,
    });
    expect(await defaults(orgId)).toEqual(['support@example.com']);
    // The default cannot just be unset: another one must be chosen.
    const unset = await c.patch(`/api/v1/senders/${second.id}`, { isDefault: false });
    expect(unset.statusCode).toBe(400);
    expect(await defaults(orgId)).toEqual(['support@example.com']);

    // Validation and duplicates (case-insensitive).
    expect((await c.post('/api/v1/senders', { name: 'Bad', email: 'not-an-email' })).statusCode).toBe(400);
    expect(
      (await c.post('/api/v1/senders', { name: 'Bad', email: 'a@b.test', replyTo: 'nope' })).statusCode,
    ).toBe(400);
    expect((await c.post('/api/v1/senders', { name: '', email: 'a@b.test' })).statusCode).toBe(400);
    const dup = await c.post('/api/v1/senders', { name: 'Again', email: 'SALES@example.com' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CONFLICT');
    const dupPatch = await c.patch(`/api/v1/senders/${third.id}`, { email: 'news@example.com' });
    expect(dupPatch.statusCode).toBe(409);

    // Deleting the default makes the oldest remaining one the default.
    expect((await c.delete(`/api/v1/senders/${second.id}`)).statusCode).toBe(204);
    expect(await defaults(orgId)).toEqual(['news@example.com']);
    // Deleting a non-default leaves the default alone.
    expect((await c.delete(`/api/v1/senders/${third.id}`)).statusCode).toBe(204);
    expect(await defaults(orgId)).toEqual(['news@example.com']);
    expect((await c.delete(`/api/v1/senders/${third.id}`)).statusCode).toBe(404);
    expect((await c.delete(`/api/v1/senders/${first.json().id}`)).statusCode).toBe(204);
    expect((await c.get('/api/v1/senders')).json()).toEqual({ items: [] });
    // After the last one is gone, the next first sender is the default again.
    expect(
      (await c.post('/api/v1/senders', { name: 'New', email: 'new@example.com' })).json().isDefault,
    ).toBe(true);
  });

  it('keeps exactly one default when senders are added at the same time', async () => {
    const { owner, orgId } = await createOrg(server);
    const c = client(server, owner);
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => c.post('/api/v1/senders', { name: `S${i}`, email: `s${i}@example.com` })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(await defaults(orgId)).toHaveLength(1);
    const racing = await Promise.all(
      (results.map((r) => r.json().id) as string[]).map((id) =>
        c.patch(`/api/v1/senders/${id}`, { isDefault: true }),
      ),
    );
    expect(racing.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await defaults(orgId)).toHaveLength(1);
  });

  it('lets members and viewers read senders (the campaign wizard) but only settings writers change them', async () => {
    const { owner, admin, member, viewer } = await createOrg(server, ['admin', 'member', 'viewer']);
    const s = (
      await client(server, owner).post('/api/v1/senders', { name: 'News', email: 'news@example.com' })
    ).json();
    for (const who of [member!, viewer!]) {
      const c = client(server, who);
      expect((await c.get('/api/v1/senders')).json().items).toHaveLength(1);
      expect((await c.get(`/api/v1/senders/${s.id}`)).json()).toMatchObject({
        id: s.id,
        email: 'news@example.com',
      });
      expect((await c.post('/api/v1/senders', { name: 'X', email: 'x@example.com' })).statusCode).toBe(403);
      expect((await c.patch(`/api/v1/senders/${s.id}`, { name: 'Changed' })).statusCode).toBe(403);
      expect((await c.delete(`/api/v1/senders/${s.id}`)).statusCode).toBe(403);
    }
    const byAdmin = await client(server, admin!).patch(`/api/v1/senders/${s.id}`, { name: 'By admin' });
    expect(byAdmin.statusCode).toBe(200);
  });

  it('answers 404 to another organisation for every sender id, and changes nothing', async () => {
    const a = await createOrg(server);
    const b = await createOrg(server);
    const s = (
      await client(server, a.owner).post('/api/v1/senders', { name: 'A', email: 'a@example.com' })
    ).json();
    const cb = client(server, b.owner);
    expect((await cb.get(`/api/v1/senders/${s.id}`)).statusCode).toBe(404);
    expect((await cb.patch(`/api/v1/senders/${s.id}`, { name: 'Stolen', isDefault: true })).statusCode).toBe(
      404,
    );
    expect((await cb.delete(`/api/v1/senders/${s.id}`)).statusCode).toBe(404);
    expect((await cb.get('/api/v1/senders')).json().items).toEqual([]);
    // The same address is free in B (uniqueness is per organisation).
    expect((await cb.post('/api/v1/senders', { name: 'B', email: 'a@example.com' })).statusCode).toBe(201);
    expect((await client(server, a.owner).get(`/api/v1/senders/${s.id}`)).json()).toEqual(s);
  });
});
