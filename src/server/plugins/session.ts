import { and, eq, lt } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Permission, Role } from '../../common/permissions.js';
import { sessions } from '../../db/schema/index.js';
import type { Auth } from '../lib/auth.js';
import { assertCan, type Ctx, type Deps, orgDeps, type UserCtx } from '../lib/context.js';
import { AppError } from '../lib/errors.js';
import { requiresTwoFactorSetup } from '../modules/account/account.repo.js';
import { authenticateApiKey, roleOfScope } from '../modules/api-keys/api-keys.service.js';
import {
  findMembership,
  findOrganization,
  listOrganizationsOfUser,
  setActiveOrganization,
} from '../modules/organizations/organizations.repo.js';
import { assertSameOrigin } from './security.js';

declare module 'fastify' {
  interface FastifyRequest {
    userCtx?: UserCtx;
    ctx?: Ctx;
    activeOrgId?: string | null;
    apiKey?: { id: string; orgId: string; role: Role };
  }
}

const NO_USER = '00000000-0000-0000-0000-000000000000';

/**
 * The one header better-auth reads the client's address from (lib/auth.ts `ipAddressHeaders`).
 * It always carries `request.ip`, the address Fastify resolved under TRUST_PROXY, so the session's
 * ip_address and our per-IP limits agree; a copy sent by the client is dropped.
 */
export const CLIENT_IP_HEADER = 'x-moxora-client-ip';

/** Converts Fastify's headers into Fetch headers for better-auth (with the resolved client address). */
export function toFetchHeaders(request: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const k = key.toLowerCase();
    // Forwarding headers were read by Fastify (or ignored, when no proxy is trusted): never by better-auth.
    if (k === CLIENT_IP_HEADER || k === 'x-forwarded-for' || k === 'x-real-ip' || k === 'forwarded') continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else headers.set(key, String(value));
  }
  if (request.ip) headers.set(CLIENT_IP_HEADER, request.ip);
  return headers;
}

const TOUCH_EVERY_MS = 60_000;

export interface SessionInfo {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  activeOrganizationId: string | null;
}

/**
 * Reads the session behind the request's cookie and enforces its two lifetimes: absolute
 * (createdAt + max age, also the cookie's expiry) and idle (no request for SESSION_IDLE_HOURS).
 * An expired session is deleted, so the cookie stops working everywhere.
 */
export async function resolveSession(
  request: FastifyRequest,
  auth: Auth,
  deps: Deps,
): Promise<SessionInfo | null> {
  if (!request.headers.cookie?.includes('session_token')) return null;
  const result = await auth.api.getSession({ headers: toFetchHeaders(request) });
  if (!result) return null;
  const { session, user } = result;
  const now = Date.now();
  const { maxAgeSeconds, idleSeconds } = deps.config.session;
  const created = new Date(session.createdAt).getTime();
  const lastSeen = new Date(session.updatedAt).getTime();
  if (now - created > maxAgeSeconds * 1000 || now - lastSeen > idleSeconds * 1000) {
    await deps.database.db.delete(sessions).where(eq(sessions.id, session.id));
    return null;
  }
  if (now - lastSeen > TOUCH_EVERY_MS) {
    await deps.database.db
      .update(sessions)
      .set({ updatedAt: new Date(now) })
      .where(and(eq(sessions.id, session.id), lt(sessions.updatedAt, new Date(now))));
  }
  return {
    sessionId: session.id,
    userId: user.id,
    email: user.email,
    name: user.name,
    activeOrganizationId: (session as { activeOrganizationId?: string | null }).activeOrganizationId ?? null,
  };
}

/**
 * An organisation whose owner requires two-factor sign-in refuses members who have it off
 * (403 TWO_FACTOR_REQUIRED; the web app sends them to the account security page, whose routes
 * need no organisation). API keys are not affected: they never reach this check.
 */
export async function assertTwoFactorPolicy(deps: Deps, orgId: string, userId: string) {
  if (await requiresTwoFactorSetup(deps.database.db, orgId, userId)) {
    throw new AppError(
      'TWO_FACTOR_REQUIRED',
      'This organisation requires two-factor sign-in: set it up on your account security page first',
    );
  }
}

export function createGuards(auth: Auth, deps: Deps) {
  /** An `Authorization: Bearer mox_…` API key: acts inside its organisation with its scope's role. */
  const authenticateKey = async (request: FastifyRequest, header: string) => {
    const key = await authenticateApiKey(deps.database, header.slice(7).trim());
    if (!key) throw new AppError('UNAUTHENTICATED', 'Invalid or revoked API key');
    request.apiKey = { id: key.id, orgId: key.org_id, role: roleOfScope(key.scope) };
    request.userCtx = { userId: key.created_by ?? NO_USER, email: '', name: `API key: ${key.name}`, deps };
    request.activeOrgId = key.org_id;
  };

  /** Requires a signed-in user (session cookie). Sets request.userCtx. */
  const authenticate: preHandlerAsyncHookHandler = async (request: FastifyRequest, _reply: FastifyReply) => {
    if (request.headers.authorization?.startsWith('Bearer ')) {
      throw new AppError('FORBIDDEN', 'API keys cannot be used for account and organisation management');
    }
    assertSameOrigin(request, deps.config);
    const info = await resolveSession(request, auth, deps);
    if (!info) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    request.userCtx = {
      userId: info.userId,
      email: info.email,
      name: info.name,
      sessionId: info.sessionId,
      deps,
    };
    request.activeOrgId = info.activeOrganizationId;
  };

  /** Resolves the active organisation and the caller's role in it. Sets request.ctx. */
  const withOrganization: preHandlerAsyncHookHandler = async (request) => {
    const user = request.userCtx;
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    if (request.apiKey) {
      // The key acts as itself (the timeline names it), with its scope's role.
      request.ctx = {
        ...user,
        orgId: request.apiKey.orgId,
        role: request.apiKey.role,
        actor: { type: 'apiKey', id: request.apiKey.id },
        deps: orgDeps(deps, request.apiKey.orgId),
      };
      return;
    }
    const db = deps.database.db;
    let orgId = request.activeOrgId ?? null;
    let membership = orgId ? await findMembership(db, orgId, user.userId) : undefined;
    if (!membership && orgId) {
      // Removed from an organisation that still exists: say so, never act in another one instead.
      const org = await findOrganization(db, orgId);
      if (org) {
        throw new AppError('FORBIDDEN', `You are no longer a member of ${org.name}`, {
          reason: 'NOT_A_MEMBER',
          organizationId: org.id,
          organizationName: org.name,
        });
      }
    }
    if (!membership) {
      // The active organisation was deleted, or none was set yet: fall back to another one.
      const [first] = await listOrganizationsOfUser(db, user.userId);
      if (!first) throw new AppError('FORBIDDEN', 'You are not a member of any organisation');
      orgId = first.id;
      membership = await findMembership(db, orgId, user.userId);
      if (!membership) throw new AppError('FORBIDDEN', 'You are not a member of any organisation');
      if (user.sessionId) await setActiveOrganization(db, user.sessionId, user.userId, orgId);
      request.activeOrgId = orgId;
    }
    await assertTwoFactorPolicy(deps, orgId!, user.userId);
    request.ctx = {
      ...user,
      orgId: orgId!,
      role: membership.role,
      actor: { type: 'user', id: user.userId },
      deps: orgDeps(deps, orgId!),
    };
  };

  /** Session or (unless allowApiKey is false) API key, then the organisation, then the permission. */
  function requirePermission(
    permission: Permission,
    opts: { allowApiKey?: boolean } = {},
  ): preHandlerAsyncHookHandler[] {
    const allowApiKey = opts.allowApiKey ?? true;
    return [
      async (request, reply) => {
        const header = request.headers.authorization;
        if (header?.startsWith('Bearer ')) {
          if (!allowApiKey)
            throw new AppError('FORBIDDEN', 'This endpoint needs a signed-in user, not an API key');
          return authenticateKey(request, header);
        }
        return authenticate.call(request.server, request, reply);
      },
      withOrganization,
      async (request) => {
        assertCan(request.ctx!, permission);
      },
    ];
  }

  return { authenticate, withOrganization, requirePermission };
}

export type Guards = ReturnType<typeof createGuards>;
