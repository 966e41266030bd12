import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg, type Session, uniqueEmail } from './helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from './helpers/server.js';

/**
 * Members, invitations and the active organisation across organisations. (Every route that
 * takes an id is also tried across organisations, signed out and as a viewer by
 * route-coverage.test.ts.)
 */
// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)(
  'cross-organisation isolation: members, invitations, active organisation',
  () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await createTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    /** Organisation A with a member and a pending invitation; organisation B with an admin. */
    async function twoOrganisations() {
      const a = await createOrg(server, ['member']);
      const b = await createOrg(server, ['admin']);
      const members = (await client(server, a.owner).get('/api/v1/members')).json().items as {
        id: string;
        userId: string;
      }[];
      const memberIdA = members.find((m) => m.userId === a.member!.userId)!.id;
      const invitationIdA = (
        await client(server, a.owner).post('/api/v1/invitations', { email: uniqueEmail(), role: 'member' })
      ).json().id as string;
      return { a, b, memberIdA, invitationIdA };
    }

    const snapshot = async (orgId: string) =>
      (
        await server.runtime.database.query(
          `select (select json_agg(m order by m.id) from members m where m.org_id = $1) as members,
                (select json_agg(i order by i.id) from invitations i where i.org_id = $1) as invitations,
                (select name from organizations where id = $1) as name`,
          [orgId],
        )
      ).rows[0];

    it("answers 404 to org B's owner and admin for org A's member, invitation and organisation ids, and org A stays unchanged", async () => {
      const { a, b, memberIdA, invitationIdA } = await twoOrganisations();
      const before = await snapshot(a.orgId);
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
      }
      expect(await snapshot(a.orgId)).toEqual(before);
    });

    it("lists only the caller's own organisation's members and invitations", async () => {
      const { b, memberIdA, invitationIdA } = await twoOrganisations();
      for (const s of [b.owner, b.admin!] as Session[]) {
        const c = client(server, s);
        const members = (await c.get('/api/v1/members')).json().items as { id: string }[];
        expect(members.map((m) => m.id)).not.toContain(memberIdA);
        const invitations = (await c.get('/api/v1/invitations')).json().items as { id: string }[];
        expect(invitations.map((i) => i.id)).not.toContain(invitationIdA);
      }
    });

    it('never shows org A to a session whose active organisation was set to org A in the database', async () => {
      const { a, b } = await twoOrganisations();
      await server.runtime.database.query(
        `update sessions set active_organization_id = $1 where user_id = $2`,
        [a.orgId, b.owner.userId],
      );
      // Not a member of A: 403 (plugins/session.ts), neither A's data nor a silent switch to B.
      const refused = await client(server, b.owner).get('/api/v1/members');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain(a.owner.userId);
      // /me moves the session nowhere by itself: it says where it points (the shell shows B)…
      const me = (await client(server, b.owner).get('/api/v1/me')).json();
      expect(me.activeOrganization.id).toBe(b.orgId);
      expect(me.removedFrom.id).toBe(a.orgId);
      expect(me.organizations.map((o: { id: string }) => o.id)).toEqual([b.orgId]);
      expect((await client(server, b.owner).get('/api/v1/members')).statusCode).toBe(403);
      // …until the user chooses B; never A's data on the way.
      const switched = await client(server, b.owner).post('/api/v1/organizations/active', {
        organizationId: b.orgId,
      });
      expect(switched.statusCode).toBe(204);
      const res = await client(server, b.owner).get('/api/v1/members');
      expect(res.statusCode).toBe(200);
      const ids = (res.json().items as { userId: string }[]).map((m) => m.userId);
      expect(ids).not.toContain(a.owner.userId);
      expect(ids).toContain(b.owner.userId);
    });
  },
);
