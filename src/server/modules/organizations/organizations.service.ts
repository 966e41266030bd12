import { eq } from 'drizzle-orm';
import {
  assignableRoles,
  can,
  type Permission,
  permissionsOf,
  type Role,
} from '../../../common/permissions.js';
import { users } from '../../../db/schema/index.js';
import { invitationEmail } from '../../emails/system.js';
import { assertCan, type Ctx, type Deps, orgDeps, type UserCtx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, notFound } from '../../lib/errors.js';
import { RateLimiter, rateLimited } from '../../lib/rate-limit.js';
import { revokeKeysOf } from '../api-keys/api-keys.service.js';
import { sendMailJob } from '../mail/mail.jobs.js';
import * as repo from './organizations.repo.js';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The user's organisations and the active one: the session's choice while the user is still a
 * member of it, else their first organisation (remembered for the session), else none.
 * A user removed from the session's organisation (it still exists) is not moved anywhere:
 * `removedFrom` names it, every organisation route answers 403 NOT_A_MEMBER, and the user
 * chooses where to go (the web app asks), as issue 11 requires. `activeOrganization` then shows
 * the first of their organisations, so that the app can draw its shell.
 */
export async function getMe(ctx: UserCtx, activeOrgId: string | null) {
  const db = ctx.deps.database.db;
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, emailVerified: users.emailVerified })
    .from(users)
    .where(eq(users.id, ctx.userId));
  if (!user) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists');
  const organizations = (await repo.listOrganizationsOfUser(db, ctx.userId)).map((o) => ({
    ...o,
    role: o.role as Role,
  }));
  const current = organizations.find((o) => o.id === activeOrgId);
  const removedFrom =
    !current && activeOrgId ? ((await repo.findOrganization(db, activeOrgId)) ?? null) : null;
  const active = current ?? organizations[0] ?? null;
  if (active && active.id !== activeOrgId && !removedFrom && ctx.sessionId) {
    await repo.setActiveOrganization(db, ctx.sessionId, ctx.userId, active.id);
  }
  return {
    user,
    organizations,
    activeOrganization: active,
    permissions: active ? permissionsOf(active.role) : [],
    removedFrom,
  };
}

export async function updateProfile(ctx: UserCtx, input: { name: string }) {
  await ctx.deps.database.db
    .update(users)
    .set({ name: input.name, updatedAt: new Date() })
    .where(eq(users.id, ctx.userId));
}

export async function createOrganization(ctx: UserCtx, input: { name: string }) {
  const db = ctx.deps.database.db;
  const org = await repo.createOrganizationWithOwner(db, ctx.userId, input.name);
  if (ctx.sessionId) await repo.setActiveOrganization(db, ctx.sessionId, ctx.userId, org.id);
  return { id: org.id, name: org.name, role: 'owner' as const };
}

export async function switchOrganization(ctx: UserCtx, input: { organizationId: string }) {
  const db = ctx.deps.database.db;
  const membership = await repo.findMembership(db, input.organizationId, ctx.userId);
  if (!membership) throw notFound('Organization');
  if (ctx.sessionId) await repo.setActiveOrganization(db, ctx.sessionId, ctx.userId, input.organizationId);
}

export async function renameOrganization(ctx: Ctx, input: { name: string }) {
  assertCan(ctx, 'org:update');
  const row = await repo.renameOrganization(ctx.deps.database.db, ctx.orgId, input.name);
  if (!row) throw notFound('Organization');
  return row;
}

export async function listMembers(ctx: Ctx) {
  assertCan(ctx, 'members:read');
  return repo.listMembers(ctx.deps.database.db, ctx.orgId);
}

const LAST_OWNER = 'An organisation needs at least one owner: make someone else owner first';

/** Who acts on a membership: enough to find them in the organisation (users and their sessions). */
type MemberScope = Pick<Ctx, 'orgId' | 'userId' | 'deps'>;

function assertRoleCan(role: Role, permission: Permission) {
  if (!can(role, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${role}) does not allow ${permission}`);
  }
}

/** The caller's role now, read inside the membership lock (it may have changed since the request began). */
async function currentRole(db: Db, ctx: MemberScope): Promise<Role> {
  const membership = await repo.findMembership(db, ctx.orgId, ctx.userId);
  if (!membership) throw notFound('Organization');
  return membership.role;
}

export async function changeMemberRole(ctx: Ctx, memberId: string, input: { role: Role }) {
  assertCan(ctx, 'members:update');
  return repo.withMembershipLock(ctx.deps.database.db, ctx.orgId, async (tx) => {
    const actor = { role: await currentRole(tx, ctx) };
    assertRoleCan(actor.role, 'members:update');
    const target = await repo.findMember(tx, ctx.orgId, memberId);
    if (!target) throw notFound('Member');
    if (target.role === input.role) return target;
    if (target.role === 'owner' && actor.role !== 'owner') {
      throw new AppError('FORBIDDEN', 'Only an owner can change the role of an owner');
    }
    if (!assignableRoles(actor.role).includes(input.role)) {
      throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot grant the role ${input.role}`);
    }
    if (target.role === 'owner' && (await repo.countOwners(tx, ctx.orgId)) <= 1) {
      throw new AppError('CONFLICT', LAST_OWNER);
    }
    await repo.updateMemberRole(tx, ctx.orgId, memberId, input.role);
    return { ...target, role: input.role };
  });
}

/** Removes a member (or, when the target is the caller, lets them leave). Keeps at least one owner. */
/**
 * `user`: the caller with the unbound database (their other organisations are not visible to
 * `ctx`, which row-level security binds to this one).
 */
export async function removeMember(ctx: Ctx, memberId: string, user: UserCtx) {
  const removed = await removeMembership(ctx, memberId);
  // Removing oneself is leaving: this session moves on, as with /leave (not "removed from").
  if (removed === user.userId) await moveSessionOff(user, ctx.orgId, ctx.orgId);
}

/** Returns the user id of the member removed. */
async function removeMembership(ctx: MemberScope, memberId: string): Promise<string> {
  return repo.withMembershipLock(ctx.deps.database.db, ctx.orgId, async (tx) => {
    const target = await repo.findMember(tx, ctx.orgId, memberId);
    if (!target) throw notFound('Member');
    const leaving = target.userId === ctx.userId;
    if (!leaving) {
      const actor = { role: await currentRole(tx, ctx) };
      assertRoleCan(actor.role, 'members:remove');
      if (target.role === 'owner' && actor.role !== 'owner') {
        throw new AppError('FORBIDDEN', 'Only an owner can remove an owner');
      }
    }
    if (target.role === 'owner' && (await repo.countOwners(tx, ctx.orgId)) <= 1) {
      throw new AppError(
        'CONFLICT',
        leaving
          ? 'You are the last owner of this organisation: make another member owner first, or delete the organisation'
          : LAST_OWNER,
      );
    }
    // Keys still belonging to them stop working (an admin re-homes a key to keep it).
    await revokeKeysOf(tx, ctx.orgId, target.userId);
    await repo.deleteMember(tx, ctx.orgId, memberId);
    return target.userId;
  });
}

/** After leaving or deleting `goneOrgId`: this session moves to the user's next organisation (or none). */
async function moveSessionOff(ctx: UserCtx, goneOrgId: string, activeOrgId: string | null) {
  const db = ctx.deps.database.db;
  const [next] = await repo.listOrganizationsOfUser(db, ctx.userId);
  if (ctx.sessionId && (activeOrgId === goneOrgId || activeOrgId === null)) {
    // With none left, the session points nowhere (not at the organisation the user just left,
    // which /me would otherwise report as one they were removed from).
    await repo.setActiveOrganization(db, ctx.sessionId, ctx.userId, next?.id ?? null);
  }
  const active = activeOrgId === goneOrgId || activeOrgId === null ? (next?.id ?? null) : activeOrgId;
  return { activeOrganizationId: active };
}

/** Any member may leave an organisation; its last owner may not (409: transfer ownership or delete it). */
export async function leaveOrganization(ctx: UserCtx, orgId: string, activeOrgId: string | null) {
  const membership = await repo.findMembership(ctx.deps.database.db, orgId, ctx.userId);
  if (!membership) throw notFound('Organization');
  await removeMembership({ ...ctx, orgId, deps: orgDeps(ctx.deps, orgId) }, membership.id);
  return moveSessionOff(ctx, orgId, activeOrgId);
}

/**
 * Deletes an organisation and everything in it (every org_id foreign key cascades). Owners only,
 * and only with `confirm` equal to the organisation's name, so a stray request cannot do it.
 */
export async function deleteOrganization(
  ctx: UserCtx,
  orgId: string,
  input: { confirm?: string | undefined },
  activeOrgId: string | null,
) {
  const db = ctx.deps.database.db;
  const membership = await repo.findMembership(db, orgId, ctx.userId);
  if (!membership) throw notFound('Organization');
  assertRoleCan(membership.role, 'org:delete');
  if ((input.confirm ?? '').trim() !== membership.orgName) {
    throw new AppError(
      'CONFIRMATION_REQUIRED',
      "Type the organisation's name to confirm that it should be deleted",
      {
        issues: [{ path: ['confirm'], message: "does not match the organisation's name" }],
      },
    );
  }
  if (!(await repo.deleteOrganization(db, orgId))) throw notFound('Organization');
  return moveSessionOff(ctx, orgId, activeOrgId);
}

function presentInvitation<T extends { status: string; expiresAt: Date }>(row: T) {
  const expired = row.status === 'pending' && row.expiresAt.getTime() <= Date.now();
  return {
    ...row,
    status: (expired ? 'expired' : row.status) as 'pending' | 'accepted' | 'canceled' | 'expired',
  };
}

export async function listInvitations(ctx: Ctx) {
  assertCan(ctx, 'members:read');
  const rows = await repo.listInvitations(ctx.deps.database.db, ctx.orgId);
  return rows.map((r) => {
    const { orgId: _o, ...rest } = presentInvitation(r);
    return { ...rest, role: r.role as Role, inviterName: r.inviterName ?? null };
  });
}

export async function inviteMember(ctx: Ctx, input: { email: string; role: Role }) {
  assertCan(ctx, 'members:invite');
  if (!assignableRoles(ctx.role).includes(input.role)) {
    throw new AppError('FORBIDDEN', `Your role (${ctx.role}) cannot invite someone as ${input.role}`);
  }
  const db = ctx.deps.database.db;
  const email = input.email.trim().toLowerCase();
  if (await repo.isEmailMember(db, ctx.orgId, email)) {
    throw new AppError('CONFLICT', `${email} is already a member of this organisation`);
  }
  if (await repo.hasPendingInvitation(db, ctx.orgId, email)) {
    throw new AppError('CONFLICT', `${email} already has a pending invitation`);
  }
  // Each invitation mails an address nobody in the organisation has proved they own: at most
  // RATE_LIMIT_INVITATIONS_PER_ORG per organisation per hour, counted in the database (all processes).
  const perHour = ctx.deps.config.rateLimits.invitationsPerOrg;
  if ((await new RateLimiter(ctx.deps.database).hit(`invite:org:${ctx.orgId}`, 3600)) > perHour) {
    throw rateLimited(3600);
  }
  const membership = await repo.findMembership(db, ctx.orgId, ctx.userId);
  // The invitation and its mail job commit together: no invitation without its mail.
  const row = await db.transaction(async (tx) => {
    const created = await repo.insertInvitation(tx, ctx.orgId, {
      email,
      role: input.role,
      inviterId: ctx.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    const url = `${ctx.deps.config.baseUrl}/invitations/${created.id}`;
    await ctx.deps.jobs.send(
      sendMailJob,
      {
        ...invitationEmail(email, ctx.name, membership?.orgName ?? 'an organisation', input.role, url),
        kind: 'invitation',
      },
      { tx },
    );
    return created;
  });
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    status: 'pending' as const,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    inviterName: ctx.name,
  };
}

export async function revokeInvitation(ctx: Ctx, id: string) {
  assertCan(ctx, 'members:invite');
  const db = ctx.deps.database.db;
  const row = await repo.findInvitation(db, ctx.orgId, id);
  if (!row) throw notFound('Invitation');
  if (row.status !== 'pending') {
    throw new AppError('CONFLICT', `This invitation is already ${row.status}`);
  }
  await repo.cancelInvitation(db, ctx.orgId, id);
}

/** The invitee's view: found only by id, and shown only to the invited address. */
async function loadOwnInvitation(ctx: UserCtx, id: string) {
  const row = await repo.findInvitationForInvitee(ctx.deps.database.db, id);
  if (!row) throw notFound('Invitation');
  if (row.email.toLowerCase() !== ctx.email.toLowerCase()) {
    throw new AppError(
      'FORBIDDEN',
      `This invitation was sent to another email address. Sign in as the invited address to accept it.`,
    );
  }
  return row;
}

export async function getInvitationDetails(ctx: UserCtx, id: string) {
  const row = presentInvitation(await loadOwnInvitation(ctx, id));
  return {
    id: row.id,
    organizationName: row.organizationName,
    inviterName: row.inviterName ?? null,
    email: row.email,
    role: row.role as Role,
    status: row.status,
    expiresAt: row.expiresAt,
  };
}

export async function acceptInvitation(ctx: UserCtx, id: string) {
  const db = ctx.deps.database.db;
  const row = await loadOwnInvitation(ctx, id);
  const status = presentInvitation(row).status;
  if (status === 'accepted' && (await repo.findMembership(db, row.orgId, ctx.userId))) {
    return { organizationId: row.orgId };
  }
  if (status !== 'pending') throw new AppError('GONE', `This invitation is ${status}`);
  const ok = await repo.acceptInvitation(db, row.orgId, row.id, ctx.userId, row.role as Role);
  if (!ok) throw new AppError('GONE', 'This invitation is no longer valid');
  if (ctx.sessionId) await repo.setActiveOrganization(db, ctx.sessionId, ctx.userId, row.orgId);
  return { organizationId: row.orgId };
}

/**
 * What the sign-up page shows before there is an account: the invitation link itself is the
 * credential (a random id sent only to the invited address), so it may reveal that address to
 * prefill the form. The address is only given while the invitation is pending.
 */
export async function getInvitationPreview(deps: Deps, id: string) {
  const found = await repo.findInvitationForInvitee(deps.database.db, id);
  if (!found) throw notFound('Invitation');
  const row = presentInvitation(found);
  return {
    id: row.id,
    organizationName: row.organizationName,
    inviterName: row.inviterName ?? null,
    email: row.status === 'pending' ? row.email : null,
    role: row.role as Role,
    status: row.status,
    expiresAt: row.expiresAt,
  };
}

/** The pending invitation behind a sign-up link (404 unknown, 410 no longer pending). */
export async function pendingInvitation(deps: Deps, id: string) {
  const row = await repo.findInvitationForInvitee(deps.database.db, id);
  if (!row) throw notFound('Invitation');
  const status = presentInvitation(row).status;
  if (status !== 'pending') throw new AppError('GONE', `This invitation is ${status}`);
  return { id: row.id, orgId: row.orgId, email: row.email.toLowerCase(), role: row.role as Role };
}

/** A user who just signed up through the invitation joins its organisation (it becomes their first). */
export async function joinByInvitation(
  deps: Deps,
  invitation: { id: string; orgId: string; role: Role },
  userId: string,
) {
  const ok = await repo.acceptInvitation(
    deps.database.db,
    invitation.orgId,
    invitation.id,
    userId,
    invitation.role,
  );
  if (!ok) throw new AppError('GONE', 'This invitation is no longer valid');
}
