import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiErrorBody } from '../../../common/errors.js';
import { PASSWORD_MAX_LENGTH } from '../../../common/password.js';
import type { Auth } from '../../lib/auth.js';
import type { Deps } from '../../lib/context.js';
import { RateLimiter, rateLimited } from '../../lib/rate-limit.js';
import { errorBody } from '../../plugins/errors.js';
import { type Guards, resolveSession, toFetchHeaders } from '../../plugins/session.js';
import * as service from './account.service.js';

const Password = z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH);
const PasswordBody = z.object({ password: Password });
const TotpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');
const RecoveryCode = z.string().trim().min(1, 'is required').max(40);

const Session = z.object({
  id: z.uuid(),
  userAgent: z.string().nullable(),
  ipAddress: z.string().nullable(),
  createdAt: z.date(),
  lastActiveAt: z.date(),
  expiresAt: z.date(),
  current: z.boolean(),
});
const Security = z.object({
  twoFactorEnabled: z.boolean(),
  twoFactorPendingSetup: z.boolean(),
  requiredBy: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
const Verified = z.object({ ok: z.literal(true), user: z.object({ id: z.uuid(), email: z.string() }) });

const TAG = ['Account'];

/**
 * The account's own security: two-factor sign-in (better-auth's twoFactor plugin, served through
 * an allowlist like modules/auth) and the list of the user's sessions. Nothing here needs an
 * organisation, so a member of an organisation that requires two-factor sign-in can set it up.
 */
export async function accountRoutes(app: FastifyInstance, opts: { auth: Auth; deps: Deps; guards: Guards }) {
  const { auth, deps, guards } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const limiter = new RateLimiter(deps.database);
  const win = deps.config.rateLimits.windowSeconds;

  /**
   * Calls one better-auth endpoint with the request's cookies. Passes on only the session cookie
   * and the sign-in challenge cookie (two_factor); session tokens never reach the JSON body.
   * Errors leave in the API's one error format; success answers better-auth's JSON, parsed.
   */
  async function forward(request: FastifyRequest, reply: FastifyReply, path: string, body: unknown) {
    if (request.headers.cookie?.includes('session_token')) {
      await resolveSession(request, auth, deps); // deletes an idle or too-old session first
    }
    const headers = toFetchHeaders(request);
    headers.delete('content-length');
    headers.set('content-type', 'application/json');
    const response = await auth.handler(
      new Request(new URL(path, deps.config.baseUrl), {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      }),
    );
    const cookies = response.headers
      .getSetCookie()
      .filter((c) => /^[^=]*(session_token|two_factor)=/.test(c));
    if (cookies.length > 0) reply.header('set-cookie', cookies);
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not JSON
    }
    if (response.status >= 400) {
      let code = typeof json.code === 'string' ? json.code : 'BAD_REQUEST';
      if (response.status === 401 && (code === 'BAD_REQUEST' || code === 'UNAUTHORIZED'))
        code = 'UNAUTHENTICATED';
      const message = typeof json.message === 'string' ? json.message : response.statusText;
      return { ok: false, error: errorBody(request.id, code, message), status: response.status } as const;
    }
    delete json.token;
    return { ok: true, json } as const;
  }

  /** Sends a forwarded error in the API's error format. */
  function sendError(reply: FastifyReply, failed: { error: ApiErrorBody; status: number }) {
    return reply
      .status(failed.status)
      .header('content-type', 'application/json; charset=utf-8')
      .serializer(JSON.stringify)
      .send(failed.error);
  }

  /**
   * A code check (sign-in step or setup confirmation). better-auth ends a sign-in challenge after
   * 5 wrong codes and locks the account's second factor for 15 minutes after 10 in a row; on top,
   * wrong codes count per client address in the database like failed sign-ins.
   */
  async function verifyCode(request: FastifyRequest, reply: FastifyReply, path: string, code: string) {
    const ipKey = `2fa:ip:${request.ip}`;
    if ((await limiter.peek(ipKey, win)) >= deps.config.rateLimits.signInPerIp) throw rateLimited(win);
    const result = await forward(request, reply, path, { code });
    if (!result.ok) {
      if (result.status === 401) await limiter.hit(ipKey, win);
      return sendError(reply, result);
    }
    const user = result.json.user as { id: string; email: string };
    return { ok: true as const, user: { id: user.id, email: user.email } };
  }

  r.get(
    '/api/v1/account/security',
    {
      schema: {
        tags: TAG,
        summary: 'Two-factor sign-in state of the signed-in user',
        response: { 200: Security },
      },
      preHandler: [guards.authenticate],
    },
    async (request) => service.getSecurity(request.userCtx!),
  );

  r.post(
    '/api/auth/two-factor/enable',
    {
      schema: {
        tags: TAG,
        summary:
          'Start setting up two-factor sign-in (needs the password): answers the authenticator link (otpauth://) and the recovery codes; on after the first code (verify-totp)',
        body: PasswordBody,
        response: { 200: z.object({ totpURI: z.string(), backupCodes: z.array(z.string()) }) },
      },
      preHandler: [guards.authenticate],
    },
    async (request, reply) => {
      const result = await forward(request, reply, '/api/auth/two-factor/enable', {
        password: request.body.password,
        method: 'totp',
      });
      if (!result.ok) return sendError(reply, result);
      return { totpURI: String(result.json.totpURI), backupCodes: result.json.backupCodes as string[] };
    },
  );

  r.post(
    '/api/auth/two-factor/verify-totp',
    {
      schema: {
        tags: TAG,
        summary:
          'Check an authenticator code: the second sign-in step (challenge cookie from sign-in), or the confirmation that turns two-factor sign-in on (session)',
        body: z.object({ code: TotpCode }),
        response: { 200: Verified },
      },
    },
    async (request, reply) =>
      verifyCode(request, reply, '/api/auth/two-factor/verify-totp', request.body.code),
  );

  r.post(
    '/api/auth/two-factor/verify-backup-code',
    {
      schema: {
        tags: TAG,
        summary: 'The second sign-in step with a recovery code instead (each code works once)',
        body: z.object({ code: RecoveryCode }),
        response: { 200: Verified },
      },
    },
    async (request, reply) =>
      verifyCode(request, reply, '/api/auth/two-factor/verify-backup-code', request.body.code),
  );

  r.post(
    '/api/auth/two-factor/disable',
    {
      schema: {
        tags: TAG,
        summary: 'Turn two-factor sign-in off (needs the password)',
        body: PasswordBody,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
      preHandler: [guards.authenticate],
    },
    async (request, reply) => {
      const result = await forward(request, reply, '/api/auth/two-factor/disable', request.body);
      if (!result.ok) return sendError(reply, result);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/auth/two-factor/generate-backup-codes',
    {
      schema: {
        tags: TAG,
        summary: 'New recovery codes (needs the password); the old ones stop working',
        body: PasswordBody,
        response: { 200: z.object({ backupCodes: z.array(z.string()) }) },
      },
      preHandler: [guards.authenticate],
    },
    async (request, reply) => {
      const result = await forward(
        request,
        reply,
        '/api/auth/two-factor/generate-backup-codes',
        request.body,
      );
      if (!result.ok) return sendError(reply, result);
      return { backupCodes: result.json.backupCodes as string[] };
    },
  );

  r.get(
    '/api/v1/account/sessions',
    {
      schema: {
        tags: TAG,
        summary:
          'Sessions of the signed-in user (device, address, created, last active; current marks this one)',
        response: { 200: z.object({ items: z.array(Session) }) },
      },
      preHandler: [guards.authenticate],
    },
    async (request) => ({ items: await service.listSessions(request.userCtx!) }),
  );

  r.delete(
    '/api/v1/account/sessions/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Sign out one of your sessions (its cookie stops working at once)',
        params: z.object({ id: z.uuid('must be a UUID') }),
      },
      preHandler: [guards.authenticate],
    },
    async (request, reply) => {
      await service.revokeSession(request.userCtx!, request.params.id);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/account/sessions/revoke-others',
    {
      schema: {
        tags: TAG,
        summary: 'Sign out all your other sessions (keeps this one)',
        body: z.object({}).optional(),
        response: { 200: z.object({ revoked: z.number().int() }) },
      },
      preHandler: [guards.authenticate],
    },
    async (request) => service.revokeOtherSessions(request.userCtx!),
  );
}
