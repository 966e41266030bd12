import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Thrown for a configuration problem; main.ts prints `message` as one line and exits. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid URL (expected postgres://user@host:5432/db)' });
    return;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    ctx.addIssue({ code: 'custom', message: `must start with postgres:// (got ${url.protocol}//)` });
  } else if (!url.hostname && !url.searchParams.get('host')) {
    ctx.addIssue({ code: 'custom', message: 'has no host' });
  } else if (url.pathname.length <= 1) {
    ctx.addIssue({ code: 'custom', message: 'names no database (add /dbname)' });
  }
});

const smtpUrl = z.string().superRefine((value, ctx) => {
  try {
    const url = new URL(value);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      ctx.addIssue({ code: 'custom', message: 'must start with smtp:// or smtps://' });
    }
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid URL (expected smtp://user:pass@host:587)' });
  }
});

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  MOXORA_DATA_DIR: z.string().min(1).default('./data'),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: smtpUrl.optional(),
  MAIL_FROM: z.string().min(3).default('Moxora <no-reply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `false`, a hop count (`1`), or the proxies' addresses/CIDRs (`127.0.0.1,10.0.0.0/8`). */
  TRUST_PROXY: z.string().optional(),
  SESSION_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  SESSION_IDLE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24 * 7),
  RATE_LIMIT_SIGN_IN_PER_IP: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_SIGN_IN_PER_ACCOUNT: z.coerce.number().int().min(1).default(8),
  RATE_LIMIT_SIGN_UP_PER_IP: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_RESET_PER_IP: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_RESET_PER_ACCOUNT: z.coerce.number().int().min(1).default(3),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  RATE_LIMIT_VERIFY_MAIL_PER_ACCOUNT: z.coerce.number().int().min(1).default(3),
  RATE_LIMIT_VERIFY_MAIL_PER_IP: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_INVITATIONS_PER_ORG: z.coerce.number().int().min(1).default(20),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024 * 1024),
  IMPORT_BATCH_ROWS: z.coerce.number().int().min(1).max(200_000).default(20_000),
  DEV_OUTBOX: bool.optional(),
  ENCRYPTION_KEY: z.string().min(32).optional(),
  /** Previous keys, comma-separated, still accepted for decryption during `moxora rotate-keys`. */
  ENCRYPTION_KEYS_OLD: z.string().optional(),
  /** Months of raw email events kept (reports use aggregates kept for ever). */
  EMAIL_EVENTS_RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(13),
  /** Campaign messages in flight at once per process (the SMTP pool size). */
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** A message "sending" longer than this is taken to be lost with its process and queued again. */
  SEND_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /** First retry delay after a temporary SMTP failure (doubles per attempt). */
  SEND_RETRY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  SEND_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Automation step jobs fetched per worker poll (each runs in its own transaction). */
  AUTOMATION_STEP_BATCH: z.coerce.number().int().min(1).max(500).default(50),
  /** How often the automation watchdog wakes due waits and resumes lost runs. */
  AUTOMATION_WATCHDOG_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** First retry delay of a failed outgoing webhook (doubles per attempt; 5 attempts). */
  AUTOMATION_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** An active run untouched this long lost its job: the watchdog queues it again. */
  AUTOMATION_STUCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** Outgoing webhook timeout and response cap. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * Addresses (CIDRs) outgoing webhooks may reach although private/loopback (e.g. an internal
   * service). Empty by default: loopback, private, link-local and metadata addresses are refused.
   */
  OUTBOUND_ALLOW_CIDRS: z.string().optional(),
  /** Starting offset of the automation clock (tests); refused in production. */
  CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
  /** Serves POST /_dev/clock to move the automation clock (end-to-end tests); never in production. */
  DEV_CLOCK: bool.optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  baseUrl: string;
  /**
   * Origins allowed to make cookie-authenticated writes (better-auth and our own origin check):
   * the origin of BASE_URL, and for a loopback BASE_URL both loopback spellings (localhost and
   * 127.0.0.1) on the same scheme and port, as a browser may open either.
   */
  trustedOrigins: string[];
  /** Where the built web UI lives (dist/web by default; tests point it at a temporary build). */
  webDist?: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  authSecret: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  /**
   * Which peers may tell the client's address in X-Forwarded-For: none (`false`), the nearest
   * `n` hops, or peers whose address matches one of these IPs/CIDRs. `request.ip` is then the
   * nearest address that is not a trusted proxy; better-auth reads the same (plugins/session.ts).
   */
  trustProxy: TrustProxy;
  session: { maxAgeSeconds: number; idleSeconds: number };
  rateLimits: {
    windowSeconds: number;
    signInPerIp: number;
    signInPerAccount: number;
    signUpPerIp: number;
    resetPerIp: number;
    resetPerAccount: number;
    /** Verification mails per account / per client IP per hour (sign-up, sign-in, resend). */
    verifyMailPerAccount: number;
    verifyMailPerIp: number;
    /** Invitations per organisation per hour. */
    invitationsPerOrg: number;
  };
  workerConcurrency: number;
  importMaxBytes: number;
  /** Rows per committed import batch: resume granularity and the in-batch duplicate window. */
  importBatchRows: number;
  /**
   * Serve /_dev/outbox (mail written to the local outbox, password-reset links included): with
   * no SMTP_URL, when HOST is loopback and no proxy is trusted, or with DEV_OUTBOX=1; never in
   * production.
   */
  devOutbox: boolean;
  encryptionKey: string | undefined;
  /** ENCRYPTION_KEYS_OLD: decrypt-only keys (lib/crypto.ts loadKeyring). */
  encryptionKeysOld: string[];
  emailEventsRetentionMonths: number;
  sendConcurrency: number;
  sendLeaseSeconds: number;
  sendRetrySeconds: number;
  sendPollMs: number;
  automationStepBatch: number;
  automationWatchdogMs: number;
  webhookTimeoutMs: number;
  automationRetryMs: number;
  automationStuckSeconds: number;
  outboundAllowCidrs: string[];
  clockOffsetMs: number;
  devClock: boolean;
}

/** Reads and validates configuration. Throws ConfigError naming the variable and the problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}`);
  }
  const e = parsed.data;
  const trustProxy = parseTrustProxy(e.TRUST_PROXY);
  if (e.NODE_ENV === 'production' && e.DEV_OUTBOX === true)
    throw new ConfigError(
      'Invalid configuration: DEV_OUTBOX=1 serves password-reset links to anyone who can reach /_dev/outbox and is refused in production: set SMTP_URL, or read the .eml files in $MOXORA_DATA_DIR/outbox on the server',
    );
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    trustedOrigins: trustedOriginsOf(baseUrl),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: path.resolve(e.MOXORA_DATA_DIR),
    authSecret: e.AUTH_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    trustProxy,
    session: { maxAgeSeconds: e.SESSION_MAX_AGE_DAYS * 86400, idleSeconds: e.SESSION_IDLE_HOURS * 3600 },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      signInPerIp: e.RATE_LIMIT_SIGN_IN_PER_IP,
      signInPerAccount: e.RATE_LIMIT_SIGN_IN_PER_ACCOUNT,
      signUpPerIp: e.RATE_LIMIT_SIGN_UP_PER_IP,
      resetPerIp: e.RATE_LIMIT_RESET_PER_IP,
      resetPerAccount: e.RATE_LIMIT_RESET_PER_ACCOUNT,
      verifyMailPerAccount: e.RATE_LIMIT_VERIFY_MAIL_PER_ACCOUNT,
      verifyMailPerIp: e.RATE_LIMIT_VERIFY_MAIL_PER_IP,
      invitationsPerOrg: e.RATE_LIMIT_INVITATIONS_PER_ORG,
    },
    workerConcurrency: e.WORKER_CONCURRENCY,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    importBatchRows: e.IMPORT_BATCH_ROWS,
    devOutbox:
      !e.SMTP_URL &&
      e.NODE_ENV !== 'production' &&
      (e.DEV_OUTBOX ?? (isLoopbackHost(e.HOST) && trustProxy === false)),
    encryptionKey: e.ENCRYPTION_KEY,
    encryptionKeysOld: (e.ENCRYPTION_KEYS_OLD ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    emailEventsRetentionMonths: e.EMAIL_EVENTS_RETENTION_MONTHS,
    sendConcurrency: e.SEND_CONCURRENCY,
    sendLeaseSeconds: e.SEND_LEASE_SECONDS,
    sendRetrySeconds: e.SEND_RETRY_SECONDS,
    sendPollMs: e.SEND_POLL_MS,
    automationStepBatch: e.AUTOMATION_STEP_BATCH,
    automationWatchdogMs: e.AUTOMATION_WATCHDOG_MS,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    automationRetryMs: e.AUTOMATION_RETRY_MS,
    automationStuckSeconds: e.AUTOMATION_STUCK_SECONDS,
    outboundAllowCidrs: (e.OUTBOUND_ALLOW_CIDRS ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    clockOffsetMs: e.CLOCK_OFFSET_MS ?? 0,
    devClock: e.DEV_CLOCK ?? false,
  };
  if (config.env === 'production' && (config.clockOffsetMs !== 0 || config.devClock))
    throw new ConfigError(
      'Invalid configuration: CLOCK_OFFSET_MS and DEV_CLOCK are for tests, not production',
    );
  const merged = { ...config, ...overrides };
  // A base URL given as an override brings its own trusted origins unless they are given too.
  if (overrides.baseUrl && !overrides.trustedOrigins)
    merged.trustedOrigins = trustedOriginsOf(merged.baseUrl);
  return merged;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1'];

/** Who may report the client's address: nobody, the nearest `hops` proxies, or these addresses/CIDRs. */
export type TrustProxy = false | { hops: number } | { addresses: string[] };

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY like CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && net.isIPv4(prefix); // IP/netmask (10.0.0.0/255.0.0.0)
}

/**
 * TRUST_PROXY: unset/`false`/`0` trusts no proxy; a whole number is a hop count; otherwise a
 * comma-separated list of addresses or CIDRs. `true` is refused: it would trust every hop, so
 * any client could name its own address with X-Forwarded-For and escape the per-IP limits.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || /^(false|no|0)$/i.test(v)) return false;
  if (/^(true|yes)$/i.test(v))
    throw new ConfigError(
      `Invalid configuration: TRUST_PROXY=${v} would trust every hop, so any client could choose its own address with X-Forwarded-For. Write the addresses of your reverse proxies (TRUST_PROXY=127.0.0.1 for one on this machine, or CIDRs: TRUST_PROXY=10.0.0.0/8,192.168.0.0/16), or the number of proxies in front of Moxora (TRUST_PROXY=1)`,
    );
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10)
      throw new ConfigError(`Invalid configuration: TRUST_PROXY ${v} hops is not plausible (1–10)`);
    return { hops };
  }
  const addresses = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = addresses.find((a) => !isAddressOrCidr(a));
  if (bad !== undefined || addresses.length === 0)
    throw new ConfigError(
      `Invalid configuration: TRUST_PROXY ${JSON.stringify(bad ?? v)} is not an IP address or CIDR (expected false, a hop count such as 1, or a list such as 127.0.0.1,10.0.0.0/8)`,
    );
  return { addresses };
}

/**
 * Fastify's `trustProxy` for a TrustProxy. A hop count becomes a function: Fastify itself
 * trusts nothing for a bare number. `request.ip` is then the nearest untrusted address.
 */
export function fastifyTrustProxy(
  trust: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if ('hops' in trust) {
    const { hops } = trust;
    return (_address, hop) => hop < hops;
  }
  return trust.addresses;
}

/** HOST values that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}

/** The origins a browser may use for this base URL (both loopback spellings for a local server). */
export function trustedOriginsOf(baseUrl: string): string[] {
  const url = new URL(baseUrl);
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [url.origin];
  const others = LOOPBACK_HOSTS.filter((h) => h !== url.hostname).map((host) => {
    const u = new URL(url.origin);
    u.hostname = host;
    return u.origin;
  });
  return [url.origin, ...others];
}
