import { and, desc, eq, ne } from 'drizzle-orm';
import { organizations, sessions, twoFactors, users } from '../../../db/schema/index.js';
import type { Db } from '../../lib/db.js';

/** The user's own sessions, newest activity first. Every query is scoped by userId. */
export function listSessionsOfUser(db: Db, userId: string) {
  return db
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      ipAddress: sessions.ipAddress,
      createdAt: sessions.createdAt,
      lastActiveAt: sessions.updatedAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(desc(sessions.updatedAt), desc(sessions.createdAt));
}

/** Deletes one of the user's sessions; answers whether there was one. */
export async function deleteSessionOfUser(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Deletes every session of the user except `keepId`; answers how many. */
export async function deleteOtherSessionsOfUser(db: Db, userId: string, keepId: string): Promise<number> {
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepId)))
    .returning({ id: sessions.id });
  return rows.length;
}

/** Whether two-factor sign-in is on, and whether a setup waits for its first code. */
export async function twoFactorStateOfUser(db: Db, userId: string) {
  const [row] = await db
    .select({ enabled: users.twoFactorEnabled, verified: twoFactors.verified })
    .from(users)
    .leftJoin(twoFactors, eq(twoFactors.userId, users.id))
    .where(eq(users.id, userId));
  return {
    enabled: row?.enabled ?? false,
    pendingSetup: !row?.enabled && row?.verified === false,
  };
}

/**
 * True when the organisation requires two-factor sign-in and the user has it off.
 * Used by the session guard (403 TWO_FACTOR_REQUIRED) and by GET /api/v1/me.
 */
export async function requiresTwoFactorSetup(db: Db, orgId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ required: organizations.requireTwoFactor, enabled: users.twoFactorEnabled })
    .from(organizations)
    .innerJoin(users, eq(users.id, userId))
    .where(eq(organizations.id, orgId));
  return Boolean(row?.required && !row.enabled);
}
