import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { isSuppressed, suppress } from './suppressions.service.js';

/** Any method with a JSON body (the shared test client has no PUT, and no DELETE with a body). */
export function call(
  server: TestServer,
  session: { cookie: string },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return server.app.inject({
    method,
    url,
    headers: {
      origin: server.origin,
      cookie: session.cookie,
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    payload: payload === undefined ? undefined : JSON.stringify(payload),
  });
}

describe.skipIf(databaseMissing)('suppressions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const db = () => server.runtime.database.db;

  it('adds an address once, finds it by prefix, removes it with a reason and keeps the history', async () => {
    const { owner, orgId } = await createOrg(server);
    const c = client(server, owner);
    const added = await c.post('/api/v1/suppressions', {
      email: ' Ann.Smith@Example.com ',
      note: 'Asked by phone',
    });
    expect(added.statusCode, added.body).toBe(201);
    const ann = added.json();
    expect(ann).toMatchObject({
      email: 'ann.smith@example.com',
      reason: 'manual',
      note: 'Asked by phone',
      createdBy: { id: owner.userId, name: 'Olivia Owner' },
      removedAt: null,
      removedBy: null,
      removedReason: null,
    });
    expect(await isSuppressed(db(), orgId, 'ANN.SMITH@example.COM')).toBe(true);

    // Already suppressed: 200 with the existing entry, no duplicate.
    const again = await c.post('/api/v1/suppressions', { email: 'ANN.SMITH@example.com', note: 'twice' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(ann);
    // An automatic entry (as the events applier writes one) is found the same way.
    expect(await suppress(db(), orgId, 'Bob@Example.com', 'hard_bounce')).toEqual(expect.any(String));
    expect(await suppress(db(), orgId, 'bob@example.com', 'complaint')).toBeNull();
    await c.post('/api/v1/suppressions', { email: 'annie_50@example.com' });

    const list = async (query: string) =>
      ((await c.get(`/api/v1/suppressions${query}`)).json().items as Array<{ email: string }>).map(
        (s) => s.email,
      );
    expect(await list('')).toEqual(['annie_50@example.com', 'bob@example.com', 'ann.smith@example.com']);
    expect(await list('?q=ANN')).toEqual(['annie_50@example.com', 'ann.smith@example.com']);
    expect(await list('?q=ann.')).toEqual(['ann.smith@example.com']);
    expect(await list('?q=smith')).toEqual([]); // a prefix, not a substring
    expect(await list('?q=annie_')).toEqual(['annie_50@example.com']);
    expect(await list('?q=ann_')).toEqual([]); // _ is a character, not a wildcard
    expect(await list('?q=ann%25')).toEqual([]); // and so is %
    expect((await c.get('/api/v1/suppressions')).json().items[1]).toMatchObject({
      reason: 'hard_bounce',
      createdBy: null,
    });

    // Removing needs a reason.
    expect((await call(server, owner, 'DELETE', `/api/v1/suppressions/${ann.id}`, {})).statusCode).toBe(400);
    expect(
      (await call(server, owner, 'DELETE', `/api/v1/suppressions/${ann.id}`, { reason: '  ' })).statusCode,
    ).toBe(400);
    expect(
      (await call(server, owner, 'DELETE', `/api/v1/suppressions/${ann.id}`, { reason: 'x'.repeat(501) }))
        .statusCode,
    ).toBe(400);
    expect(await isSuppressed(db(), orgId, 'ann.smith@example.com')).toBe(true);
    const removed = await call(server, owner, 'DELETE', `/api/v1/suppressions/${ann.id}`, {
      reason: 'Re-subscribed on the phone',
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await isSuppressed(db(), orgId, 'ann.smith@example.com')).toBe(false);
    expect(await list('?q=ann.')).toEqual([]);
    // Removed twice: it is not on the list any more.
    expect(
      (await call(server, owner, 'DELETE', `/api/v1/suppressions/${ann.id}`, { reason: 'again' })).statusCode,
    ).toBe(409);

    const history = (await c.get('/api/v1/suppressions?includeRemoved=true&q=ann.')).json().items;
    expect(history).toEqual([
      {
        ...ann,
        removedAt: expect.any(String),
        removedBy: { id: owner.userId, name: 'Olivia Owner' },
        removedReason: 'Re-subscribed on the phone',
      },
    ]);

    // Suppressed again later: a new entry; the old one stays as history.
    const back = await c.post('/api/v1/suppressions', { email: 'ann.smith@example.com' });
    expect(back.statusCode).toBe(201);
    expect(back.json().id).not.toBe(ann.id);
    expect(await isSuppressed(db(), orgId, 'ann.smith@example.com')).toBe(true);
    expect(
      ((await c.get('/api/v1/suppressions?includeRemoved=true&q=ann.')).json().items as unknown[]).length,
    ).toBe(2);
    expect(await list('?q=ann.')).toEqual(['ann.smith@example.com']);

    // Validation.
    expect((await c.post('/api/v1/suppressions', { email: 'nope' })).statusCode).toBe(400);
    expect(
      (await c.post('/api/v1/suppressions', { email: 'a@example.com', note: 'x'.repeat(501) })).statusCode,
    ).toBe(400);
  });

  it('pages through the list with a cursor, newest first', async () => {
    const { owner, orgId } = await createOrg(server);
    for (let i = 0; i < 7; i++) {
      await server.runtime.database.query(
        `insert into suppressions (org_id, email, reason, created_at) values ($1, $2, 'manual', now() - make_interval(secs => $3))`,
        [orgId, `p${i}@example.com`, i % 3], // some share a timestamp: the id breaks ties
      );
    }
    const c = client(server, owner);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await c.get(`/api/v1/suppressions?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: Array<{ email: string }>; nextCursor: string | null };
      seen.push(...body.items.map((s) => s.email));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    expect(seen.slice(0, 3).sort()).toEqual(['p0@example.com', 'p3@example.com', 'p6@example.com']);
    expect((await c.get('/api/v1/suppressions?cursor=garbage')).statusCode).toBe(400);
  });

  it('lets readers of contacts see the list and only settings writers add or remove', async () => {
    const { owner, member, viewer, orgId } = await createOrg(server, ['member', 'viewer']);
    const s = (await client(server, owner).post('/api/v1/suppressions', { email: 'x@example.com' })).json();
    for (const who of [member!, viewer!]) {
      const c = client(server, who);
      expect((await c.get('/api/v1/suppressions')).json().items).toHaveLength(1);
      expect((await c.post('/api/v1/suppressions', { email: 'y@example.com' })).statusCode).toBe(403);
      expect(
        (await call(server, who, 'DELETE', `/api/v1/suppressions/${s.id}`, { reason: 'no' })).statusCode,
      ).toBe(403);
    }
    expect(await isSuppressed(db(), orgId, 'x@example.com')).toBe(true);
    expect(await isSuppressed(db(), orgId, 'y@example.com')).toBe(false);
  });

  it('answers 404 to another organisation for every suppression id, and keeps the lists apart', async () => {
    const a = await createOrg(server);
    const b = await createOrg(server);
    const s = (
      await client(server, a.owner).post('/api/v1/suppressions', { email: 'shared@example.com' })
    ).json();
    const res = await call(server, b.owner, 'DELETE', `/api/v1/suppressions/${s.id}`, { reason: 'mine now' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect(await isSuppressed(db(), a.orgId, 'shared@example.com')).toBe(true);
    expect(await isSuppressed(db(), b.orgId, 'shared@example.com')).toBe(false);
    expect(
      (await client(server, b.owner).get('/api/v1/suppressions?includeRemoved=true')).json().items,
    ).toEqual([]);
    // B suppressing the same address makes its own entry.
    const own = await client(server, b.owner).post('/api/v1/suppressions', { email: 'shared@example.com' });
    expect(own.statusCode).toBe(201);
    expect(own.json().id).not.toBe(s.id);
    expect((await client(server, a.owner).get('/api/v1/suppressions')).json().items).toEqual([s]);
  });
});
