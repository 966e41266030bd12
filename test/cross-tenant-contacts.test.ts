import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * Every contacts-area route that takes an id, tried by org B (session and API key) on org A's
 * ids: 404, and org A's data is byte-for-byte unchanged.
 */
describe.skipIf(databaseMissing)(
  'cross-organisation isolation: contacts, companies, fields, tags, notes, segments, API keys',
  () => {
    let server: TestServer;
    const ids: Record<string, string> = {};
    let a: Awaited<ReturnType<typeof createOrg>>;
    let b: Awaited<ReturnType<typeof createOrg>>;
    let keyB = '';
    let keyA = '';

    beforeAll(async () => {
      server = await createTestServer();
      a = await createOrg(server);
      b = await createOrg(server);
      const ca = client(server, a.owner);
      ids.company = (await ca.post('/api/v1/companies', { name: 'A Corp', domain: 'a-corp.test' })).json().id;
      ids.contact = (
        await ca.post('/api/v1/contacts', {
          firstName: 'Secret',
          email: 'secret@a-corp.test',
          tags: ['a-tag'],
        })
      ).json().id;
      ids.other = (
        await ca.post('/api/v1/contacts', { firstName: 'Other', email: 'other@a-corp.test' })
      ).json().id;
      ids.field = (
        await ca.post('/api/v1/fields', { entity: 'contact', label: 'A field', type: 'text' })
      ).json().id;
      ids.tag = (await ca.get('/api/v1/tags')).json().items[0].id;
      ids.note = (await ca.post(`/api/v1/contacts/${ids.contact}/notes`, { body: 'secret note' })).json().id;
      ids.segment = (await ca.post('/api/v1/segments', { name: 'A seg', filter: { and: [] } })).json().id;
      ids.apiKey = (await ca.post('/api/v1/api-keys', { name: 'A key', scope: 'read_write' })).json().id;
      keyA = (await ca.post('/api/v1/api-keys', { name: 'A key 2', scope: 'read_write' })).json().key;
      keyB = (
        await client(server, b.owner).post('/api/v1/api-keys', { name: 'B key', scope: 'read_write' })
      ).json().key;
      await server.runtime.database.query(
        `insert into contacts (org_id, first_name, email) select $1, 'Bulk', 'b' || g || '@a-corp.test' from generate_series(1, 10) g`,
        [a.orgId],
      );
      ids.bulk = (
        await server.runtime.database.query<{ id: string }>(
          `insert into bulk_operations (org_id, action, selection, status) values ($1, '{}', '{}', 'done') returning id`,
          [a.orgId],
        )
      ).rows[0]!.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    const snapshot = async () =>
      (
        await server.runtime.database.query(
          `select
          (select json_agg(c order by c.id) from (select id, first_name, email, tag_ids, custom, company_id, updated_at from contacts where org_id = $1) c) as contacts,
          (select json_agg(x order by x.id) from companies x where org_id = $1) as companies,
          (select json_agg(x order by x.id) from field_definitions x where org_id = $1) as fields,
          (select json_agg(x order by x.id) from tags x where org_id = $1) as tags,
          (select json_agg(x order by x.id) from notes x where org_id = $1) as notes,
          (select json_agg(x order by x.id) from segments x where org_id = $1) as segments,
          (select json_agg(x order by x.id) from (select id, revoked_at from api_keys where org_id = $1) x) as keys,
          (select count(*) from contact_events where org_id = $1) as events`,
          [a.orgId],
        )
      ).rows[0];

    function attempts(call: ReturnType<typeof bearerOrSession>) {
      return [
        call('GET', `/api/v1/contacts/${ids.contact}`),
        call('PATCH', `/api/v1/contacts/${ids.contact}`, { firstName: 'Pwned' }),
        call('DELETE', `/api/v1/contacts/${ids.contact}`),
        call('GET', `/api/v1/contacts/${ids.contact}/timeline`),
        call('GET', `/api/v1/contacts/${ids.contact}/notes`),
        call('POST', `/api/v1/contacts/${ids.contact}/notes`, { body: 'x' }),
        call('POST', `/api/v1/contacts/${ids.contact}/merge`, { otherId: ids.other }),
        call('GET', `/api/v1/companies/${ids.company}`),
        call('PATCH', `/api/v1/companies/${ids.company}`, { name: 'Pwned' }),
        call('DELETE', `/api/v1/companies/${ids.company}`),
        call('GET', `/api/v1/companies/${ids.company}/contacts`),
        call('GET', `/api/v1/companies/${ids.company}/notes`),
        call('POST', `/api/v1/companies/${ids.company}/notes`, { body: 'x' }),
        call('PATCH', `/api/v1/fields/${ids.field}`, { label: 'Pwned' }),
        call('DELETE', `/api/v1/fields/${ids.field}?confirm=true`),
        call('PATCH', `/api/v1/tags/${ids.tag}`, { name: 'Pwned' }),
        call('DELETE', `/api/v1/tags/${ids.tag}`),
        call('PATCH', `/api/v1/notes/${ids.note}`, { body: 'Pwned' }),
        call('DELETE', `/api/v1/notes/${ids.note}`),
        call('GET', `/api/v1/segments/${ids.segment}`),
        call('GET', `/api/v1/segments/${ids.segment}/count`),
        call('PATCH', `/api/v1/segments/${ids.segment}`, { name: 'Pwned' }),
        call('DELETE', `/api/v1/segments/${ids.segment}`),
        call('GET', `/api/v1/bulk-operations/${ids.bulk}`),
      ];
    }

    function bearerOrSession(mode: 'session' | 'key') {
      return (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
        server.app.inject({
          method,
          url,
          headers:
            mode === 'session'
              ? {
                  cookie: b.owner.cookie,
                  origin: server.origin,
                  ...(body ? { 'content-type': 'application/json' } : {}),
                }
              : { authorization: `Bearer ${keyB}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          payload: body ? JSON.stringify(body) : undefined,
        });
    }

    it.each(['session', 'key'] as const)(
      'org B (%s) gets 404 on every org A id and changes nothing',
      async (mode) => {
        const before = await snapshot();
        const call = bearerOrSession(mode);
        for (const res of await Promise.all(attempts(call))) {
          // An API key acts as a member: field definitions need an admin, so it is refused before any lookup
          // (403 for every id alike, which leaks nothing). Everything else is simply not found.
          const adminOnly = mode === 'key' && res.json().error?.message?.includes('settings:write');
          expect(res.statusCode, res.body).toBe(adminOnly ? 403 : 404);
          if (!adminOnly) expect(res.json().error.code).toBe('NOT_FOUND');
        }
        // Tag merge and tags across orgs, API key revoke, segment use in search, company link on create:
        expect((await call('POST', `/api/v1/tags/${ids.tag}/merge`, { intoId: ids.tag })).statusCode).toBe(
          400,
        );
        expect((await call('POST', '/api/v1/contacts/search', { segmentId: ids.segment })).statusCode).toBe(
          404,
        );
        expect(
          (await call('POST', '/api/v1/contacts', { firstName: 'X', companyId: ids.company })).statusCode,
        ).toBe(400);
        if (mode === 'session')
          expect((await call('DELETE', `/api/v1/api-keys/${ids.apiKey}`)).statusCode).toBe(404);
        // Bulk on A's ids reports them as not found and touches nothing.
        const bulk = await call('POST', '/api/v1/contacts/bulk', {
          selection: { ids: [ids.contact, ids.other] },
          action: { type: 'delete' },
        });
        expect(bulk.statusCode).toBe(200);
        expect(bulk.json().affected).toBe(0);
        expect(bulk.json().results.every((r: { status: string }) => r.status === 'not_found')).toBe(true);
        // Lists and searches only ever show B's own rows.
        const list = (
          await call('POST', '/api/v1/contacts/search', { search: 'a-corp', includeCount: true })
        ).json();
        expect(list.count).toBe(0);
        expect((await call('GET', '/api/v1/companies?search=a%20corp')).json().items).toHaveLength(0);
        expect(await snapshot()).toEqual(before);
      },
    );

    it('API keys: read scope cannot write, revoked keys stop working, keys cannot manage accounts', async () => {
      const ca = client(server, a.owner);
      const read = (await ca.post('/api/v1/api-keys', { name: 'read', scope: 'read' })).json();
      expect(read.key).toMatch(/^mox_/);
      const listed = (await ca.get('/api/v1/api-keys'))
        .json()
        .items.find((k: { id: string }) => k.id === read.id);
      expect(listed).not.toHaveProperty('key');
      const { rows } = await server.runtime.database.query<{ hash: string }>(
        'select hash from api_keys where id = $1',
        [read.id],
      );
      expect(rows[0]!.hash).not.toContain(read.key);
      const as = (key: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
        server.app.inject({
          method,
          url,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          payload: body ? JSON.stringify(body) : undefined,
        });
      expect((await as(read.key, 'GET', `/api/v1/contacts/${ids.contact}`)).statusCode).toBe(200);
      expect((await as(read.key, 'POST', '/api/v1/contacts', { firstName: 'No' })).statusCode).toBe(403);
      const created = await as(keyA, 'POST', '/api/v1/contacts', {
        firstName: 'Via key',
        email: 'key@a-corp.test',
      });
      expect(created.statusCode, created.body).toBe(201);
      expect((await as(keyA, 'GET', '/api/v1/me')).statusCode).toBe(403);
      expect((await as(keyA, 'GET', '/api/v1/api-keys')).statusCode).toBe(403);
      expect((await as(keyA, 'GET', '/api/v1/members')).statusCode).toBe(200);
      expect(
        (await as(keyA, 'POST', '/api/v1/invitations', { email: 'x@example.com', role: 'member' }))
          .statusCode,
      ).toBe(403);
      expect((await ca.delete(`/api/v1/api-keys/${read.id}`)).statusCode).toBe(204);
      const revoked = await as(read.key, 'GET', '/api/v1/contacts');
      expect(revoked.statusCode).toBe(401);
      expect((await as('mox_forged', 'GET', '/api/v1/contacts')).statusCode).toBe(401);
    });
  },
);
