import { sql } from 'drizzle-orm';
import { type Actor, SYSTEM_ACTOR } from '../../common/events.js';
import type { Permission, Role } from '../../common/permissions.js';
import { can } from '../../common/permissions.js';
import type { Config } from './config.js';
import type { Keyring } from './crypto.js';
import type { Database } from './db.js';
import { AppError } from './errors.js';
import type { EventBus } from './events.js';
import type { JobQueue } from './jobs.js';
import { rows } from './sql.js';

/** What every service may use, whoever calls it (HTTP, job, CLI). */
export interface Deps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  /** The event bus: writers call `events.kick()` after a commit that recorded events. */
  events?: EventBus;
  /** Encryption of stored secrets and signing of email tokens. */
  keys: Keyring;
  /** The send runner of this process (when it runs workers): `kick()` after queueing mail. */
  sender?: { kick(): void };
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
  /**
   * Who is acting (recorded on the timeline), separate from authorisation (`role`): a user, an
   * API key acting as itself, the system, an automation or an import.
   */
  actor: Actor;
}

/**
 * The dependencies of work done inside one organisation: the same, with the database bound to it
 * (row-level security, decision 012). Every Ctx carries these; cached per organisation.
 */
export function orgDeps(deps: Deps, orgId: string): Deps {
  if (deps.database.orgId === orgId) return deps;
  let byOrg = boundDeps.get(deps);
  if (!byOrg) {
    byOrg = new Map();
    boundDeps.set(deps, byOrg);
  }
  let d = byOrg.get(orgId);
  if (!d) {
    if (byOrg.size >= 1000) byOrg.clear();
    d = { ...deps, database: deps.database.forOrg(orgId) };
    byOrg.set(orgId, d);
  }
  return d;
}
const boundDeps = new WeakMap<Deps, Map<string, Deps>>();

export function assertCan(ctx: Ctx, permission: Permission): void {
  if (!can(ctx.role, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${ctx.role}) does not allow ${permission}`);
  }
}

/**
 * The context a background job acts with. The work was authorised when it was requested, so it
 * runs even when the member who started it has left since: as that member while they are still
 * one (with their current role, which the job re-checks), otherwise as the system. `actor`
 * overrides who the timeline names (an import names itself, an API key itself).
 */
export async function jobCtx(
  deps: Deps,
  orgId: string,
  startedBy: string | null,
  actor?: Actor,
): Promise<Ctx> {
  const [m] = startedBy
    ? await rows<{ role: Role; name: string; email: string }>(
        deps.database.db,
        sql`select m.role, u.name, u.email from members m join users u on u.id = m.user_id
          where m.org_id = ${orgId} and m.user_id = ${startedBy}`,
      )
    : [];
  if (m) {
    return {
      orgId,
      userId: startedBy!,
      role: m.role,
      name: m.name,
      email: m.email,
      deps: orgDeps(deps, orgId),
      actor: actor ?? { type: 'user', id: startedBy },
    };
  }
  return systemCtx(deps, orgId, actor);
}

/** The system acting inside one organisation (cascades, recovery, jobs whose requester left). */
export function systemCtx(deps: Deps, orgId: string, actor: Actor = SYSTEM_ACTOR): Ctx {
  return {
    orgId,
    userId: NO_USER,
    role: 'admin',
    name: 'Moxora',
    email: '',
    deps: orgDeps(deps, orgId),
    actor,
  };
}

/** `userId` of a context that is not a signed-in user (system, API key without an owner). */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

/** The user id to store in a `created_by`/`author_id` column (null for non-users). */
export const userIdOf = (ctx: Ctx | UserCtx): string | null => (ctx.userId === NO_USER ? null : ctx.userId);
