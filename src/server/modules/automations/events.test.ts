import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { waitFor } from '../../../../test/helpers/wait.js';

type Org = Awaited<ReturnType<typeof createOrg>>;

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('custom events (POST /api/v1/events)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  async function contact(org: Org, email = `eve-${randomUUID().slice(0, 8)}@example.com`) {
    const res = await client(server, org.owner).post('/api/v1/contacts', { firstName: 'Eve', email });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id as string, email };
  }
  async function apiKey(org: Org, scope: 'read' | 'read_write' = 'read_write') {
    const res = await client(server, org.owner).post('/api/v1/api-keys', { name: 'Shop', scope });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; key: string };
  }
  function post(auth: { key: string } | { cookie: string }, body: unknown, idempotencyKey?: string) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: {
        origin: server.origin,
        'content-type': 'application/json',
        ...('key' in auth ? { authorization: `Bearer ${auth.key}` } : { cookie: auth.cookie }),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      payload: JSON.stringify(body),
    });
  }
  const customEvents = (contactId: string) =>
    q<{ id: string; data: { name: string; properties: unknown }; actor_type: string; actor_id: string }>(
      `select id, data, actor_type, actor_id from contact_events where contact_id = $1 and type = 'event.custom' order by seq`,
      [contactId],
    );

  it("records the event on the contact's timeline (by id or by email), acting as the API key", async () => {
    const org = await createOrg(server);
    const key = await apiKey(org);
    const eve = await contact(org);
    const byId = await post(key, { contact: { id: eve.id }, name: 'order.paid', properties: { total: 42 } });
    expect(byId.statusCode, byId.body).toBe(202);
    expect(byId.json()).toMatchObject({ contactId: eve.id, name: 'order.paid' });
    const byEmail = await post(key, { contact: { email: eve.email.toUpperCase() }, name: 'login' });
    expect(byEmail.statusCode, byEmail.body).toBe(202);
    expect(byEmail.json().contactId).toBe(eve.id);
    const events = await customEvents(eve.id);
    expect(events).toEqual([
      {
        id: byId.json().id,
        data: { name: 'order.paid', properties: { total: 42 } },
        actor_type: 'apiKey',
        actor_id: key.id,
      },
      {
        id: byEmail.json().id,
        data: { name: 'login', properties: {} },
        actor_type: 'apiKey',
        actor_id: key.id,
      },
    ]);
    // A signed-in member may send one too; the timeline names them.
    const bySession = await post(org.owner, { contact: { id: eve.id }, name: 'called' });
    expect(bySession.statusCode, bySession.body).toBe(202);
    expect((await customEvents(eve.id)).at(-1)).toMatchObject({
      actor_type: 'user',
      actor_id: org.owner.userId,
    });
  });

  it('answers a repeated Idempotency-Key with the first response and one event; another body with that key is a conflict', async () => {
    const org = await createOrg(server);
    const key = await apiKey(org);
    const eve = await contact(org);
    const body = { contact: { id: eve.id }, name: 'trial.started', properties: { plan: 'pro' } };
    const first = await post(key, body, 'order-1');
    const again = await post(key, body, 'order-1');
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    // Concurrent repeats too.
    const burst = await Promise.all([1, 2, 3].map(() => post(key, body, 'order-2')));
    expect(new Set(burst.map((r) => r.json().id)).size).toBe(1);
    expect(await customEvents(eve.id)).toHaveLength(2);
    const conflict = await post(key, { ...body, properties: { plan: 'basic' } }, 'order-1');
    expect(conflict.statusCode).toBe(409);
    // An /emails key of the same text does not collide with an /events key.
    await q(
      `insert into idempotency_keys (org_id, key, request_hash, status_code, response) values ($1, 'shared', 'x', 202, '{}')`,
      [org.orgId],
    );
    expect((await post(key, body, 'shared')).statusCode).toBe(202);
    expect(await customEvents(eve.id)).toHaveLength(3);
  });

  it('refuses unknown and foreign contacts (404), invalid names and oversized properties (400), read-only keys and viewers (403)', async () => {
    const org = await createOrg(server, ['viewer']);
    const other = await createOrg(server);
    const key = await apiKey(org);
    const foreign = await contact(other);
    expect((await post(key, { contact: { id: randomUUID() }, name: 'x' })).statusCode).toBe(404);
    expect((await post(key, { contact: { id: foreign.id }, name: 'x' })).statusCode).toBe(404);
    expect((await post(key, { contact: { email: foreign.email }, name: 'x' })).statusCode).toBe(404);
    const eve = await contact(org);
    expect((await post(key, { contact: { id: eve.id }, name: 'has space' })).statusCode).toBe(400);
    expect((await post(key, { contact: {}, name: 'x' })).statusCode).toBe(400);
    const big = await post(key, {
      contact: { id: eve.id },
      name: 'x',
      properties: { blob: 'a'.repeat(17_000) },
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toContain('16 KB');
    expect((await post(await apiKey(org, 'read'), { contact: { id: eve.id }, name: 'x' })).statusCode).toBe(
      403,
    );
    expect((await post(org.viewer!, { contact: { id: eve.id }, name: 'x' })).statusCode).toBe(403);
    expect(await customEvents(eve.id)).toEqual([]);
    expect(await customEvents(foreign.id)).toEqual([]);
  });

  it('enrols the contact in an automation triggered by the event, with the event as the run context (once per event)', async () => {
    const org = await createOrg(server);
    const key = await apiKey(org);
    const owner = client(server, org.owner);
    const created = await owner.post('/api/v1/automations', {
      name: 'Upgrade',
      definition: {
        nodes: [
          { id: 'start', type: 'trigger', trigger: { type: 'event', name: 'plan.upgraded' } },
          {
            id: 'pro',
            type: 'condition',
            rules: [{ path: 'properties.plan', op: 'eq', value: 'pro' }],
          },
          { id: 'tag', type: 'add_tag', tag: 'pro-customer' },
        ],
        edges: [
          { from: 'start', to: 'pro' },
          { from: 'pro', to: 'tag', exit: 'yes' },
        ],
        settings: { reentry: true },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await owner.post(`/api/v1/automations/${id}/activate`)).statusCode).toBe(200);
    // A restricted contact's event is recorded, but the automation never enrols it.
    const kept = await contact(org);
    await q('update contacts set restricted = true where id = $1', [kept.id]);
    const restricted = { contact: { id: kept.id }, name: 'plan.upgraded', properties: { plan: 'pro' } };
    expect((await post(key, restricted)).statusCode).toBe(202);
    expect(await customEvents(kept.id)).toHaveLength(1);
    const eve = await contact(org);
    const body = { contact: { id: eve.id }, name: 'plan.upgraded', properties: { plan: 'pro' } };
    expect((await post(key, body, 'up-1')).statusCode).toBe(202);
    expect((await post(key, body, 'up-1')).statusCode).toBe(202);
    const run = await waitFor(
      async () => {
        const runs = (await owner.get(`/api/v1/automations/${id}/runs`)).json().items;
        return runs[0]?.state === 'completed' ? runs : undefined;
      },
      { what: 'the event to enrol the contact and the run to complete' },
    );
    expect(run).toHaveLength(1);
    expect(run[0].contact.id).toBe(eve.id);
    const detail = (await owner.get(`/api/v1/runs/${run[0].id}`)).json();
    expect(detail.context).toMatchObject({
      event: { type: 'event.custom', data: { name: 'plan.upgraded', properties: { plan: 'pro' } } },
    });
    expect(
      detail.steps.map((s: { nodeId: string; outcome: string | null }) => [s.nodeId, s.outcome]),
    ).toEqual([
      ['pro', 'yes'],
      ['tag', 'next'],
    ]);
    // The dry run with the same event takes the same path.
    const dry = (
      await owner.post(`/api/v1/automations/${id}/dry-run`, {
        contactId: eve.id,
        event: { type: 'event.custom', data: { name: 'plan.upgraded', properties: { plan: 'basic' } } },
      })
    ).json();
    expect(dry.steps.map((s: { nodeId: string; outcome?: string }) => [s.nodeId, s.outcome])).toEqual([
      ['start', undefined],
      ['pro', 'no'],
    ]);
  });
});
