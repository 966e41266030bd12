import { sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../lib/config.js';
import type { Keyring } from '../../lib/crypto.js';
import type { Database, Db } from '../../lib/db.js';
import { outboxDir, writeOutboxFile } from '../../lib/mailer.js';
import { rows } from '../../lib/sql.js';

/**
 * Delivery of campaign, transactional and test messages: through the organisation's own SMTP
 * settings, else the instance's SMTP_URL, else the local outbox (.eml files). SMTP transports are
 * pooled (SEND_CONCURRENCY connections) and kept per organisation until their settings change.
 */
export interface OutgoingMessage {
  from: { name: string; address: string };
  replyTo?: string | null;
  to: string;
  subject: string;
  html?: string;
  text: string;
  headers?: Record<string, string>;
  messageId?: string;
}

export interface TransportDeps {
  config: Config;
  database: Database;
  keys: Keyring;
}

/** A delivery failure, classified: permanent (5xx: do not retry) or temporary (4xx, network). */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}

interface CachedTransport {
  fingerprint: string;
  transporter: Transporter;
  kind: 'organization-smtp' | 'instance-smtp' | 'outbox';
}

const cache = new Map<string, CachedTransport>();
const SETTINGS_TTL_MS = 5_000;
const settingsCache = new Map<string, { at: number; row: SmtpRow | null }>();

interface SmtpRow {
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_secure: boolean;
  smtp_user: string | null;
  smtp_password_enc: string | null;
}

async function orgSmtp(deps: TransportDeps, orgId: string): Promise<SmtpRow | null> {
  const hit = settingsCache.get(orgId);
  if (hit && Date.now() - hit.at < SETTINGS_TTL_MS) return hit.row;
  const [row] = await rows<SmtpRow>(
    deps.database.db,
    sql`select smtp_host, smtp_port, smtp_secure, smtp_user, smtp_password_enc from email_settings
      where org_id = ${orgId}`,
  );
  const value = row?.smtp_host ? row : null;
  settingsCache.set(orgId, { at: Date.now(), row: value });
  return value;
}

/** Forget cached settings of an organisation (after its SMTP settings changed). */
export function invalidateTransport(orgId: string): void {
  settingsCache.delete(orgId);
  const t = cache.get(orgId);
  if (t) {
    cache.delete(orgId);
    t.transporter.close();
  }
}

function outboxTransport(): Transporter {
  return nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
}

async function transportFor(deps: TransportDeps, orgId: string): Promise<CachedTransport> {
  const smtp = await orgSmtp(deps, orgId);
  const pool = deps.config.sendConcurrency;
  let fingerprint: string;
  let make: () => CachedTransport;
  if (smtp) {
    fingerprint = `org:${smtp.smtp_host}:${smtp.smtp_port}:${smtp.smtp_secure}:${smtp.smtp_user}:${smtp.smtp_password_enc}`;
    make = () => ({
      fingerprint,
      kind: 'organization-smtp',
      transporter: nodemailer.createTransport({
        pool: true,
        maxConnections: pool,
        maxMessages: Number.POSITIVE_INFINITY,
        host: smtp.smtp_host!,
        port: smtp.smtp_port ?? (smtp.smtp_secure ? 465 : 587),
        secure: smtp.smtp_secure,
        auth:
          smtp.smtp_user && smtp.smtp_password_enc
            ? { user: smtp.smtp_user, pass: deps.keys.decrypt(smtp.smtp_password_enc) }
            : undefined,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 60_000,
      }),
    });
  } else if (deps.config.smtpUrl) {
    fingerprint = `instance:${deps.config.smtpUrl}:${pool}`;
    const url = new URL(deps.config.smtpUrl);
    url.searchParams.set('pool', 'true');
    url.searchParams.set('maxConnections', String(pool));
    make = () => ({
      fingerprint,
      kind: 'instance-smtp',
      transporter: nodemailer.createTransport(url.toString()),
    });
  } else {
    fingerprint = 'outbox';
    make = () => ({ fingerprint, kind: 'outbox', transporter: outboxTransport() });
  }
  const current = cache.get(orgId);
  if (current?.fingerprint === fingerprint) return current;
  current?.transporter.close();
  const next = make();
  cache.set(orgId, next);
  return next;
}

/** Where an organisation's mail goes now. */
export async function deliveryMode(
  deps: TransportDeps,
  orgId: string,
): Promise<'organization-smtp' | 'instance-smtp' | 'outbox'> {
  if (await orgSmtp(deps, orgId)) return 'organization-smtp';
  return deps.config.smtpUrl ? 'instance-smtp' : 'outbox';
}

function classify(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { responseCode?: number; code?: string; message?: string; response?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = (e.response ?? e.message ?? 'delivery failed').slice(0, 500);
  // 5xx is a permanent rejection; 4xx, timeouts and refused connections are worth a retry.
  return new DeliveryError(message, code !== undefined && code >= 500 && code < 600, code);
}

/** Sends one message. Throws DeliveryError (permanent or temporary). */
export async function deliver(
  deps: TransportDeps,
  orgId: string,
  msg: OutgoingMessage,
): Promise<{ messageId: string }> {
  const t = await transportFor(deps, orgId);
  const mail = {
    from: { name: msg.from.name, address: msg.from.address },
    replyTo: msg.replyTo ?? undefined,
    to: msg.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    headers: msg.headers,
    messageId: msg.messageId,
  };
  try {
    const info = await t.transporter.sendMail(mail);
    if (t.kind === 'outbox') await writeOutboxFile(outboxDir(deps.config.dataDir), info.message as Buffer);
    return { messageId: info.messageId };
  } catch (err) {
    throw classify(err);
  }
}

/** "Name <address>" of MAIL_FROM, parsed. */
export function parseMailFrom(value: string): { name: string; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  if (m) return { name: m[1]!.trim(), address: m[2]!.trim() };
  return { name: '', address: value.trim() };
}

/** The organisation's default sender, else the instance's MAIL_FROM. */
export async function defaultFrom(
  deps: TransportDeps,
  orgId: string,
  /** Inside a transaction, its own connection (another from the pool could deadlock it). */
  db: Db = deps.database.db,
): Promise<{ name: string; address: string; replyTo: string | null }> {
  const [s] = await rows<{ name: string; email: string; reply_to: string | null }>(
    db,
    sql`select name, email, reply_to from senders where org_id = ${orgId}
      order by is_default desc, created_at limit 1`,
  );
  if (s) return { name: s.name, address: s.email, replyTo: s.reply_to };
  return { ...parseMailFrom(deps.config.mailFrom), replyTo: null };
}

/** Closes every pooled transport (on shutdown). */
export function closeTransports(): void {
  for (const t of cache.values()) t.transporter.close();
  cache.clear();
  settingsCache.clear();
}
