import { and, eq, sql } from 'drizzle-orm';
import { members, organizations, users } from '../../../db/schema/index.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError, forbidden, notFound } from '../../lib/errors.js';

/** The organisation's sign-in policy ("Require two-factor sign-in for every member"). */

async function readPolicy(db: Db, orgId: string) {
  const [org] = await db
    .select({ requireTwoFactor: organizations.requireTwoFactor })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  if (!org) return undefined;
  const [off] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.orgId, orgId), eq(users.twoFactorEnabled, false)));
  return { requireTwoFactor: org.requireTwoFactor, membersWithoutTwoFactor: Number(off?.n ?? 0) };
}

export async function getSecurityPolicy(ctx: Ctx) {
  assertCan(ctx, 'org:read');
  const row = await readPolicy(ctx.deps.database.db, ctx.orgId);
  if (!row) throw notFound('Organization');
  return row;
}

/**
 * Owners only. Turning the requirement on needs the owner's own two-factor sign-in first, so the
 * owner never locks themselves out of the settings that would turn it off again.
 */
export async function updateSecurityPolicy(ctx: Ctx, input: { requireTwoFactor: boolean }) {
  assertCan(ctx, 'org:update');
  if (ctx.role !== 'owner') throw forbidden('Only owners can change the sign-in policy');
  const db = ctx.deps.database.db;
  if (input.requireTwoFactor) {
    const [me] = await db
      .select({ enabled: users.twoFactorEnabled })
      .from(users)
      .where(eq(users.id, ctx.userId));
    if (!me?.enabled) {
      throw new AppError(
        'CONFLICT',
        'Turn on two-factor sign-in for your own account first (account security page)',
      );
    }
  }
  await db
    .update(organizations)
    .set({ requireTwoFactor: input.requireTwoFactor, updatedAt: new Date() })
    .where(eq(organizations.id, ctx.orgId));
  const row = await readPolicy(db, ctx.orgId);
  if (!row) throw notFound('Organization');
  return row;
}

/** The user's organisations that require two-factor sign-in (for the account security page). */
export async function organizationsRequiringTwoFactor(db: Db, userId: string) {
  return db
    .select({ id: organizations.id, name: organizations.name })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(eq(members.userId, userId), eq(organizations.requireTwoFactor, true)))
    .orderBy(organizations.name);
}
