import { sql } from 'drizzle-orm';
import type { Permission, Role } from '../../common/permissions.js';
import { can } from '../../common/permissions.js';
import type { Config } from './config.js';
import type { Database } from './db.js';
import { AppError } from './errors.js';
import type { JobQueue } from './jobs.js';
import { rows } from './sql.js';

/** What every service may use, whoever calls it (HTTP, job, CLI). */
export interface Deps {
  config: Config;
  database: Database;
  jobs: JobQueue;
}

/** The signed-in user without an organisation context (profile, invitations, org switching). */
export interface UserCtx {
  userId: string;
  email: string;
  name: string;
  sessionId?: string;
  deps: Deps;
}

/** The caller inside one organisation: every tenant-scoped service takes this. */
export interface Ctx extends UserCtx {
  orgId: string;
  role: Role;
}

export function assertCan(ctx: Ctx, permission: Permission): void {
  if (!can(ctx.role, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${ctx.role}) does not allow ${permission}`);
  }
}

/**
 * The context a background job acts with: the member who started the work, re-checked now
 * (null when they have left the organisation since).
 */
export async function memberCtx(deps: Deps, orgId: string, userId: string | null): Promise<Ctx | null> {
  if (!userId) return null;
  const [m] = await rows<{ role: Role; name: string; email: string }>(
    deps.database.db,
    sql`select m.role, u.name, u.email from members m join users u on u.id = m.user_id
      where m.org_id = ${orgId} and m.user_id = ${userId}`,
  );
  return m ? { orgId, userId, role: m.role, name: m.name, email: m.email, deps } : null;
}
