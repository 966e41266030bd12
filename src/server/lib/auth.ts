import { AsyncLocalStorage } from 'node:async_hooks';
import { hash, verify } from '@node-rs/argon2';
import { APIError, betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { twoFactor } from 'better-auth/plugins/two-factor';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import {
  isBlankPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  WHITESPACE_PASSWORD_MESSAGE,
} from '../../common/password.js';
import { accounts, members, sessions, twoFactors, users, verifications } from '../../db/schema/index.js';
import { existingAccountEmail, resetPasswordEmail, verificationEmail } from '../emails/system.js';
import { sendMailJob } from '../modules/mail/mail.jobs.js';
import { createOrganizationWithOwner } from '../modules/organizations/organizations.repo.js';
import { withHashedSessionTokens } from './auth-adapter.js';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from './common-passwords.js';
import type { Config } from './config.js';
import type { Database } from './db.js';
import type { JobQueue } from './jobs.js';
import { ipBucket, RateLimiter } from './rate-limit.js';

/** argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane). */
// algorithm 2 = Algorithm.Argon2id (a const enum, not importable under isolatedModules)
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, ARGON2);
export const verifyPassword = ({ hash: h, password }: { hash: string; password: string }) =>
  verify(h, password).catch(() => false);

export const SESSION_COOKIE_PREFIX = 'moxora';

/** The client address, as the API read it: plugins/session.ts toFetchHeaders sets it on every request to better-auth. */
const CLIENT_IP_HEADER = 'x-moxora-client-ip';
const HOUR = 3600;

/**
 * Set while an invitee signs up through their invitation link (POST /api/auth/sign-up/invitation):
 * the user hooks below then mark the invited address verified and create no personal organisation.
 */
export const invitedSignUp = new AsyncLocalStorage<{ email: string }>();

export function createAuth(opts: {
  config: Config;
  database: Database;
  jobs: JobQueue;
  secret: string;
  log: Logger;
}) {
  const { config, database, jobs, secret, log } = opts;
  const db = database.db;
  const secure = config.baseUrl.startsWith('https://');
  const limiter = new RateLimiter(database);

  /**
   * Account mails (verification, "you already have an account") that anyone can trigger for any
   * address: at most RATE_LIMIT_VERIFY_MAIL_PER_ACCOUNT per account and RATE_LIMIT_VERIFY_MAIL_PER_IP
   * per client address per hour, counted in the database (shared by every process). The account is
   * counted first, so one busy address does not use up its sender's other mails.
   */
  async function mayMail(kind: 'verify' | 'existing', userId: string, request?: Request): Promise<boolean> {
    const { verifyMailPerAccount, verifyMailPerIp } = config.rateLimits;
    if ((await limiter.hit(`mail:${kind}:acct:${userId}`, HOUR)) > verifyMailPerAccount) return false;
    const ip = request?.headers.get(CLIENT_IP_HEADER);
    // An IPv6 client counts by its /64, like the other per-IP limits (lib/rate-limit.ts ipBucket).
    if (ip && (await limiter.hit(`mail:account:ip:${ipBucket(ip)}`, HOUR)) > verifyMailPerIp) return false;
    return true;
  }

  return betterAuth({
    appName: 'Moxora',
    baseURL: config.baseUrl,
    basePath: '/api/auth',
    secret,
    // BASE_URL's origin, and both loopback spellings for a local server (lib/config.ts).
    trustedOrigins: config.trustedOrigins,
    telemetry: { enabled: false },
    // Moxora rate-limits sign-in, sign-up and reset itself, in the database, shared by all processes.
    rateLimit: { enabled: false },
    logger: {
      level: 'warn',
      log: (level, message, ...args) => {
        const fn = level === 'error' ? log.error.bind(log) : log.warn.bind(log);
        fn({ args: args.map((a) => (a instanceof Error ? a.message : undefined)) }, `auth: ${message}`);
      },
    },
    // sessions.token holds SHA-256 hashes only; the raw token lives in the cookie (lib/auth-adapter.ts).
    database: withHashedSessionTokens(
      drizzleAdapter(db, {
        provider: 'pg',
        schema: {
          user: users,
          session: sessions,
          account: accounts,
          verification: verifications,
          twoFactor: twoFactors,
        },
      }),
    ),
    // One-time identifiers (password-reset tokens, two-factor challenges) are stored as SHA-256.
    verification: { storeIdentifier: 'hashed' },
    advanced: {
      // better-auth turns its Origin check off when NODE_ENV=test: keep it on, so tests exercise it.
      disableOriginCheck: false,
      cookiePrefix: SESSION_COOKIE_PREFIX,
      useSecureCookies: secure,
      database: { generateId: 'uuid' },
      ipAddress: { ipAddressHeaders: ['x-moxora-client-ip'] }, // request.ip, set by plugins/session.ts toFetchHeaders
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure, path: '/' },
    },
    user: {
      additionalFields: {
        ageConfirmed: { type: 'boolean', required: true, input: true },
        ageConfirmedAt: { type: 'date', required: false, input: false },
      },
    },
    session: {
      // Absolute lifetime: the session never slides past it. Idle timeout is enforced per request.
      expiresIn: config.session.maxAgeSeconds,
      disableSessionRefresh: true,
      cookieCache: { enabled: false },
      additionalFields: {
        activeOrganizationId: { type: 'string', required: false, input: false },
      },
    },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      autoSignIn: false,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 3600,
      password: {
        // Second wall behind the route schemas (modules/auth): every new password better-auth
        // hashes (sign-up, reset, change) is refused when blank or common, whichever path it took.
        async hash(password) {
          if (isBlankPassword(password) || isCommonPassword(password)) {
            throw new APIError('BAD_REQUEST', {
              code: 'PASSWORD_TOO_COMMON',
              message: isBlankPassword(password) ? WHITESPACE_PASSWORD_MESSAGE : COMMON_PASSWORD_MESSAGE,
            });
          }
          return hashPassword(password);
        },
        verify: verifyPassword,
      },
      // Sign-up with a taken address answers like a new sign-up (no account enumeration): the same
      // status and body (customSyntheticUser below gives the look-alike user every field a new
      // one has), after the same argon2 hash (better-auth hashes the password on this path too).
      // The owner of the address is told by email instead, within the account-mail limits.
      async onExistingUserSignUp({ user }, request) {
        if (!(await mayMail('existing', user.id, request))) return;
        await jobs.send(sendMailJob, {
          ...existingAccountEmail(
            user.email,
            user.emailVerified ? user.name : undefined,
            `${config.baseUrl}/sign-in`,
          ),
          kind: 'existing-account',
        });
      },
      customSyntheticUser: ({ coreFields, additionalFields, id }) => ({
        ...coreFields,
        ...additionalFields,
        // Set by the user create hook on a real sign-up; the look-alike must carry it too.
        ageConfirmedAt: coreFields.createdAt,
        id,
      }),
      async sendResetPassword({ user, url }) {
        await jobs.send(sendMailJob, {
          ...resetPasswordEmail(user.email, user.emailVerified ? user.name : undefined, url),
          kind: 'reset',
        });
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: true,
      autoSignInAfterVerification: false,
      expiresIn: 24 * 3600,
      async sendVerificationEmail({ user, url }, request) {
        // An invitee who signed up through the invitation link proved the address already.
        if (user.emailVerified) return;
        // Sign-in to an unverified account sends this mail each time: over the limits, nothing is
        // sent and the caller's answer does not change (sign-in still says "verify your email").
        if (!(await mayMail('verify', user.id, request))) return;
        const link = new URL(url);
        const callback = link.searchParams.get('callbackURL');
        if (!callback || callback === '/') link.searchParams.set('callbackURL', '/sign-in?verified=1');
        await jobs.send(sendMailJob, {
          ...verificationEmail(user.email, link.toString()),
          kind: 'verify',
        });
      },
    },
    plugins: [
      // TOTP second factor with recovery codes (routes: modules/account). Enabling needs the
      // password and a first code; sign-in with it answers { twoFactorRedirect } and a short-lived
      // challenge cookie instead of a session. No "trust this device": every sign-in asks.
      twoFactor({
        issuer: 'Moxora',
        backupCodeOptions: { amount: 10, length: 10, storeBackupCodes: 'encrypted' },
        // Per challenge: 5 wrong codes end it (sign in again); per account: 10 in a row lock 15 minutes.
        accountLockout: { enabled: true, maxFailedAttempts: 10, durationSeconds: 900 },
        twoFactorCookieMaxAge: 600,
      }),
    ],
    databaseHooks: {
      user: {
        create: {
          async before(user) {
            // Second wall behind the route schema: no account without the age confirmation.
            if ((user as { ageConfirmed?: unknown }).ageConfirmed !== true) {
              throw new APIError('BAD_REQUEST', {
                code: 'AGE_CONFIRMATION_REQUIRED',
                message: 'You must confirm that you are 16 or older',
              });
            }
            const email = user.email.trim().toLowerCase();
            // Signing up through an invitation link: the link was mailed to this address, so it is verified.
            const invited = invitedSignUp.getStore()?.email === email;
            return {
              data: {
                ...user,
                email,
                ageConfirmedAt: new Date(),
                ...(invited ? { emailVerified: true } : {}),
              },
            };
          },
          async after(user) {
            // An invitee joins the inviting organisation (modules/auth) and gets none of their own.
            if (invitedSignUp.getStore()?.email === user.email.toLowerCase()) return;
            await createOrganizationWithOwner(db, user.id, defaultOrganizationName(user.name));
          },
        },
      },
      session: {
        create: {
          async before(session) {
            // A session that replaces another (two-factor on/off) keeps its organisation while a member.
            const kept = (session as { activeOrganizationId?: string | null }).activeOrganizationId;
            const [first] = await db
              .select({ orgId: members.orgId })
              .from(members)
              .where(eq(members.userId, session.userId))
              .orderBy(sql`${members.orgId} = ${kept ?? null}::uuid desc`, asc(members.createdAt))
              .limit(1);
            let orgId = first?.orgId;
            if (!orgId) {
              // Every user works inside an organisation; recreate one if they have none left.
              const [u] = await db
                .select({ name: users.name })
                .from(users)
                .where(eq(users.id, session.userId));
              orgId = (
                await createOrganizationWithOwner(db, session.userId, defaultOrganizationName(u?.name ?? ''))
              ).id;
            }
            return { data: { ...session, activeOrganizationId: orgId } };
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

export function defaultOrganizationName(userName: string): string {
  const first = userName.trim().split(/\s+/)[0];
  return first ? `${first}'s organisation` : 'My organisation';
}

/** Removes one session (used for idle/absolute expiry and sign-out everywhere). */
export async function deleteSession(database: Database, sessionId: string, userId: string) {
  await database.db.delete(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
}
