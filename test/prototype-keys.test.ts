import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, createOrg } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * Names that every plain object inherits ("constructor", "toString", "__proto__"…) used as field
 * names, sort keys, export columns, bulk targets or custom-field keys: each is an ordinary
 * unknown name (400 naming it), or, for a custom field really keyed "constructor", an ordinary
 * field. Before, lookups in plain objects found Object.prototype's members: 500s or skipped checks.
 */
describe.skipIf(databaseMissing)('prototype keys as names', () => {
  let server: TestServer;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let c: ReturnType<typeof client>;
  const PROTO_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

  beforeAll(async () => {
    server = await createTestServer();
  });
  // Each test gets its own organisation (and data): no test sees what another one made.
  beforeEach(async () => {
    org = await createOrg(server);
    c = client(server, org.owner);
  });
  afterAll(async () => {
    await server?.close();
  });

  const raw = (method: 'POST' | 'PATCH', url: string, body: string) =>
    server.app.inject({
      method,
      url,
      headers: { origin: server.origin, cookie: org.owner.cookie, 'content-type': 'application/json' },
      payload: body,
    });

  function expect400(res: { statusCode: number; body: string }, ...mentions: string[]) {
    expect(res.statusCode, res.body).toBe(400);
    const { message } = JSON.parse(res.body).error as { message: string };
    for (const m of mentions) expect(message, res.body).toContain(m);
  }

  it('refuses them as filter fields, naming the field', async () => {
    for (const field of PROTO_KEYS) {
      expect400(
        await c.post('/api/v1/contacts/search', { filter: { field, op: 'eq', value: 'x' } }),
        'filter',
        `unknown field ${field}`,
      );
      expect400(
        await c.post('/api/v1/contacts/search', {
          filter: { and: [{ field: `custom.${field}`, op: 'eq', value: 'x' }] },
        }),
        'filter.and[0]',
        `custom.${field}`,
      );
    }
  });

  it('refuses them as sort keys, naming the sort', async () => {
    for (const key of PROTO_KEYS) {
      for (const sort of [key, `-${key}`, `custom.${key}`]) {
        expect400(await c.get(`/api/v1/contacts?sort=${encodeURIComponent(sort)}`), 'sort', key);
        expect400(await c.post('/api/v1/contacts/search', { sort }), 'sort', key);
      }
    }
  });

  it('refuses them as export columns', async () => {
    for (const col of [...PROTO_KEYS, ...PROTO_KEYS.map((k) => `custom.${k}`)]) {
      expect400(
        await c.post('/api/v1/exports', { kind: 'contacts_csv', columns: ['email', col] }),
        'columns',
        col,
      );
    }
  });

  it('refuses them as bulk set_field targets', async () => {
    const ct = (await c.post('/api/v1/contacts', { firstName: 'Bulk', lastName: 'Target' })).json();
    for (const field of [...PROTO_KEYS, ...PROTO_KEYS.map((k) => `custom.${k}`)]) {
      expect400(
        await c.post('/api/v1/contacts/bulk', {
          selection: { ids: [ct.id] },
          action: { type: 'set_field', field, value: 'x' },
        }),
        'action.field',
        field,
      );
    }
  });

  it('refuses __proto__ as a custom-field key or a key in any JSON body, naming it', async () => {
    expect400(
      await c.post('/api/v1/fields', { entity: 'contact', label: 'Proto', key: '__proto__', type: 'text' }),
      'key',
    );
    expect400(
      await raw(
        'POST',
        '/api/v1/contacts',
        '{"firstName":"P","customFields":{"__proto__":{"polluted":true}}}',
      ),
      'customFields.__proto__',
    );
    expect400(
      await raw('POST', '/api/v1/contacts', '{"firstName":"P","customFields":{"\\u005f_proto__":"x"}}'),
      'customFields.__proto__',
    );
    expect400(
      await raw('POST', '/api/v1/contacts/search', '{"filter":{"and":[{"__proto__":{"field":"email"}}]}}'),
      'filter.and.0.__proto__',
    );
    expect400(
      await raw('POST', '/api/v1/contacts', '{"firstName":"P","constructor":{"prototype":{"x":1}}}'),
      'constructor.prototype',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still an ordinary 400 for JSON that does not parse.
    expect400(await raw('POST', '/api/v1/contacts', '{"firstName":'), 'not valid JSON');
  });

  it('treats a custom field keyed "constructor" as an ordinary field: required means required', async () => {
    const field = await c.post('/api/v1/fields', {
      entity: 'contact',
      label: 'Constructor',
      key: 'constructor',
      type: 'text',
      required: true,
    });
    expect(field.statusCode, field.body).toBe(201);
    try {
      expect400(
        await c.post('/api/v1/contacts', { firstName: 'No value' }),
        'Constructor (constructor) is required',
      );
      expect400(
        await c.post('/api/v1/contacts', { firstName: 'Null', customFields: { constructor: null } }),
        'Constructor (constructor) is required',
      );
      const made = await c.post('/api/v1/contacts', {
        firstName: 'Built',
        customFields: { constructor: 'Brunel' },
      });
      expect(made.statusCode, made.body).toBe(201);
      expect(made.json().customFields).toEqual({ constructor: 'Brunel' });
      expect400(
        await c.patch(`/api/v1/contacts/${made.json().id}`, { customFields: { constructor: null } }),
        'Constructor (constructor) is required',
      );
      const found = await c.post('/api/v1/contacts/search', {
        filter: { field: 'custom.constructor', op: 'eq', value: 'brunel' },
        sort: 'custom.constructor',
      });
      expect(found.statusCode, found.body).toBe(200);
      expect(found.json().items.map((i: { id: string }) => i.id)).toEqual([made.json().id]);
    } finally {
      await server.runtime.database.query('delete from field_definitions where id = $1', [field.json().id]);
    }
  });
});
