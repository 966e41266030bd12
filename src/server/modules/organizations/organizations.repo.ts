import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Role } from '../../../common/permissions.js';
import { invitations, members, organizations, sessions, users } from '../../../db/schema/index.js';
import type { Db } from '../../lib/db.js';

/** Drizzle queries for organisations, members and invitations. Tenant functions take orgId. */

export async function createOrganizationWithOwner(db: Db, userId: string, name: string) {
  return db.transaction(async (tx) => {
    const [org] = await tx.insert(organizations).values({ name }).returning();
    await tx.insert(members).values({ orgId: org!.id, userId, role: 'owner' });
    return org!;
  });
}

export async function listOrganizationsOfUser(db: Db, userId: string) {
  return db
    .select({ id: organizations.id, name: organizations.name, role: members.role })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(eq(members.userId, userId))
    .orderBy(asc(organizations.name), asc(organizations.id));
}

export async function findMembership(db: Db, orgId: string, userId: string) {
  const [row] = await db
    .select({ id: members.id, role: members.role, orgName: organizations.name })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(eq(members.orgId, orgId), eq(members.userId, userId)));
  return row ? { ...row, role: row.role as Role } : undefined;
}

/** An organisation's id and name (no membership check: the caller decides what it may show). */
export async function findOrganization(db: Db, orgId: string) {
  const [org] = await db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  return org;
}

/** `null`: no active organisation (the user left their last one). */
export async function setActiveOrganization(db: Db, sessionId: string, userId: string, orgId: string | null) {
  await db
    .update(sessions)
    .set({ activeOrganizationId: orgId })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
}

export async function renameOrganization(db: Db, orgId: string, name: string) {
  const [row] = await db
    .update(organizations)
    .set({ name, updatedAt: new Date() })
    .where(eq(organizations.id, orgId))
    .returning({ id: organizations.id, name: organizations.name });
  return row;
}

export async function listMembers(db: Db, orgId: string) {
  const rows = await db
    .select({
      id: members.id,
      userId: members.userId,
      name: users.name,
      email: users.email,
      role: members.role,
      createdAt: members.createdAt,
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.orgId, orgId))
    .orderBy(asc(members.createdAt), asc(members.id));
  return rows.map((r) => ({ ...r, role: r.role as Role }));
}

export async function findMember(db: Db, orgId: string, memberId: string) {
  const [row] = await db
    .select({
      id: members.id,
      userId: members.userId,
      name: users.name,
      email: users.email,
      role: members.role,
      createdAt: members.createdAt,
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.orgId, orgId), eq(members.id, memberId)));
  return row ? { ...row, role: row.role as Role } : undefined;
}

/**
 * Runs `fn` in a transaction that holds a row lock on the organisation, so membership changes
 * of one organisation happen one at a time: the roles and owner count read inside are current
 * until commit. This is what keeps "at least one owner" true when two owners demote or remove
 * each other at the same moment.
 */
export async function withMembershipLock<T>(db: Db, orgId: string, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .for('update');
    return fn(tx);
  });
}

export async function deleteOrganization(db: Db, orgId: string) {
  // Every org_id foreign key cascades; sessions that had it active fall back to another organisation.
  const rows = await db
    .delete(organizations)
    .where(eq(organizations.id, orgId))
    .returning({ id: organizations.id });
  return rows.length > 0;
}

export async function countOwners(db: Db, orgId: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(members)
    .where(and(eq(members.orgId, orgId), eq(members.role, 'owner')));
  return row?.n ?? 0;
}

export async function updateMemberRole(db: Db, orgId: string, memberId: string, role: Role) {
  await db
    .update(members)
    .set({ role })
    .where(and(eq(members.orgId, orgId), eq(members.id, memberId)));
}

export async function deleteMember(db: Db, orgId: string, memberId: string) {
  await db.delete(members).where(and(eq(members.orgId, orgId), eq(members.id, memberId)));
}

export async function isEmailMember(db: Db, orgId: string, email: string) {
  const [row] = await db
    .select({ id: members.id })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.orgId, orgId), eq(users.email, email)));
  return Boolean(row);
}

const invitationColumns = {
  id: invitations.id,
  orgId: invitations.orgId,
  email: invitations.email,
  role: invitations.role,
  status: invitations.status,
  expiresAt: invitations.expiresAt,
  createdAt: invitations.createdAt,
  inviterName: users.name,
};

export async function listInvitations(db: Db, orgId: string) {
  return db
    .select(invitationColumns)
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.inviterId))
    .where(eq(invitations.orgId, orgId))
    .orderBy(desc(invitations.createdAt))
    .limit(500);
}

export async function findInvitation(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select(invitationColumns)
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.inviterId))
    .where(and(eq(invitations.orgId, orgId), eq(invitations.id, id)));
  return row;
}

/**
 * The one lookup by invitation id alone: the invitee is not a member yet, so there is no
 * orgId to scope by. Callers must check that the invitation's email is the caller's.
 */
export async function findInvitationForInvitee(db: Db, id: string) {
  const [row] = await db
    .select({ ...invitationColumns, organizationName: organizations.name })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(users, eq(users.id, invitations.inviterId))
    .where(eq(invitations.id, id));
  return row;
}

export async function hasPendingInvitation(db: Db, orgId: string, email: string) {
  const [row] = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, orgId),
        sql`lower(${invitations.email}) = ${email}`,
        eq(invitations.status, 'pending'),
        sql`${invitations.expiresAt} > now()`,
      ),
    );
  return Boolean(row);
}

export async function insertInvitation(
  db: Db,
  orgId: string,
  v: { email: string; role: Role; inviterId: string; expiresAt: Date },
) {
  return db.transaction(async (tx) => {
    // An expired pending invitation for the same address gives way to the new one.
    await tx
      .update(invitations)
      .set({ status: 'canceled' })
      .where(
        and(
          eq(invitations.orgId, orgId),
          sql`lower(${invitations.email}) = ${v.email}`,
          eq(invitations.status, 'pending'),
        ),
      );
    const [row] = await tx
      .insert(invitations)
      .values({ orgId, ...v })
      .returning();
    return row!;
  });
}

export async function cancelInvitation(db: Db, orgId: string, id: string) {
  const rows = await db
    .update(invitations)
    .set({ status: 'canceled' })
    .where(and(eq(invitations.orgId, orgId), eq(invitations.id, id), eq(invitations.status, 'pending')))
    .returning({ id: invitations.id });
  return rows.length > 0;
}

/** Accepts atomically: the invitation flips from pending exactly once, then the membership is added. */
export async function acceptInvitation(db: Db, orgId: string, id: string, userId: string, role: Role) {
  return db.transaction(async (tx) => {
    const flipped = await tx
      .update(invitations)
      .set({ status: 'accepted', acceptedBy: userId, acceptedAt: new Date() })
      .where(
        and(
          eq(invitations.orgId, orgId),
          eq(invitations.id, id),
          eq(invitations.status, 'pending'),
          sql`${invitations.expiresAt} > now()`,
        ),
      )
      .returning({ id: invitations.id });
    if (flipped.length === 0) return false;
    await tx.insert(members).values({ orgId, userId, role }).onConflictDoNothing();
    return true;
  });
}
