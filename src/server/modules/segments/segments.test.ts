import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

describe.skipIf(databaseMissing)('segments', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Contacts straight into the table: these tests are about segments, not the contacts API. */
  async function seed(orgId: string, names: string[]) {
    for (const name of names) {
      await server.runtime.database.query('insert into contacts (org_id, first_name) values ($1, $2)', [
        orgId,
        name,
      ]);
    }
  }

  it("changes a segment's conditions (validated like on create) and its live count follows", async () => {
    const { owner, member, viewer, orgId } = await createOrg(server, ['member', 'viewer']);
    await seed(orgId, ['Ada', 'Alan', 'Grace']);
    const c = client(server, member!);
    const seg = (
      await c.post('/api/v1/segments', {
        name: 'A names',
        filter: { field: 'firstName', op: 'starts_with', value: 'A' },
      })
    ).json();
    expect((await c.get(`/api/v1/segments/${seg.id}/count`)).json()).toEqual({ count: 2 });

    const next = { or: [{ field: 'firstName', op: 'eq', value: 'Grace' }] };
    const changed = await c.patch(`/api/v1/segments/${seg.id}`, { filter: next });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ id: seg.id, name: 'A names', filter: next });
    expect((await c.get(`/api/v1/segments/${seg.id}`)).json().filter).toEqual(next);
    expect((await c.get(`/api/v1/segments/${seg.id}/count`)).json()).toEqual({ count: 1 });

    // Name and filter together.
    const both = await client(server, owner).patch(`/api/v1/segments/${seg.id}`, {
      name: 'Everyone',
      filter: { and: [] },
    });
    expect(both.json()).toMatchObject({ name: 'Everyone', filter: { and: [] } });
    expect((await c.get(`/api/v1/segments/${seg.id}/count`)).json()).toEqual({ count: 3 });

    // Invalid expressions are refused, naming the problem, and change nothing.
    const unknownField = await c.patch(`/api/v1/segments/${seg.id}`, {
      filter: { field: 'nope', op: 'eq', value: 1 },
    });
    expect(unknownField.statusCode).toBe(400);
    const badOperator = await c.patch(`/api/v1/segments/${seg.id}`, {
      filter: { field: 'firstName', op: 'resembles', value: 'A' },
    });
    expect(badOperator.statusCode).toBe(400);
    expect(badOperator.json().error.code).toBe('VALIDATION_FAILED');
    const wrongType = await c.patch(`/api/v1/segments/${seg.id}`, {
      filter: { field: 'firstName', op: 'gt', value: 3 },
    });
    expect(wrongType.statusCode).toBe(400);
    expect((await c.get(`/api/v1/segments/${seg.id}`)).json().filter).toEqual({ and: [] });

    // Viewers may look, not change; another organisation sees nothing.
    expect(
      (await client(server, viewer!).patch(`/api/v1/segments/${seg.id}`, { filter: next })).statusCode,
    ).toBe(403);
    const other = await createOrg(server);
    expect(
      (await client(server, other.owner).patch(`/api/v1/segments/${seg.id}`, { filter: next })).statusCode,
    ).toBe(404);
    expect((await c.get(`/api/v1/segments/${seg.id}`)).json().filter).toEqual({ and: [] });
  });
});
