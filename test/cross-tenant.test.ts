import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg, type Session, uniqueEmail } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * Org B's users try org A's ids on every route that takes one: always 404 (existence is not
 * leaked), and nothing changes in org A.
 */
describe.skipIf(databaseMissing)('cross-organisation isolation', () => {
  let server: TestServer;
  let a: Awaited<ReturnType<typeof createOrg>>;
  let b: Awaited<ReturnType<typeof createOrg>>;
  let memberIdA: string;
  let invitationIdA: string;
  beforeAll(async () => {
    server = await createTestServer();
    a = await createOrg(server, ['member']);
    b = await createOrg(server, ['admin']);
    const members = (await client(server, a.owner).get('/api/v1/members')).json().items as {
      id: string;
      userId: string;
    }[];
    memberIdA = members.find((m) => m.userId === a.member!.userId)!.id;
    invitationIdA = (
      await client(server, a.owner).post('/api/v1/invitations', { email: uniqueEmail(), role: 'member' })
    ).json().id;
  });
  afterAll(async () => {
    await server?.close();
  });

  const snapshot = async () =>
    (
      await server.runtime.database.query(
        `select (select json_agg(m order by m.id) from members m where m.org_id = $1) as members,
                (select json_agg(i order by i.id) from invitations i where i.org_id = $1) as invitations,
                (select name from organizations where id = $1) as name`,
        [a.orgId],
      )
    ).rows[0];

  it('answers 404 for org A ids to org B owners and admins, and changes nothing', async () => {
    const before = await snapshot();
    for (const s of [b.owner, b.admin!] as Session[]) {
      const c = client(server, s);
      const attempts = [
        c.patch(`/api/v1/members/${memberIdA}`, { role: 'viewer' }),
        c.delete(`/api/v1/members/${memberIdA}`),
        c.delete(`/api/v1/invitations/${invitationIdA}`),
        c.post('/api/v1/organizations/active', { organizationId: a.orgId }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json().error.code).toBe('NOT_FOUND');
      }
      // Lists only ever show the caller's own organisation.
      const members = (await c.get('/api/v1/members')).json().items as { id: string }[];
      expect(members.map((m) => m.id)).not.toContain(memberIdA);
      const invitations = (await c.get('/api/v1/invitations')).json().items as { id: string }[];
      expect(invitations.map((i) => i.id)).not.toContain(invitationIdA);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a session whose active organisation was tampered with to org A still cannot read it', async () => {
    await server.runtime.database.query(
      `update sessions set active_organization_id = $1 where user_id = $2`,
      [a.orgId, b.owner.userId],
    );
    const res = await client(server, b.owner).get('/api/v1/members');
    const ids = (res.json().items as { userId: string }[]).map((m) => m.userId);
    expect(ids).not.toContain(a.owner.userId);
    expect((await client(server, b.owner).get('/api/v1/me')).json().activeOrganization.id).toBe(b.orgId);
  });

  it('requires a session on every /api/v1 route', async () => {
    const anon = client(server);
    for (const res of await Promise.all([
      anon.get('/api/v1/me'),
      anon.get('/api/v1/members'),
      anon.get('/api/v1/invitations'),
      anon.post('/api/v1/invitations', { email: uniqueEmail(), role: 'member' }),
      anon.get(`/api/v1/invitations/${invitationIdA}/details`),
      anon.post(`/api/v1/invitations/${invitationIdA}/accept`),
    ])) {
      expect(res.statusCode).toBe(401);
    }
  });
});
