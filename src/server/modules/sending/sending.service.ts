import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Config } from '../../lib/config.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import type { Keyring } from '../../lib/crypto.js';
import type { Database, Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import { countSenders } from './senders.service.js';

/**
 * Per-organisation sending settings: the postal address of marketing footers, the time zone of
 * schedules, the throttle, and the organisation's own SMTP server. The SMTP password is stored
 * encrypted (deps.keys) and never leaves the server: the API says only whether one is set.
 */

export const DEFAULT_TIME_ZONE = 'UTC';
export const DEFAULT_THROTTLE = 20;

export type Delivery = 'organization-smtp' | 'instance-smtp' | 'outbox';

export interface SmtpInput {
  host: string;
  port: number;
  secure: boolean;
  user?: string | null;
  /** A new password; omitted keeps the stored one, null clears it. */
  password?: string | null;
}

export interface SendingInput {
  postalAddress?: string;
  timeZone?: string;
  throttlePerSecond?: number;
  smtp?: SmtpInput | null;
}

interface SettingsRow {
  postal_address: string;
  time_zone: string;
  throttle_per_second: number;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_secure: boolean;
  smtp_user: string | null;
  smtp_password_enc: string | null;
  updated_at: Date | string;
}

async function loadRow(db: Db, orgId: string): Promise<SettingsRow | undefined> {
  const [row] = await rows<SettingsRow>(
    db,
    sql`select postal_address, time_zone, throttle_per_second, smtp_host, smtp_port, smtp_secure, smtp_user,
        smtp_password_enc, updated_at
      from email_settings where org_id = ${orgId}`,
  );
  return row;
}

/** The settings the transport needs, with the SMTP password decrypted. Server-side only. */
export interface SendingSettings {
  postalAddress: string;
  timeZone: string;
  throttlePerSecond: number;
  smtp: { host: string; port: number; secure: boolean; user: string | null; password: string | null } | null;
  /** Changes whenever the settings change (a transport cache key). */
  updatedAt: Date | null;
}

/**
 * An organisation's sending settings for the transport and the campaign sender, with the SMTP
 * password decrypted. Never put this in an API response or a log line.
 */
export async function getSendingSettings(
  deps: { database: Database; keys: Keyring },
  orgId: string,
): Promise<SendingSettings> {
  const row = await loadRow(deps.database.db, orgId);
  if (!row) {
    return {
      postalAddress: '',
      timeZone: DEFAULT_TIME_ZONE,
      throttlePerSecond: DEFAULT_THROTTLE,
      smtp: null,
      updatedAt: null,
    };
  }
  return {
    postalAddress: row.postal_address,
    timeZone: row.time_zone,
    throttlePerSecond: row.throttle_per_second,
    smtp: row.smtp_host
      ? {
          host: row.smtp_host,
          port: row.smtp_port ?? (row.smtp_secure ? 465 : 587),
          secure: row.smtp_secure,
          user: row.smtp_user,
          password: row.smtp_password_enc ? deps.keys.decrypt(row.smtp_password_enc) : null,
        }
      : null,
    updatedAt: new Date(row.updated_at),
  };
}

function deliveryOf(config: Config, row: SettingsRow | undefined): Delivery {
  if (row?.smtp_host) return 'organization-smtp';
  if (config.smtpUrl) return 'instance-smtp';
  return 'outbox';
}

/** What is missing before a marketing send ('sender', 'postalAddress'); empty when ready. */
export async function sendingReadiness(
  db: Db,
  orgId: string,
): Promise<{ ready: boolean; missing: string[] }> {
  const [row, senders] = await Promise.all([loadRow(db, orgId), countSenders(db, orgId)]);
  const missing: string[] = [];
  if (senders === 0) missing.push('sender');
  if (!row?.postal_address.trim()) missing.push('postalAddress');
  return { ready: missing.length === 0, missing };
}

export async function getSending(ctx: Ctx) {
  assertCan(ctx, 'campaigns:read');
  const db = ctx.deps.database.db;
  const row = await loadRow(db, ctx.orgId);
  const readiness = await sendingReadiness(db, ctx.orgId);
  return {
    postalAddress: row?.postal_address ?? '',
    timeZone: row?.time_zone ?? DEFAULT_TIME_ZONE,
    throttlePerSecond: row?.throttle_per_second ?? DEFAULT_THROTTLE,
    smtp: row?.smtp_host
      ? {
          host: row.smtp_host,
          port: row.smtp_port ?? 587,
          secure: row.smtp_secure,
          user: row.smtp_user,
          passwordSet: row.smtp_password_enc !== null,
        }
      : null,
    delivery: deliveryOf(ctx.deps.config, row),
    ...readiness,
  };
}

export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const sameHost = (a: string | null, b: string) => (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();
const sameUser = (a: string | null, b: string | null | undefined) => (a ?? '') === (b ?? '');

const passwordAgain = () =>
  new AppError('VALIDATION_FAILED', 'Enter the SMTP password again when you change the server or the user', {
    issues: [{ path: ['smtp', 'password'], message: 'is required when the server or the user changes' }],
  });

/**
 * The stored password may be kept only for the server and user it was entered for: otherwise
 * anyone allowed to change settings could point the stored secret at a server of their own.
 */
function keepsStoredPassword(row: SettingsRow | undefined, smtp: SmtpInput): boolean {
  return Boolean(
    row?.smtp_password_enc && sameHost(row.smtp_host, smtp.host) && sameUser(row.smtp_user, smtp.user),
  );
}

export async function updateSending(ctx: Ctx, input: SendingInput) {
  assertCan(ctx, 'settings:write');
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    throw new AppError('VALIDATION_FAILED', `timeZone: ${input.timeZone} is not a known IANA time zone`, {
      issues: [{ path: ['timeZone'], message: 'must be an IANA time zone such as Europe/Paris' }],
    });
  }
  const { keys } = ctx.deps;
  await ctx.deps.database.db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into email_settings (org_id) values (${ctx.orgId}) on conflict (org_id) do nothing`,
    );
    const [row] = await rows<SettingsRow>(
      tx,
      sql`select postal_address, time_zone, throttle_per_second, smtp_host, smtp_port, smtp_secure, smtp_user,
          smtp_password_enc, updated_at
        from email_settings where org_id = ${ctx.orgId} for update`,
    );
    const sets = [sql`updated_at = now()`];
    if (input.postalAddress !== undefined) sets.push(sql`postal_address = ${input.postalAddress}`);
    if (input.timeZone !== undefined) sets.push(sql`time_zone = ${input.timeZone}`);
    if (input.throttlePerSecond !== undefined)
      sets.push(sql`throttle_per_second = ${input.throttlePerSecond}`);
    if (input.smtp === null) {
      sets.push(
        sql`smtp_host = null, smtp_port = null, smtp_secure = false, smtp_user = null, smtp_password_enc = null`,
      );
    } else if (input.smtp) {
      const smtp = input.smtp;
      const user = smtp.user?.trim() || null;
      let passwordEnc: string | null;
      if (!user)
        passwordEnc = null; // no user, no authentication
      else if (smtp.password) passwordEnc = keys.encrypt(smtp.password);
      else if (smtp.password === null) passwordEnc = null;
      else if (keepsStoredPassword(row, { ...smtp, user })) passwordEnc = row!.smtp_password_enc;
      else if (row?.smtp_password_enc) throw passwordAgain();
      else passwordEnc = null;
      sets.push(
        sql`smtp_host = ${smtp.host.trim()}, smtp_port = ${smtp.port}, smtp_secure = ${smtp.secure},
          smtp_user = ${user}, smtp_password_enc = ${passwordEnc}`,
      );
    }
    await tx.execute(sql`update email_settings set ${sql.join(sets, sql`, `)} where org_id = ${ctx.orgId}`);
  });
  return getSending(ctx);
}

const VERIFY_TIMEOUT_MS = 10_000;

/** A short, secret-free sentence for a failed SMTP check. */
function describeSmtpError(err: unknown, target: { host: string; port: number }, secrets: string[]): string {
  const e = err as { code?: string; response?: string; message?: string };
  const where = `${target.host}:${target.port}`;
  // nodemailer wraps socket errors as ESOCKET/ECONNECTION; the system code is in the message.
  const code =
    /\b(ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/.exec(
      e.message ?? '',
    )?.[1] ?? e.code;
  let text: string;
  switch (code) {
    case 'EAUTH':
      text = `The server refused the user name or password${e.response ? ` (${e.response})` : ''}`;
      break;
    case 'ECONNREFUSED':
      text = `Nothing accepts connections at ${where}`;
      break;
    case 'ETIMEDOUT':
      text = `No answer from ${where} in ${VERIFY_TIMEOUT_MS / 1000} seconds`;
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      text = `${where} cannot be reached from this server`;
      break;
    case 'ECONNRESET':
      text = `${where} closed the connection (is it an SMTP server, and is TLS set as it expects?)`;
      break;
    case 'EDNS':
    case 'EAI_AGAIN':
    case 'ENOTFOUND':
      text = `The server name ${target.host} could not be resolved`;
      break;
    case 'ETLS':
      text = `TLS failed with ${where}: ${e.message ?? 'handshake error'}`;
      break;
    default:
      text = e.message ? `${e.message}` : 'The SMTP check failed';
  }
  for (const s of secrets) if (s) text = text.split(s).join('••••');
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Connects to the given SMTP settings (or the stored ones) and says whether the server accepts
 * them. Never throws for a failed connection: the answer carries a short message without secrets.
 */
export async function verifySmtp(
  ctx: Ctx,
  input?: SmtpInput,
): Promise<{ ok: true } | { ok: false; error: string }> {
  assertCan(ctx, 'settings:write');
  const row = await loadRow(ctx.deps.database.db, ctx.orgId);
  let target: { host: string; port: number; secure: boolean; user: string | null; password: string | null };
  if (input) {
    const user = input.user?.trim() || null;
    let password: string | null = null;
    if (user && input.password) password = input.password;
    else if (user && input.password === undefined && keepsStoredPassword(row, { ...input, user }))
      password = ctx.deps.keys.decrypt(row!.smtp_password_enc!);
    else if (user && input.password === undefined && row?.smtp_password_enc) throw passwordAgain();
    target = { host: input.host.trim(), port: input.port, secure: input.secure, user, password };
  } else {
    if (!row?.smtp_host) {
      throw new AppError('VALIDATION_FAILED', 'No SMTP server is configured: enter one to test it', {
        issues: [{ path: ['smtp'], message: 'is required: no SMTP server is stored' }],
      });
    }
    target = {
      host: row.smtp_host,
      port: row.smtp_port ?? 587,
      secure: row.smtp_secure,
      user: row.smtp_user,
      password: row.smtp_password_enc ? ctx.deps.keys.decrypt(row.smtp_password_enc) : null,
    };
  }
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: target.user ? { user: target.user, pass: target.password ?? '' } : undefined,
    connectionTimeout: VERIFY_TIMEOUT_MS,
    greetingTimeout: VERIFY_TIMEOUT_MS,
    socketTimeout: VERIFY_TIMEOUT_MS,
    logger: false,
    debug: false,
  });
  try {
    await transport.verify();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeSmtpError(err, target, [target.password ?? '']) };
  } finally {
    transport.close();
  }
}
