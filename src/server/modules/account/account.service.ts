import type { UserCtx } from '../../lib/context.js';
import { notFound } from '../../lib/errors.js';
import { organizationsRequiringTwoFactor } from '../organizations/organizations.security.js';
import * as repo from './account.repo.js';

/** Sessions of the signed-in user; `current` marks the one making the request. */
export async function listSessions(ctx: UserCtx) {
  const rows = await repo.listSessionsOfUser(ctx.deps.database.db, ctx.userId);
  return rows.map((r) => ({ ...r, current: r.id === ctx.sessionId }));
}

/** Signs out one of the user's sessions (another user's id answers 404, like an unknown one). */
export async function revokeSession(ctx: UserCtx, sessionId: string) {
  if (!(await repo.deleteSessionOfUser(ctx.deps.database.db, ctx.userId, sessionId)))
    throw notFound('Session');
}

/** Signs out every session of the user but the one making the request. */
export async function revokeOtherSessions(ctx: UserCtx) {
  const keep = ctx.sessionId ?? '00000000-0000-0000-0000-000000000000';
  return { revoked: await repo.deleteOtherSessionsOfUser(ctx.deps.database.db, ctx.userId, keep) };
}

export async function getSecurity(ctx: UserCtx) {
  const db = ctx.deps.database.db;
  const state = await repo.twoFactorStateOfUser(db, ctx.userId);
  return {
    twoFactorEnabled: state.enabled,
    twoFactorPendingSetup: state.pendingSetup,
    /** The user's organisations that require it (the page says why it asks). */
    requiredBy: await organizationsRequiringTwoFactor(db, ctx.userId),
  };
}
