import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * Org B (session and API key) names org A's ids inside request bodies, searches and lists: it
 * gets nothing of A's and A's data is byte-for-byte unchanged. (Ids in paths, on every route, are
 * tried by route-coverage.test.ts.) Then what API keys may and may not do.
 */
describe.skipIf(databaseMissing)(
  'cross-organisation isolation: contacts, companies, tags, segments; API keys',
  () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await createTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    /** Org A with a company, contacts, a tag and a segment; org B with a read-write API key. */
    async function twoOrganisations() {
      const a = await createOrg(server);
      const b = await createOrg(server);
      const ca = client(server, a.owner);
      const ids: Record<string, string> = {};
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
      ids.tag = (await ca.get('/api/v1/tags')).json().items[0].id;
      ids.segment = (await ca.post('/api/v1/segments', { name: 'A seg', filter: { and: [] } })).json().id;
      const keyB = (
        await client(server, b.owner).post('/api/v1/api-keys', { name: 'B key', scope: 'read_write' })
      ).json().key as string;
      return { a, b, ids, keyB };
    }

    const snapshot = async (orgId: string) =>
      (
        await server.runtime.database.query(
          `select
          (select json_agg(c order by c.id) from (select id, first_name, email, tag_ids, custom, company_id, updated_at from contacts where org_id = $1) c) as contacts,
          (select json_agg(x order by x.id) from companies x where org_id = $1) as companies,
          (select json_agg(x order by x.id) from tags x where org_id = $1) as tags,
          (select json_agg(x order by x.id) from segments x where org_id = $1) as segments,
          (select count(*) from contact_events where org_id = $1) as events`,
          [orgId],
        )
      ).rows[0];

    function as(caller: { cookie: string } | { key: string }) {
      return (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
        server.app.inject({
          method,
          url,
          headers: {
            ...('cookie' in caller
              ? { cookie: caller.cookie, origin: server.origin }
              : { authorization: `Bearer ${caller.key}` }),
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          payload: body ? JSON.stringify(body) : undefined,
        });
    }

    it.each(['session', 'key'] as const)(
      "org B (%s) naming org A's ids in bodies gets nothing of A's, and A stays unchanged",
      async (mode) => {
        const { a, b, ids, keyB } = await twoOrganisations();
        const before = await snapshot(a.orgId);
        const call = as(mode === 'session' ? b.owner : { key: keyB });
        // Merging B's tag into A's, searching with A's segment, linking a new contact to A's company:
        // refused exactly as when the id names nothing at all.
        const tagB = (await call('POST', '/api/v1/tags', { name: 'b-tag' })).json().id;
        const attempts: Array<{
          what: string;
          idOfA: string;
          send(id: string): Promise<{ statusCode: number }>;
        }> = [
          {
            what: 'tag merge',
            idOfA: ids.tag!,
            send: (id) => call('POST', `/api/v1/tags/${tagB}/merge`, { intoId: id }),
          },
          {
            what: 'search by segment',
            idOfA: ids.segment!,
            send: (id) => call('POST', '/api/v1/contacts/search', { segmentId: id }),
          },
          {
            what: 'contact in company',
            idOfA: ids.company!,
            send: (id) => call('POST', '/api/v1/contacts', { firstName: 'X', companyId: id }),
          },
        ];
        for (const { what, idOfA, send } of attempts) {
          const res = await send(idOfA);
          expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, what).toBe((await send(randomUUID())).statusCode);
        }
        // Bulk on A's ids reports them as not found and touches nothing.
        const bulk = await call('POST', '/api/v1/contacts/bulk', {
          selection: { ids: [ids.contact, ids.other] },
          action: { type: 'delete' },
        });
        expect(bulk.statusCode).toBe(200);
        expect(bulk.json().affected).toBe(0);
        expect(bulk.json().results.every((r: { status: string }) => r.status === 'not_found')).toBe(true);
        expect(await snapshot(a.orgId)).toEqual(before);
      },
    );

    it.each(['session', 'key'] as const)(
      "org B's (%s) lists and searches show none of org A's contacts or companies",
      async (mode) => {
        const { b, keyB } = await twoOrganisations();
        const call = as(mode === 'session' ? b.owner : { key: keyB });
        const list = (
          await call('POST', '/api/v1/contacts/search', { search: 'a-corp', includeCount: true })
        ).json();
        expect(list.count).toBe(0);
        expect((await call('GET', '/api/v1/contacts')).json().items).toHaveLength(0);
        expect((await call('GET', '/api/v1/companies?search=a%20corp')).json().items).toHaveLength(0);
        expect((await call('GET', '/api/v1/tags')).json().items).toHaveLength(0);
      },
    );

    it('shows an API key once: the list never returns it, and only its hash is stored', async () => {
      const org = await createOrg(server);
      const created = (
        await client(server, org.owner).post('/api/v1/api-keys', { name: 'read', scope: 'read' })
      ).json();
      expect(created.key).toMatch(/^mox_/);
      const listed = (await client(server, org.owner).get('/api/v1/api-keys'))
        .json()
        .items.find((k: { id: string }) => k.id === created.id);
      expect(listed).toBeDefined();
      expect(listed).not.toHaveProperty('key');
      const { rows } = await server.runtime.database.query<{ hash: string }>(
        'select hash from api_keys where id = $1',
        [created.id],
      );
      expect(rows[0]!.hash).not.toContain(created.key);
    });

    it('lets a read-scope API key read contacts but not write them (403)', async () => {
      const org = await createOrg(server);
      const ca = client(server, org.owner);
      const contact = (await ca.post('/api/v1/contacts', { firstName: 'Readable' })).json().id;
      const read = (await ca.post('/api/v1/api-keys', { name: 'read', scope: 'read' })).json().key;
      expect((await as({ key: read })('GET', `/api/v1/contacts/${contact}`)).statusCode).toBe(200);
      expect((await as({ key: read })('POST', '/api/v1/contacts', { firstName: 'No' })).statusCode).toBe(403);
    });

    it('lets a read-write API key create contacts and list members, but not manage accounts, keys or invitations', async () => {
      const org = await createOrg(server);
      const key = (
        await client(server, org.owner).post('/api/v1/api-keys', { name: 'rw', scope: 'read_write' })
      ).json().key;
      const call = as({ key });
      const created = await call('POST', '/api/v1/contacts', { firstName: 'Via key', email: 'key@b.test' });
      expect(created.statusCode, created.body).toBe(201);
      expect((await call('GET', '/api/v1/members')).statusCode).toBe(200);
      expect((await call('GET', '/api/v1/me')).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/api-keys')).statusCode).toBe(403);
      expect(
        (await call('POST', '/api/v1/invitations', { email: 'x@example.com', role: 'member' })).statusCode,
      ).toBe(403);
    });

    it('answers 401 to a revoked API key and to a forged one', async () => {
      const org = await createOrg(server);
      const ca = client(server, org.owner);
      const key = (await ca.post('/api/v1/api-keys', { name: 'soon revoked', scope: 'read' })).json();
      expect((await as({ key: key.key })('GET', '/api/v1/contacts')).statusCode).toBe(200);
      expect((await ca.delete(`/api/v1/api-keys/${key.id}`)).statusCode).toBe(204);
      expect((await as({ key: key.key })('GET', '/api/v1/contacts')).statusCode).toBe(401);
      expect((await as({ key: 'mox_forged' })('GET', '/api/v1/contacts')).statusCode).toBe(401);
    });
  },
);
