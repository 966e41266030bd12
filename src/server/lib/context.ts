import type { Permission, Role } from '../../common/permissions.js';
import { can } from '../../common/permissions.js';
import type { Config } from './config.js';
import type { Database } from './db.js';
import { AppError } from './errors.js';
import type { JobQueue } from './jobs.js';

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
