import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

/** A bulk selection that narrows nothing acts on every contact: only with an explicit `all: true`. */
describe.skipIf(databaseMissing)('bulk selections that select everything', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let other: Awaited<ReturnType<typeof createOrg>>;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await createTestServer();
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    org = await createOrg(server);
    other = await createOrg(server);
    c = client(server, org.owner);
    for (const name of ['Ann', 'Bob', 'Cy']) {
      expect(
        (await c.post('/api/v1/contacts', { firstName: name, email: `${name}@x.test` })).statusCode,
      ).toBe(201);
    }
    await client(server, other.owner).post('/api/v1/contacts', { firstName: 'Elsewhere' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const count = async (orgId: string) =>
    (
      await server.runtime.database.query<{ n: number }>(
        'select count(*)::int as n from contacts where org_id = $1',
        [orgId],
      )
    ).rows[0]!.n;

  it('refuses an empty selection (no ids, no filter condition, blank search, no segment) and deletes nothing', async () => {
    for (const selection of [
      {},
      { filter: { and: [] } },
      { filter: { or: [] } },
      { filter: { and: [{ or: [] }, { and: [] }] } },
      { search: '' },
      { search: '   ' },
      { filter: { and: [] }, search: ' ' },
    ]) {
      const res = await c.post('/api/v1/contacts/bulk', { selection, action: { type: 'delete' } });
      expect(res.statusCode, JSON.stringify(selection)).toBe(400);
      expect(res.json().error.message, JSON.stringify(selection)).toMatch(
        /^Invalid body: selection: .*"all": true/,
      );
      expect(res.json().error.details.issues[0].path).toEqual(['selection']);
    }
    expect(await count(org.orgId)).toBe(3);
  });

  it('refuses all: true mixed with a narrowing selection, or all: false, or all with ids', async () => {
    for (const selection of [
      { all: true, search: 'ann' },
      { all: true, filter: { field: 'firstName', op: 'eq', value: 'Ann' } },
      { all: false },
      { all: true, ids: ['00000000-0000-4000-8000-000000000001'] },
    ]) {
      const res = await c.post('/api/v1/contacts/bulk', { selection, action: { type: 'delete' } });
      expect(res.statusCode, JSON.stringify(selection)).toBe(400);
      expect(res.json().error.message, JSON.stringify(selection)).toMatch(/selection/);
    }
    expect(await count(org.orgId)).toBe(3);
  });

  it('acts on a narrowing selection without all', async () => {
    const res = await c.post('/api/v1/contacts/bulk', {
      selection: { filter: { and: [{ field: 'firstName', op: 'eq', value: 'Ann' }] } },
      action: { type: 'add_tags', tags: ['picked'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().affected).toBe(1);
    const bySearch = await c.post('/api/v1/contacts/bulk', {
      selection: { search: 'bob' },
      action: { type: 'add_tags', tags: ['picked'] },
    });
    expect(bySearch.json().affected).toBe(1);
  });

  it('acts on every contact of the organisation (and no other) with { all: true }', async () => {
    const tagged = await c.post('/api/v1/contacts/bulk', {
      selection: { all: true },
      action: { type: 'add_tags', tags: ['everyone'] },
    });
    expect(tagged.statusCode, tagged.body).toBe(200);
    expect(tagged.json().affected).toBe(3);
    const deleted = await c.post('/api/v1/contacts/bulk', {
      selection: { all: true },
      action: { type: 'delete' },
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json().affected).toBe(3);
    expect(await count(org.orgId)).toBe(0);
    expect(await count(other.orgId)).toBe(1);
  });

  it('documents the `all` selection in the OpenAPI document', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const text = JSON.stringify(doc.paths['/api/v1/contacts/bulk'].post.requestBody);
    expect(text).toContain('"all"');
    expect(text).toContain('Act on every contact of the organisation');
  });
});
