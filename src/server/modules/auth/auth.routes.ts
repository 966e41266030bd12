import { APIError } from 'better-auth';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  isBlankPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  WHITESPACE_PASSWORD_MESSAGE,
} from '../../../common/password.js';
import { ROLES } from '../../../common/permissions.js';
import { users } from '../../../db/schema/index.js';
import { type Auth, invitedSignUp } from '../../lib/auth.js';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '../../lib/common-passwords.js';
import type { Deps } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { ipBucket, RateLimiter, rateLimited } from '../../lib/rate-limit.js';
import { errorBody } from '../../plugins/errors.js';
import { resolveSession, toFetchHeaders } from '../../plugins/session.js';
import * as organizations from '../organizations/organizations.service.js';

/** A same-site path such as "/sign-in?verified=1" (never "//evil" or an absolute URL). */
const LocalPath = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[^\s]*$/, 'must be a path on this site, starting with a single /');
const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be a valid email address'));
/** A new password (sign-up, invitation sign-up, reset, change): the shared policy plus the common-password list. */
const NewPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((p) => !isBlankPassword(p), WHITESPACE_PASSWORD_MESSAGE)
  .refine((p) => !isCommonPassword(p), COMMON_PASSWORD_MESSAGE);

const SignUpBody = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  email: Email,
  password: NewPassword,
  ageConfirmed: z.literal(true, { error: 'You must confirm that you are 16 or older' }),
  callbackURL: LocalPath.optional(),
});
const InvitationSignUpBody = z.object({
  invitationId: z.uuid('must be a UUID'),
  name: z.string().trim().min(1, 'is required').max(100),
  password: NewPassword,
  ageConfirmed: z.literal(true, { error: 'You must confirm that you are 16 or older' }),
});
const InvitationPreview = z.object({
  id: z.uuid(),
  organizationName: z.string(),
  inviterName: z.string().nullable(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  status: z.enum(['pending', 'accepted', 'canceled', 'expired']),
  expiresAt: z.date(),
});
const SignInBody = z.object({
  email: Email,
  password: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH),
  callbackURL: LocalPath.optional(),
});
const EmailBody = z.object({ email: Email, callbackURL: LocalPath.optional() });
const ResetRequestBody = z.object({ email: Email, redirectTo: LocalPath.optional() });
const ResetBody = z.object({ newPassword: NewPassword, token: z.string().min(1).max(200) });
const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: NewPassword,
  revokeOtherSessions: z.boolean().optional(),
});
const Empty = z.object({}).optional();
const TokenQuery = z.object({ token: z.string().min(1).max(2000), callbackURL: LocalPath.optional() });
const CallbackQuery = z.object({ callbackURL: LocalPath.optional() });

const TAG = ['Auth'];

/**
 * Session tokens stay in the httpOnly cookie: better-auth also returns them in JSON bodies
 * (sign-in, get-session), where page scripts could read them. Remove them there.
 */
function stripTokens(text: string, contentType: string | null): string {
  if (!contentType?.includes('application/json') || !text.includes('"token"')) return text;
  try {
    const body = JSON.parse(text) as { token?: unknown; session?: { token?: unknown } } | null;
    if (body && typeof body === 'object') {
      delete body.token;
      if (body.session && typeof body.session === 'object') delete body.session.token;
    }
    return JSON.stringify(body);
  } catch {
    return text;
  }
}

/**
 * better-auth served from Fastify, through an allowlist of its endpoints (each with a zod schema
 * and OpenAPI entry). The wrapper adds database-backed rate limits, the session lifetimes,
 * forces "sign out other sessions" on password change, keeps only the session cookie, and
 * rewrites errors into the API's one error format.
 */
export async function authRoutes(app: FastifyInstance, opts: { auth: Auth; deps: Deps }) {
  const { auth, deps } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const limiter = new RateLimiter(deps.database);
  const limits = deps.config.rateLimits;
  const win = limits.windowSeconds;

  async function forward(
    request: FastifyRequest,
    reply: FastifyReply,
    body?: unknown,
    beforeSend?: (status: number) => Promise<void>,
    /** Another better-auth endpoint than the one requested (sign-in after an invitation sign-up). */
    path?: string,
  ) {
    if (request.headers.cookie?.includes('session_token')) {
      await resolveSession(request, auth, deps); // deletes an idle or too-old session first
    }
    const headers = toFetchHeaders(request);
    headers.delete('content-length');
    const url = new URL(path ?? request.url, deps.config.baseUrl);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    if (hasBody) headers.set('content-type', 'application/json');
    const response = await auth.handler(
      new Request(url, {
        method: request.method,
        headers,
        body: hasBody ? JSON.stringify(body ?? {}) : undefined,
      }),
    );
    // Runs before the answer leaves, so a client cannot outpace the bookkeeping.
    if (beforeSend) await beforeSend(response.status);
    reply.status(response.status);
    response.headers.forEach((value, key) => {
      const k = key.toLowerCase();
      if (k === 'set-cookie' || k === 'content-length' || k === 'content-encoding') return;
      reply.header(key, value);
    });
    // Only the session cookie, and the short-lived two-factor sign-in challenge (modules/account):
    // anything else better-auth might set is dropped.
    const cookies = response.headers
      .getSetCookie()
      .filter((c) => /^[^=]*(session_token|two_factor)=/.test(c));
    if (cookies.length > 0) reply.header('set-cookie', cookies);
    const text = await response.text();
    if (response.status >= 400) {
      let code = 'BAD_REQUEST';
      let message = text || response.statusText;
      try {
        const parsed = JSON.parse(text) as { code?: string; message?: string };
        code = parsed.code ?? code;
        message = parsed.message ?? message;
      } catch {
        // not JSON
      }
      // One code for "sign in first" across the API (better-auth says UNAUTHORIZED on some routes).
      if (response.status === 401 && (code === 'BAD_REQUEST' || code === 'UNAUTHORIZED'))
        code = 'UNAUTHENTICATED';
      if (/ORIGIN/.test(code)) {
        // Say which origin the server expects (better-auth only says "Invalid origin").
        const given = request.headers.origin;
        message = `${given ? `Requests from ${given} are not allowed` : 'The request has no Origin header'}: open Moxora at ${deps.config.trustedOrigins.join(' or ')}`;
      }
      reply.header('content-type', 'application/json; charset=utf-8');
      return reply.send(errorBody(request.id, code, message));
    }
    return reply.send(stripTokens(text, response.headers.get('content-type')));
  }

  async function limit(key: string, max: number) {
    if ((await limiter.hit(key, win)) > max) throw rateLimited(win);
  }

  r.post(
    '/api/auth/sign-up/email',
    { schema: { tags: TAG, summary: 'Create an account (sends a verification email)', body: SignUpBody } },
    async (request, reply) => {
      await limit(`signup:ip:${ipBucket(request.ip)}`, limits.signUpPerIp);
      // Per address too: a taken address gets an email each time, which must not become a mail bomb.
      await limit(`signup:acct:${request.body.email}`, limits.resetPerAccount);
      return forward(request, reply, request.body);
    },
  );

  r.get(
    '/api/v1/invitations/:id/preview',
    {
      schema: {
        tags: ['Members'],
        summary:
          'An invitation seen through its link, before signing in (prefills the sign-up form; the address only while pending)',
        params: z.object({ id: z.uuid('must be a UUID') }),
        response: { 200: InvitationPreview },
      },
    },
    async (request) => organizations.getInvitationPreview(deps, request.params.id),
  );

  r.post(
    '/api/auth/sign-up/invitation',
    {
      schema: {
        tags: TAG,
        summary:
          'Create an account through an invitation link: the invited address, verified by the link; joins the organisation (no personal one) and signs in',
        body: InvitationSignUpBody,
      },
    },
    async (request, reply) => {
      await limit(`signup:ip:${ipBucket(request.ip)}`, limits.signUpPerIp);
      const { invitationId, name, password } = request.body;
      const invitation = await organizations.pendingInvitation(deps, invitationId);
      const email = invitation.email;
      const db = deps.database.db;
      const existing = async () =>
        (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]?.id;
      if (await existing()) {
        throw new AppError(
          'CONFLICT',
          'You already have an account with this address: sign in to accept the invitation',
        );
      }
      let created: { user: { id: string } };
      try {
        created = await invitedSignUp.run({ email }, () =>
          auth.api.signUpEmail({ body: { name, email, password, ageConfirmed: true } }),
        );
      } catch (err) {
        if (err instanceof APIError)
          throw new AppError('BAD_REQUEST', err.message || 'Could not create the account');
        throw err;
      }
      // A concurrent sign-up for the same address gets better-auth's look-alike answer, not an account.
      if ((await existing()) !== created.user.id) {
        throw new AppError(
          'CONFLICT',
          'You already have an account with this address: sign in to accept the invitation',
        );
      }
      await organizations.joinByInvitation(deps, invitation, created.user.id);
      return forward(
        request,
        reply,
        { email, password, rememberMe: true },
        undefined,
        '/api/auth/sign-in/email',
      );
    },
  );

  r.post(
    '/api/auth/sign-in/email',
    { schema: { tags: TAG, summary: 'Sign in with email and password', body: SignInBody } },
    async (request, reply) => {
      const ipKey = `signin:ip:${ipBucket(request.ip)}`;
      const accountKey = `signin:acct:${request.body.email}`;
      // Every attempt is counted (one atomic statement per key) BEFORE the password is checked, so
      // concurrent attempts cannot all pass a check made before any of them was counted. The IP
      // comes first: a client over its IP limit does not use up the account's attempts.
      if ((await limiter.hit(ipKey, win)) > limits.signInPerIp) throw rateLimited(win);
      if ((await limiter.hit(accountKey, win)) > limits.signInPerAccount) throw rateLimited(win);
      return forward(request, reply, { ...request.body, rememberMe: true }, async (status) => {
        // Only wrong credentials (401) keep their count: any other answer (signed in, or the right
        // password of an unverified account) gives the attempt back, so people are not locked out
        // by their own sign-ins.
        if (status !== 401) {
          await limiter.undo(ipKey, win);
          await limiter.undo(accountKey, win);
        }
      });
    },
  );

  r.post(
    '/api/auth/sign-out',
    { schema: { tags: TAG, summary: 'Sign out (invalidates the session on the server)', body: Empty } },
    async (request, reply) => forward(request, reply, {}),
  );

  r.post(
    '/api/auth/send-verification-email',
    { schema: { tags: TAG, summary: 'Send the verification email again', body: EmailBody } },
    async (request, reply) => {
      await limit(`verify:ip:${ipBucket(request.ip)}`, limits.resetPerIp);
      await limit(`verify:acct:${request.body.email}`, limits.resetPerAccount);
      return forward(request, reply, request.body);
    },
  );

  r.get(
    '/api/auth/verify-email',
    {
      schema: {
        tags: TAG,
        summary: 'Verify an email address (link from the email)',
        querystring: TokenQuery,
      },
    },
    async (request, reply) => forward(request, reply),
  );

  r.post(
    '/api/auth/request-password-reset',
    {
      schema: {
        tags: TAG,
        summary: 'Email a password-reset link (same answer whether or not the account exists)',
        body: ResetRequestBody,
      },
    },
    async (request, reply) => {
      await limit(`reset:ip:${ipBucket(request.ip)}`, limits.resetPerIp);
      await limit(`reset:acct:${request.body.email}`, limits.resetPerAccount);
      return forward(request, reply, request.body);
    },
  );

  r.get(
    '/api/auth/reset-password/:token',
    {
      schema: {
        tags: TAG,
        summary: 'Password-reset link target: redirects to the reset form with the token',
        params: z.object({ token: z.string().min(1).max(200) }),
        querystring: CallbackQuery,
      },
    },
    async (request, reply) => forward(request, reply),
  );

  r.post(
    '/api/auth/reset-password',
    { schema: { tags: TAG, summary: 'Set a new password with a reset token', body: ResetBody } },
    async (request, reply) => {
      await limit(`resetpw:ip:${ipBucket(request.ip)}`, limits.resetPerIp * 2);
      return forward(request, reply, request.body);
    },
  );

  r.post(
    '/api/auth/change-password',
    {
      schema: {
        tags: TAG,
        summary: "Change the signed-in user's password (signs out their other sessions)",
        body: ChangePasswordBody,
      },
    },
    async (request, reply) => forward(request, reply, { ...request.body, revokeOtherSessions: true }),
  );

  r.post(
    '/api/auth/revoke-sessions',
    { schema: { tags: TAG, summary: 'Sign out everywhere (all sessions of the user)', body: Empty } },
    async (request, reply) => forward(request, reply, {}),
  );
}
