import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeOrgId,
  client,
  createOrg,
  createUser,
  signIn,
  uniqueEmail,
} from '../../../../test/helpers/factories.js';
import { waitForMail } from '../../../../test/helpers/outbox.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

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
    const mail = await waitForMail(server, email, /Acme Rockets/);
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

  it('validates input with clear errors', async () => {
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
});
