import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { waitFor } from '../../../../test/helpers/wait.js';

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('in-app notifications', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const notify = async (orgId: string, userId: string, title: string) =>
    (
      await server.runtime.database.query<{ id: string }>(
        `insert into notifications (org_id, user_id, title, body, link) values ($1, $2, $3, 'Body', '/contacts') returning id`,
        [orgId, userId, title],
      )
    ).rows[0]!.id;

  it("lists the signed-in user's notifications in the organisation, newest first, and marks them read", async () => {
    const org = await createOrg(server, ['viewer']);
    const other = await createOrg(server);
    const first = await notify(org.orgId, org.viewer!.userId, 'First');
    const second = await notify(org.orgId, org.viewer!.userId, 'Second');
    const ownersOwn = await notify(org.orgId, org.owner.userId, 'For the owner');
    await notify(other.orgId, other.owner.userId, 'Elsewhere');
    const viewer = client(server, org.viewer!);
    const list = (await viewer.get('/api/v1/notifications')).json();
    expect(list.unread).toBe(2);
    expect(list.items).toEqual([
      {
        id: second,
        title: 'Second',
        body: 'Body',
        link: '/contacts',
        createdAt: expect.any(String),
        readAt: null,
      },
      expect.objectContaining({ id: first, title: 'First', readAt: null }),
    ]);
    // A viewer may mark their own notifications read.
    expect((await viewer.post(`/api/v1/notifications/${first}/read`)).statusCode).toBe(204);
    const after = (await viewer.get('/api/v1/notifications')).json();
    expect(after.unread).toBe(1);
    expect(after.items[1].readAt).not.toBeNull();
    expect(
      (await viewer.get('/api/v1/notifications?unread=true')).json().items.map((n: { id: string }) => n.id),
    ).toEqual([second]);
    // Someone else's notification, another organisation's or none at all: 404.
    expect((await viewer.post(`/api/v1/notifications/${ownersOwn}/read`)).statusCode).toBe(404);
    expect((await client(server, other.owner).post(`/api/v1/notifications/${second}/read`)).statusCode).toBe(
      404,
    );
    expect((await viewer.post(`/api/v1/notifications/${randomUUID()}/read`)).statusCode).toBe(404);
    expect((await viewer.post('/api/v1/notifications/read-all')).statusCode).toBe(204);
    expect((await viewer.get('/api/v1/notifications')).json().unread).toBe(0);
    expect((await client(server, org.owner).get('/api/v1/notifications')).json().unread).toBe(1);
  });

  it('refuses API keys (403): they have no inbox', async () => {
    const org = await createOrg(server);
    const key = (
      await client(server, org.owner).post('/api/v1/api-keys', { name: 'k', scope: 'read_write' })
    ).json().key;
    const res = await server.app.inject({
      method: 'GET',
      url: '/api/v1/notifications',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(403);
  });

  it("a workflow's notify step reaches the member's inbox", async () => {
    const org = await createOrg(server, ['member']);
    const owner = client(server, org.owner);
    const created = await owner.post('/api/v1/automations', {
      name: 'Hot lead',
      definition: {
        nodes: [
          { id: 'start', type: 'trigger', trigger: { type: 'manual' } },
          { id: 'ping', type: 'notify', userId: org.member!.userId, message: 'Call them today' },
        ],
        edges: [{ from: 'start', to: 'ping' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await owner.post(`/api/v1/automations/${id}/activate`)).statusCode).toBe(200);
    const person = (
      await owner.post('/api/v1/contacts', { firstName: 'Lead', email: 'lead@example.com' })
    ).json().id;
    expect(
      (await owner.post(`/api/v1/automations/${id}/enrol`, { contactIds: [person] })).json().enrolled,
    ).toBe(1);
    const member = client(server, org.member!);
    const inbox = await waitFor(
      async () => {
        const r = (await member.get('/api/v1/notifications')).json();
        return r.unread > 0 ? r : undefined;
      },
      { what: 'the notification' },
    );
    expect(inbox.items[0]).toMatchObject({
      title: 'Hot lead: Lead',
      body: 'Call them today',
      link: `/contacts/${person}`,
    });
  });
});
