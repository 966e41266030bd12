import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

describe.skipIf(databaseMissing)('companies and notes', () => {
  let server: TestServer;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await createTestServer();
    const org = await createOrg(server);
    c = client(server, org.owner);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates companies with unique domains and custom fields, lists, pages and deletes them', async () => {
    expect(
      (
        await c.post('/api/v1/fields', {
          entity: 'company',
          label: 'Employees',
          key: 'employees',
          type: 'number',
        })
      ).statusCode,
    ).toBe(201);
    const acme = await c.post('/api/v1/companies', {
      name: 'Acme',
      domain: 'https://ACME.test/about',
      industry: 'Rockets',
      customFields: { employees: 50 },
    });
    expect(acme.statusCode, acme.body).toBe(201);
    expect(acme.json()).toMatchObject({
      domain: 'acme.test',
      customFields: { employees: 50 },
      contactCount: 0,
    });
    const dup = await c.post('/api/v1/companies', { name: 'Acme 2', domain: 'acme.test' });
    expect(dup.statusCode).toBe(409);
    expect(
      (await c.post('/api/v1/companies', { name: 'Bad', customFields: { employees: 'many' } })).statusCode,
    ).toBe(400);
    expect((await c.post('/api/v1/companies', { domain: 'x.test' })).statusCode).toBe(400);
    for (const n of ['Beta', 'Gamma', 'Delta']) await c.post('/api/v1/companies', { name: n });
    const p1 = (await c.get('/api/v1/companies?limit=2')).json();
    const p2 = (await c.get(`/api/v1/companies?limit=2&cursor=${p1.nextCursor}`)).json();
    expect([...p1.items, ...p2.items].map((x: { name: string }) => x.name)).toEqual([
      'Acme',
      'Beta',
      'Delta',
      'Gamma',
    ]);
    expect((await c.get('/api/v1/companies?search=acme.t')).json().items).toHaveLength(1);

    const ct = (await c.post('/api/v1/contacts', { firstName: 'Wile', email: 'wile@acme.test' })).json();
    expect(ct.company).toEqual({ id: acme.json().id, name: 'Acme' });
    expect((await c.get(`/api/v1/companies/${acme.json().id}`)).json().contactCount).toBe(1);
    expect(
      (await c.get(`/api/v1/companies/${acme.json().id}/contacts`))
        .json()
        .items.map((x: { id: string }) => x.id),
    ).toEqual([ct.id]);
    expect((await c.delete(`/api/v1/companies/${acme.json().id}`)).statusCode).toBe(204);
    expect((await c.get(`/api/v1/contacts/${ct.id}`)).json().company).toBeNull();
  });

  it('adds, edits and deletes notes; a contact note lands on the timeline', async () => {
    const ct = (await c.post('/api/v1/contacts', { firstName: 'Noted' })).json();
    const note = await c.post(`/api/v1/contacts/${ct.id}/notes`, {
      body: '**Called** them <script>alert(1)</script>',
    });
    expect(note.statusCode).toBe(201);
    expect(note.json().body).toBe('**Called** them <script>alert(1)</script>'); // stored as written; rendered sanitised
    expect((await c.patch(`/api/v1/notes/${note.json().id}`, { body: 'Edited' })).json().body).toBe('Edited');
    const tl = (await c.get(`/api/v1/contacts/${ct.id}/timeline`)).json().items;
    expect(tl[0]).toMatchObject({ type: 'note.added', data: { noteId: note.json().id } });
    expect((await c.post(`/api/v1/contacts/${ct.id}/notes`, { body: '   ' })).statusCode).toBe(400);
    expect((await c.delete(`/api/v1/notes/${note.json().id}`)).statusCode).toBe(204);
    expect((await c.get(`/api/v1/contacts/${ct.id}/notes`)).json().items).toHaveLength(0);
    const co = (await c.post('/api/v1/companies', { name: 'Noted Co' })).json();
    expect((await c.post(`/api/v1/companies/${co.id}/notes`, { body: 'company note' })).statusCode).toBe(201);
    expect((await c.get(`/api/v1/companies/${co.id}/notes`)).json().items).toHaveLength(1);
  });
});
