import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeOrgId,
  addMember,
  client,
  createOrg,
  createUser,
  signIn,
  uniqueEmail,
} from '../../../../test/helpers/factories.js';
import { waitForMail } from '../../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

// Skipped only when the run has no PostgreSQL (test/helpers/server.ts databaseMissing).
describe.skipIf(databaseMissing)('organisations, members and invitations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports the user, organisations, role and permissions', async () => {
    const { owner, viewer } = await createOrg(server, ['viewer']);
    const me = (await client(server, owner).get('/api/v1/me')).json();
    expect(me.activeOrganization.role).toBe('owner');
    expect(me.permissions).toContain('members:invite');
    const v = (await client(server, viewer).get('/api/v1/me')).json();
    expect(v.activeOrganization.role).toBe('viewer');
    expect(v.permissions).toContain('members:read');
    expect(v.permissions).not.toContain('members:invite');
    expect(v.permissions).not.toContain('contacts:write');
  });

  it('invites by email; the invitee accepts with the invited address and sees the organisation', async () => {
    const { owner, orgId } = await createOrg(server);
    await client(server, owner).patch('/api/v1/organization', { name: 'Acme Rockets' });
    const email = uniqueEmail('teammate');
    const inv = await client(server, owner).post('/api/v1/invitations', {
      email: email.toUpperCase(),
      role: 'member',
    });
    expect(inv.statusCode).toBe(201);
    expect(inv.json()).toMatchObject({ email, role: 'member', status: 'pending' });
    // The organisation's name is in the body only: subjects carry no user-chosen text.
    const mail = await waitForMail(server, email, /^You have been invited to join a team on Moxora$/);
    expect(mail.text).toContain('Acme Rockets');
    const link = mail.links.find((l) => l.includes('/invitations/'))!;
    const id = link.split('/invitations/')[1]!.trim();
    expect(id).toBe(inv.json().id);

    // Duplicate pending invitation → 409.
    expect(
      (await client(server, owner).post('/api/v1/invitations', { email, role: 'viewer' })).statusCode,
    ).toBe(409);

    const teammate = await createUser(server, { email, name: 'Tess Mate' });
    const details = await client(server, teammate).get(`/api/v1/invitations/${id}/details`);
    expect(details.json()).toMatchObject({
      organizationName: 'Acme Rockets',
      role: 'member',
      status: 'pending',
    });
    const accepted = await client(server, teammate).post(`/api/v1/invitations/${id}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ organizationId: orgId });
    const me = (await client(server, teammate).get('/api/v1/me')).json();
    expect(me.activeOrganization).toEqual({ id: orgId, name: 'Acme Rockets', role: 'member' });
    expect(me.organizations).toHaveLength(2); // their own and Acme
    const members = (await client(server, owner).get('/api/v1/members')).json().items;
    expect(members.map((m: { email: string }) => m.email)).toContain(email);
    // Already a member now → inviting again is a conflict.
    expect(
      (await client(server, owner).post('/api/v1/invitations', { email, role: 'viewer' })).statusCode,
    ).toBe(409);
  });

  it('refuses an invitation to anyone but the invited address, and revoked or expired ones', async () => {
    const { owner } = await createOrg(server);
    const invited = uniqueEmail('invited');
    const id = (
      await client(server, owner).post('/api/v1/invitations', { email: invited, role: 'member' })
    ).json().id;
    const intruder = await createUser(server);
    const res = await client(server, intruder).post(`/api/v1/invitations/${id}/accept`);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/another email address/);
    expect((await client(server, intruder).get(`/api/v1/invitations/${id}/details`)).statusCode).toBe(403);
    expect((await client(server, intruder).get('/api/v1/me')).json().organizations).toHaveLength(1);

    // Revoked.
    expect((await client(server, owner).delete(`/api/v1/invitations/${id}`)).statusCode).toBe(204);
    const invitee = await createUser(server, { email: invited });
    expect((await client(server, invitee).post(`/api/v1/invitations/${id}/accept`)).statusCode).toBe(410);

    // Expired.
    const other = uniqueEmail('late');
    const id2 = (
      await client(server, owner).post('/api/v1/invitations', { email: other, role: 'member' })
    ).json().id;
    await server.runtime.database.query(
      `update invitations set expires_at = now() - interval '1 minute' where id = $1`,
      [id2],
    );
    const late = await createUser(server, { email: other });
    const r2 = await client(server, late).post(`/api/v1/invitations/${id2}/accept`);
    expect(r2.statusCode).toBe(410);
    expect(
      (await client(server, owner).get('/api/v1/invitations'))
        .json()
        .items.find((i: { id: string }) => i.id === id2).status,
    ).toBe('expired');
  });

  it('enforces roles: viewers and members cannot invite; admins cannot touch owners; the last owner stays', async () => {
    const { owner, admin, member, viewer, orgId } = await createOrg(server, ['admin', 'member', 'viewer']);
    for (const s of [viewer!, member!]) {
      const r = await client(server, s).post('/api/v1/invitations', { email: uniqueEmail(), role: 'viewer' });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    expect((await client(server, viewer!).patch('/api/v1/organization', { name: 'Nope' })).statusCode).toBe(
      403,
    );
    // Admin cannot create owners nor change an owner.
    expect(
      (await client(server, admin!).post('/api/v1/invitations', { email: uniqueEmail(), role: 'owner' }))
        .statusCode,
    ).toBe(403);
    const members = (await client(server, owner).get('/api/v1/members')).json().items as {
      id: string;
      role: string;
      userId: string;
    }[];
    const ownerRow = members.find((m) => m.role === 'owner')!;
    const viewerRow = members.find((m) => m.role === 'viewer')!;
    expect(
      (await client(server, admin!).patch(`/api/v1/members/${ownerRow.id}`, { role: 'member' })).statusCode,
    ).toBe(403);
    expect((await client(server, admin!).delete(`/api/v1/members/${ownerRow.id}`)).statusCode).toBe(403);
    // Admin can promote a viewer to member.
    const up = await client(server, admin!).patch(`/api/v1/members/${viewerRow.id}`, { role: 'member' });
    expect(up.statusCode).toBe(200);
    expect(up.json().role).toBe('member');
    // The only owner cannot demote or remove themselves.
    expect(
      (await client(server, owner).patch(`/api/v1/members/${ownerRow.id}`, { role: 'admin' })).statusCode,
    ).toBe(409);
    expect((await client(server, owner).delete(`/api/v1/members/${ownerRow.id}`)).statusCode).toBe(409);
    // A viewer cannot remove others but can leave.
    const memberRow = members.find((m) => m.userId === member!.userId)!;
    expect((await client(server, viewer!).delete(`/api/v1/members/${memberRow.id}`)).statusCode).toBe(403);
    expect((await client(server, member!).delete(`/api/v1/members/${memberRow.id}`)).statusCode).toBe(204);
    expect(await activeOrgId(server, member!)).not.toBe(orgId); // falls back to their own organisation
  });

  it('switches between organisations and refuses one the user is not in', async () => {
    const a = await createOrg(server);
    const b = await createOrg(server);
    const created = await client(server, a.owner).post('/api/v1/organizations', { name: 'Second Org' });
    expect(created.statusCode).toBe(201);
    expect(await activeOrgId(server, a.owner)).toBe(created.json().id);
    expect(
      (await client(server, a.owner).post('/api/v1/organizations/active', { organizationId: a.orgId }))
        .statusCode,
    ).toBe(204);
    expect(await activeOrgId(server, a.owner)).toBe(a.orgId);
    const other = await client(server, a.owner).post('/api/v1/organizations/active', {
      organizationId: b.orgId,
    });
    expect(other.statusCode).toBe(404);
    expect(await activeOrgId(server, a.owner)).toBe(a.orgId);
  });

  it('answers 400 for an invalid invitation, a member id that is not a UUID and malformed JSON', async () => {
    const { owner } = await createOrg(server);
    const bad = await client(server, owner).post('/api/v1/invitations', { email: 'nope', role: 'king' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' }, requestId: expect.any(String) });
    expect(
      (await client(server, owner).patch('/api/v1/members/not-a-uuid', { role: 'member' })).statusCode,
    ).toBe(400);
    const badJson = await server.app.inject({
      method: 'POST',
      url: '/api/v1/organizations',
      headers: { cookie: owner.cookie, origin: server.origin, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('BAD_REQUEST');
  });

  it('a removed member loses access at once', async () => {
    const { owner, member } = await createOrg(server, ['member']);
    const rows = (await client(server, owner).get('/api/v1/members')).json().items as {
      id: string;
      userId: string;
    }[];
    await client(server, owner).delete(
      `/api/v1/members/${rows.find((r) => r.userId === member!.userId)!.id}`,
    );
    const me = (await client(server, member!).get('/api/v1/me')).json();
    expect(me.organizations).toHaveLength(1);
    const s = await signIn(server, member!.email, member!.password);
    expect(
      (await client(server, s).get('/api/v1/members'))
        .json()
        .items.every((m: { userId: string }) => m.userId === member!.userId),
    ).toBe(true);
  });
  /** Rows left in every table that has an org_id column, for one organisation. */
  async function rowsOfOrg(orgId: string) {
    const db = server.runtime.database;
    const tables = (
      await db.query<{ table_name: string }>(
        `select table_name from information_schema.columns
          where column_name = 'org_id' and table_schema = 'public' order by table_name`,
      )
    ).rows.map((r) => r.table_name);
    const out: Record<string, number> = {};
    for (const t of tables) {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from "${t}" where org_id = $1`,
        [orgId],
      );
      out[t] = rows[0]!.n;
    }
    return out;
  }

  async function memberRows(owner: { cookie: string }) {
    return (await client(server, owner).get('/api/v1/members')).json().items as {
      id: string;
      userId: string;
      role: string;
    }[];
  }

  async function ownerCount(orgId: string) {
    const { rows } = await server.runtime.database.query<{ n: number }>(
      `select count(*)::int as n from members where org_id = $1 and role = 'owner'`,
      [orgId],
    );
    return rows[0]!.n;
  }

  it('an owner deletes an organisation with everything in it; the session moves to their next organisation', async () => {
    const { owner, orgId: firstOrg } = await createOrg(server);
    const o = client(server, owner);
    const doomed = (await o.post('/api/v1/organizations', { name: 'Doomed Ltd' })).json().id as string;
    expect(await activeOrgId(server, owner)).toBe(doomed);
    // Something in (nearly) every table.
    const company = (await o.post('/api/v1/companies', { name: 'Acme' })).json();
    expect((await o.post('/api/v1/tags', { name: 'VIP' })).statusCode).toBe(201);
    // The contact straight into the table: this test is about the cascade, not the contacts API.
    await server.runtime.database.query(
      `insert into contacts (org_id, first_name, company_id) values ($1, 'Ada', $2)`,
      [doomed, company.id],
    );
    expect((await o.post('/api/v1/segments', { name: 'All', filter: { and: [] } })).statusCode).toBe(201);
    expect((await o.post('/api/v1/api-keys', { name: 'k', scope: 'read' })).statusCode).toBe(201);
    expect((await o.post('/api/v1/invitations', { email: uniqueEmail(), role: 'member' })).statusCode).toBe(
      201,
    );
    const admin = await createUser(server);
    const member = await createUser(server);
    await addMember(server, doomed, admin.userId, 'admin');
    await addMember(server, doomed, member.userId, 'member');
    await client(server, member).post('/api/v1/organizations/active', { organizationId: doomed });
    const before = await rowsOfOrg(doomed);
    expect(before.contacts).toBe(1);
    expect(before.members).toBe(3);

    // Admins and members may not; the owner must confirm with the name.
    for (const s of [admin, member]) {
      const r = await client(server, s).delete(`/api/v1/organizations/${doomed}?confirm=Doomed%20Ltd`);
      expect(r.statusCode).toBe(403);
    }
    const unconfirmed = await o.delete(`/api/v1/organizations/${doomed}`);
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.json().error.code).toBe('CONFIRMATION_REQUIRED');
    expect((await o.delete(`/api/v1/organizations/${doomed}?confirm=Doomed`)).statusCode).toBe(400);

    const deleted = await o.delete(`/api/v1/organizations/${doomed}?confirm=Doomed%20Ltd`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ activeOrganizationId: firstOrg });
    const after = await rowsOfOrg(doomed);
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    const me = (await o.get('/api/v1/me')).json();
    expect(me.activeOrganization.id).toBe(firstOrg);
    expect(me.organizations.map((x: { id: string }) => x.id)).toEqual([firstOrg]);
    // A member whose active organisation vanished lands in their own.
    const m = (await client(server, member).get('/api/v1/me')).json();
    expect(m.activeOrganization.id).not.toBe(doomed);
    expect(m.organizations.some((x: { id: string }) => x.id === doomed)).toBe(false);
    expect((await o.delete(`/api/v1/organizations/${doomed}?confirm=Doomed%20Ltd`)).statusCode).toBe(404);
  });

  it('deleting the last organisation leaves the user signed in with none', async () => {
    const { owner, orgId } = await createOrg(server);
    await client(server, owner).patch('/api/v1/organization', { name: 'Solo' });
    const r = await client(server, owner).delete(`/api/v1/organizations/${orgId}?confirm=Solo`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ activeOrganizationId: null });
    const me = await client(server, owner).get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ organizations: [], activeOrganization: null, permissions: [] });
  });

  it('members leave an organisation; its last owner cannot until someone else is owner', async () => {
    const { owner, admin, member, viewer, orgId } = await createOrg(server, ['admin', 'member', 'viewer']);
    for (const s of [viewer!, member!]) {
      const r = await client(server, s).post(`/api/v1/organizations/${orgId}/leave`);
      expect(r.statusCode).toBe(200);
      expect(r.json().activeOrganizationId).not.toBe(orgId);
      const me = (await client(server, s).get('/api/v1/me')).json();
      expect(me.organizations.some((x: { id: string }) => x.id === orgId)).toBe(false);
      expect(me.activeOrganization.id).toBe(r.json().activeOrganizationId);
    }
    // Leaving twice: no longer a member.
    expect((await client(server, viewer!).post(`/api/v1/organizations/${orgId}/leave`)).statusCode).toBe(404);

    const last = await client(server, owner).post(`/api/v1/organizations/${orgId}/leave`);
    expect(last.statusCode).toBe(409);
    expect(last.json().error.message).toMatch(/last owner.*(owner first|delete the organisation)/);
    expect(await ownerCount(orgId)).toBe(1);

    const adminRow = (await memberRows(owner)).find((m) => m.userId === admin!.userId)!;
    expect(
      (await client(server, owner).patch(`/api/v1/members/${adminRow.id}`, { role: 'owner' })).statusCode,
    ).toBe(200);
    expect((await client(server, owner).post(`/api/v1/organizations/${orgId}/leave`)).statusCode).toBe(200);
    expect((await memberRows(admin!)).map((m) => m.userId)).toEqual([admin!.userId]);
  });

  it('organisation B cannot delete or leave organisation A (404), nor can an API key', async () => {
    const a = await createOrg(server, ['member']);
    const b = await createOrg(server);
    await client(server, a.owner).patch('/api/v1/organization', { name: 'Alpha' });
    const other = client(server, b.owner);
    expect((await other.delete(`/api/v1/organizations/${a.orgId}?confirm=Alpha`)).statusCode).toBe(404);
    expect((await other.post(`/api/v1/organizations/${a.orgId}/leave`)).statusCode).toBe(404);
    expect(
      (await other.delete('/api/v1/organizations/00000000-0000-4000-8000-000000000000')).statusCode,
    ).toBe(404);
    const key = (
      await client(server, a.owner).post('/api/v1/api-keys', { name: 'k', scope: 'read_write' })
    ).json();
    const withKey = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/organizations/${a.orgId}?confirm=Alpha`,
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(withKey.statusCode).toBe(403);
    expect(await ownerCount(a.orgId)).toBe(1);
    expect((await rowsOfOrg(a.orgId)).members).toBe(2);
  });

  it('two owners demoting or removing each other at the same moment leave at least one owner', async () => {
    for (let round = 0; round < 4; round++) {
      const { owner: first, orgId } = await createOrg(server);
      const second = await createUser(server);
      await addMember(server, orgId, second.userId, 'owner');
      await client(server, second).post('/api/v1/organizations/active', { organizationId: orgId });
      const rows = await memberRows(first);
      const rowOf = (s: { userId: string }) => rows.find((m) => m.userId === s.userId)!.id;
      const a = client(server, first);
      const b = client(server, second);
      const attempts =
        round % 2 === 0
          ? [
              a.patch(`/api/v1/members/${rowOf(second)}`, { role: 'admin' }),
              b.patch(`/api/v1/members/${rowOf(first)}`, { role: 'admin' }),
            ]
          : [a.delete(`/api/v1/members/${rowOf(second)}`), b.delete(`/api/v1/members/${rowOf(first)}`)];
      const statuses = (await Promise.all(attempts)).map((r) => r.statusCode).sort();
      expect(await ownerCount(orgId)).toBe(1);
      expect(statuses[0]).toBeLessThan(300);
      expect(statuses[1]).toBeGreaterThanOrEqual(400);

      // Both owners leaving at once: one of them stays.
      const third = await createUser(server);
      await addMember(server, orgId, third.userId, 'owner');
      await client(server, third).post('/api/v1/organizations/active', { organizationId: orgId });
      const remaining = (await memberRows(third)).filter((m) => m.role === 'owner');
      expect(remaining).toHaveLength(2);
      const sessions = [first, second, third].filter((s) => remaining.some((m) => m.userId === s.userId));
      const leaves = await Promise.all(
        sessions.map((s) => client(server, s).post(`/api/v1/organizations/${orgId}/leave`)),
      );
      expect(leaves.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect(await ownerCount(orgId)).toBe(1);
    }
  });
});
