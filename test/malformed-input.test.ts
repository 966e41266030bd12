import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, createOrg } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/** Malformed input answers 400 naming the field, never 500. */
describe.skipIf(databaseMissing)('malformed input', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let c: ReturnType<typeof client>;
  let contactId: string;

  beforeAll(async () => {
    server = await createTestServer();
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    org = await createOrg(server);
    c = client(server, org.owner);
    for (const f of [
      { label: 'Renewal', key: 'renewal', type: 'date' },
      { label: 'Score', key: 'score', type: 'number' },
    ]) {
      expect((await c.post('/api/v1/fields', { entity: 'contact', ...f })).statusCode).toBe(201);
    }
    contactId = (
      await c.post('/api/v1/contacts', { firstName: 'Ada', customFields: { renewal: '2025-01-31' } })
    ).json().id;
  });
  afterAll(async () => {
    await server?.close();
  });

  const raw = (url: string, body: string) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { origin: server.origin, cookie: org.owner.cookie, 'content-type': 'application/json' },
      payload: body,
    });

  function expect400(res: { statusCode: number; body: string }, ...mentions: Array<string | RegExp>) {
    expect(res.statusCode, res.body.slice(0, 500)).toBe(400);
    const { message } = JSON.parse(res.body).error as { message: string };
    for (const m of mentions) expect(message, res.body.slice(0, 500)).toMatch(m);
  }

  /** `{"and":[{"and":[…{"field":"firstName",…}…]}]}`, `depth` groups deep (built as text: JSON.stringify would overflow). */
  const nested = (depth: number) =>
    `${'{"and":['.repeat(depth)}{"field":"firstName","op":"eq","value":"x"}${']}'.repeat(depth)}`;

  it('refuses a filter nested thousands of levels deep, naming the filter', async () => {
    for (const depth of [7, 5_000, 100_000]) {
      expect400(
        await raw('/api/v1/contacts/search', `{"filter":${nested(depth)}}`),
        /^Invalid body: filter: /,
        /nested too deeply/,
      );
      expect400(
        await raw(
          '/api/v1/contacts/bulk',
          `{"selection":{"filter":${nested(depth)}},"action":{"type":"delete"}}`,
        ),
        /selection\.filter: /,
        /nested too deeply/,
      );
      expect400(
        await raw('/api/v1/exports', `{"kind":"contacts_csv","filter":${nested(depth)}}`),
        /filter: /,
        /nested too deeply/,
      );
      expect400(
        await raw('/api/v1/segments', `{"name":"Deep","filter":${nested(depth)}}`),
        /filter: /,
        /nested too deeply/,
      );
    }
    // As deep as allowed still works.
    const ok = await raw('/api/v1/contacts/search', `{"filter":${nested(6)}}`);
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('refuses a filter with too many conditions, naming the filter', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ field: 'firstName', op: 'eq', value: `n${i}` }));
    expect400(
      await c.post('/api/v1/contacts/search', {
        filter: { or: [{ or: many.slice(0, 50) }, { or: many.slice(50) }] },
      }),
      /filter: /,
      /too many conditions/,
    );
  });

  it('refuses owner ids that are not UUIDs, naming the field', async () => {
    for (const value of [
      '------------------------------------',
      'not-a-uuid',
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    ]) {
      expect400(
        await c.post('/api/v1/contacts/search', { filter: { field: 'owner', op: 'eq', value } }),
        /filter: value must be a member id/,
      );
      expect400(
        await c.post('/api/v1/contacts/search', {
          filter: { and: [{ field: 'owner', op: 'in', value: [org.owner.userId, value] }] },
        }),
        /filter\.and\[0\]\.value\[1\]: value must be a member id/,
      );
      expect400(await c.post('/api/v1/contacts', { firstName: 'X', ownerId: value }), /ownerId/);
      expect400(await c.patch(`/api/v1/contacts/${contactId}`, { ownerId: value }), /ownerId/);
      expect400(
        await c.post('/api/v1/contacts/bulk', {
          selection: { ids: [contactId] },
          action: { type: 'set_owner', ownerId: value },
        }),
        /action\.ownerId/,
      );
    }
  });

  it('refuses dates PostgreSQL cannot hold or nobody can read, naming the field', async () => {
    for (const value of [
      '-271821-04-20',
      '+275760-09-13T00:00:00Z',
      '300000-01-01',
      '0000-01-01',
      '2024-13-45',
      'yesterday',
      '',
      12345,
    ]) {
      for (const op of ['gt', 'lte']) {
        expect400(
          await c.post('/api/v1/contacts/search', { filter: { field: 'createdAt', op, value } }),
          /filter: value must be an ISO date\/time/,
        );
      }
      expect400(
        await c.post('/api/v1/contacts/search', {
          filter: { field: 'updatedAt', op: 'between', value: ['2024-01-01', value] },
        }),
        /filter\.value\[1\]: value must be an ISO date\/time/,
      );
    }
    for (const value of ['300000-01-01', '0000-01-01', '2024-02-30', '31/12/2024']) {
      expect400(
        await c.post('/api/v1/contacts/search', { filter: { field: 'custom.renewal', op: 'gt', value } }),
        /filter: value must be a date/,
      );
      expect400(
        await c.post('/api/v1/contacts', { firstName: 'X', customFields: { renewal: value } }),
        /Renewal \(renewal\) must be a date/,
      );
    }
    for (const value of [
      '2024-01-01',
      '2024-01-01T10:00:00Z',
      '2024-01-01T10:00:00.123+02:00',
      '9999-12-31',
    ]) {
      const res = await c.post('/api/v1/contacts/search', {
        filter: { field: 'createdAt', op: 'lt', value },
      });
      expect(res.statusCode, `${value}: ${res.body}`).toBe(200);
    }
  });

  it('refuses a deeply nested value where a number is expected, without rendering it', async () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    expect400(
      await raw('/api/v1/contacts', `{"firstName":"X","customFields":{"score":${deep}}}`),
      /Score \(score\) must be a number/,
    );
  });
});
