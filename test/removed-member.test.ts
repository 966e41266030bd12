import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg, type Session, uniqueEmail } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * A member removed while signed in: their session's active organisation is one they no longer
 * belong to. Requests answer 403 "You are no longer a member of <org>" (plugins/session.ts), never
 * silently act in another of their organisations; switching to one of theirs works.
 */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('a member removed while signed in', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function personalOrgOf(member: Session, excluding: string): Promise<string> {
    const { rows } = await server.runtime.database.query<{ org_id: string }>(
      'select org_id from members where user_id = $1 and org_id <> $2',
      [member.userId, excluding],
    );
    return rows[0]!.org_id;
  }

  it('gets 403 naming the organisation, no data of it, and nothing done elsewhere; switching works', async () => {
    const org = await createOrg(server, ['member']);
    const owner = client(server, org.owner);
    const member = org.member!;
    const m = client(server, member);
    await server.runtime.database.query('update organizations set name = $1 where id = $2', [
      'Acme Removal Test',
      org.orgId,
    ]);
    const secret = uniqueEmail('secret');
    expect((await owner.post('/api/v1/contacts', { email: secret, firstName: 'Secret' })).statusCode).toBe(
      201,
    );
    const before = await m.get('/api/v1/contacts');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain(secret);
    const ownOrg = await personalOrgOf(member, org.orgId);

    const list = (await owner.get('/api/v1/members')).json() as {
      items: Array<{ id: string; userId: string }>;
    };
    const row = list.items.find((i) => i.userId === member.userId)!;
    expect((await owner.delete(`/api/v1/members/${row.id}`)).statusCode).toBeLessThan(300);

    // The app's first call: /me says where the session was removed from and moves it nowhere
    // (it once switched the session quietly to the member's own organisation, and every request
    // after it then worked there).
    const me = await m.get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      removedFrom: { id: org.orgId, name: 'Acme Removal Test' },
      activeOrganization: { id: ownOrg },
    });
    expect(me.json().organizations.map((o: { id: string }) => o.id)).toEqual([ownOrg]);
    for (const res of [await m.get('/api/v1/contacts'), await m.get('/api/v1/members')]) {
      expect(res.statusCode).toBe(403);
      const body = res.json() as {
        error: { code: string; message: string; details: Record<string, string> };
      };
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.message).toBe('You are no longer a member of Acme Removal Test');
      expect(body.error.details).toMatchObject({ reason: 'NOT_A_MEMBER', organizationId: org.orgId });
      expect(res.body).not.toContain(secret);
    }
    // A write meant for the old organisation is refused, not made in the member's own one.
    const write = await m.post('/api/v1/contacts', { email: uniqueEmail('stray'), firstName: 'Stray' });
    expect(write.statusCode).toBe(403);
    const { rows } = await server.runtime.database.query<{ n: number }>(
      "select count(*)::int as n from contacts where org_id = $1 and first_name = 'Stray'",
      [ownOrg],
    );
    expect(rows[0]!.n).toBe(0);

    // Switching back to the old organisation is refused (404, as for any organisation not theirs); to their own, it works.
    expect((await m.post('/api/v1/organizations/active', { organizationId: org.orgId })).statusCode).toBe(
      404,
    );
    expect((await m.post('/api/v1/organizations/active', { organizationId: ownOrg })).statusCode).toBe(204);
    const after = await m.get('/api/v1/contacts');
    expect(after.statusCode).toBe(200);
    expect((await m.get('/api/v1/me')).json().removedFrom).toBeNull();
    expect(after.body).not.toContain(secret);
  });

  it('leaving is not being removed: the session moves on (or points nowhere), and /me names nothing', async () => {
    // Leaving through DELETE /members/<own id>: the session moves to the member's own organisation.
    const org = await createOrg(server, ['member', 'viewer']);
    const member = org.member!;
    const ownOrg = await personalOrgOf(member, org.orgId);
    await client(server, member).post('/api/v1/organizations/active', { organizationId: org.orgId });
    const list = (await client(server, member).get('/api/v1/members')).json() as {
      items: Array<{ id: string; userId: string }>;
    };
    const self = list.items.find((i) => i.userId === member.userId)!;
    expect((await client(server, member).delete(`/api/v1/members/${self.id}`)).statusCode).toBe(204);
    const me = (await client(server, member).get('/api/v1/me')).json();
    expect(me).toMatchObject({ removedFrom: null, activeOrganization: { id: ownOrg } });
    expect((await client(server, member).get('/api/v1/contacts')).statusCode).toBe(200);

    // Leaving one's last organisation: no active organisation, not "removed from" it.
    const viewer = org.viewer!;
    const viewerOwn = await personalOrgOf(viewer, org.orgId);
    await client(server, viewer).post('/api/v1/organizations/active', { organizationId: viewerOwn });
    const { rows: named } = await server.runtime.database.query<{ name: string }>(
      'select name from organizations where id = $1',
      [viewerOwn],
    );
    const deleted = await client(server, viewer).delete(
      `/api/v1/organizations/${viewerOwn}?confirm=${encodeURIComponent(named[0]!.name)}`,
    );
    expect(deleted.statusCode).toBe(200);
    await client(server, viewer).post('/api/v1/organizations/active', { organizationId: org.orgId });
    expect((await client(server, viewer).post(`/api/v1/organizations/${org.orgId}/leave`)).statusCode).toBe(
      200,
    );
    expect((await client(server, viewer).get('/api/v1/me')).json()).toMatchObject({
      organizations: [],
      activeOrganization: null,
      removedFrom: null,
    });
  });

  it('still falls back to another organisation when the active one was deleted (nothing to tell)', async () => {
    const org = await createOrg(server, ['member']);
    const member = org.member!;
    const ownOrg = await personalOrgOf(member, org.orgId);
    const { rows: named } = await server.runtime.database.query<{ name: string }>(
      'select name from organizations where id = $1',
      [org.orgId],
    );
    const confirm = encodeURIComponent(named[0]!.name);
    const deleted = await client(server, org.owner).delete(
      `/api/v1/organizations/${org.orgId}?confirm=${confirm}`,
    );
    expect(deleted.statusCode).toBe(200);
    const res = await client(server, member).get('/api/v1/contacts');
    expect(res.statusCode).toBe(200);
    const { rows } = await server.runtime.database.query<{ active_organization_id: string }>(
      'select active_organization_id from sessions where user_id = $1 order by created_at desc limit 1',
      [member.userId],
    );
    expect(rows[0]!.active_organization_id).toBe(ownOrg);
  });
});
