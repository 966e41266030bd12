import { createHash, createHmac, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';

/**
 * Signature checks of the providers' webhooks, as pure functions over the raw request (the bytes
 * the provider signed) so they can be tested with real signatures and no server. Each returns
 * true only for a request the provider (or whoever holds the endpoint's secret) made; callers
 * answer 401 otherwise. SES (SNS) is in sns.ts: it needs the signing certificate.
 */

export type HeaderMap = Record<string, string | string[] | undefined>;

export function header(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();

/** Constant-time equality of two strings of any length (hashes first, so lengths do not leak). */
export function sameSecret(a: string, b: string): boolean {
  return safeEqual(sha256(a), sha256(b));
}

/** Postmark: HTTP basic auth with the user name and password set on the webhook. */
export function verifyPostmark(headers: HeaderMap, username: string, password: string): boolean {
  const auth = header(headers, 'authorization');
  const m = auth ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth) : null;
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return false;
  // Both compared, always (no early exit telling which one was wrong).
  const userOk = sameSecret(decoded.slice(0, at), username);
  const passOk = sameSecret(decoded.slice(at + 1), password);
  return userOk && passOk;
}

/**
 * SendGrid's verification key, as its settings page shows it (base64 of the DER public key) or
 * as PEM. Throws when it is not an EC P-256 public key.
 */
export function sendgridPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPublicKey(trimmed)
    : createPublicKey({
        key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'),
        format: 'der',
        type: 'spki',
      });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error('Not an ECDSA P-256 public key');
  return key;
}

/** SendGrid: ECDSA P-256 / SHA-256 (DER, base64) over timestamp + raw body. */
export function verifySendgrid(headers: HeaderMap, rawBody: Buffer, publicKey: string): boolean {
  const signature = header(headers, 'x-twilio-email-event-webhook-signature');
  const timestamp = header(headers, 'x-twilio-email-event-webhook-timestamp');
  if (!signature || !timestamp) return false;
  try {
    const key = sendgridPublicKey(publicKey);
    return verify(
      'sha256',
      Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]),
      { key, dsaEncoding: 'der' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** How far a signed timestamp may be from now (Mailgun, Svix). */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

/** Mailgun: HMAC-SHA256(signing key, timestamp + token), hex, at most 5 minutes old. */
export function verifyMailgun(
  signature: { timestamp?: unknown; token?: unknown; signature?: unknown } | undefined,
  signingKey: string,
  now = Date.now(),
): boolean {
  if (!signature) return false;
  const { timestamp, token, signature: sig } = signature;
  if (typeof token !== 'string' || typeof sig !== 'string' || token.length === 0) return false;
  const ts =
    typeof timestamp === 'number' ? timestamp : typeof timestamp === 'string' ? Number(timestamp) : NaN;
  if (!Number.isFinite(ts) || Math.abs(now / 1000 - ts) > TIMESTAMP_TOLERANCE_S) return false;
  if (!/^[0-9a-f]{64}$/i.test(sig)) return false;
  const expected = createHmac('sha256', signingKey)
    .update(`${String(timestamp)}${token}`)
    .digest();
  return safeEqual(Buffer.from(sig, 'hex'), expected);
}

/** The key bytes of a Svix secret (`whsec_<base64>`); throws when it is not one. */
export function svixKey(secret: string): Buffer {
  const m = /^whsec_([A-Za-z0-9+/=]+)$/.exec(secret.trim());
  if (!m) throw new Error('Not a Svix secret (whsec_…)');
  const key = Buffer.from(m[1]!, 'base64');
  if (key.length < 16) throw new Error('Not a Svix secret (whsec_…)');
  return key;
}

/**
 * Resend (Svix): HMAC-SHA256 under the secret's key over `${svix-id}.${svix-timestamp}.${body}`,
 * base64; `svix-signature` lists `v1,<sig>` entries separated by spaces (several during a secret
 * rotation). The timestamp must be within 5 minutes of now.
 */
export function verifySvix(headers: HeaderMap, rawBody: Buffer, secret: string, now = Date.now()): boolean {
  const id = header(headers, 'svix-id');
  const timestamp = header(headers, 'svix-timestamp');
  const signatures = header(headers, 'svix-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) return false;
  let key: Buffer;
  try {
    key = svixKey(secret);
  } catch {
    return false;
  }
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), rawBody]))
    .digest();
  let ok = false;
  for (const entry of signatures.split(' ')) {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) continue;
    if (safeEqual(Buffer.from(sig, 'base64'), expected)) ok = true;
  }
  return ok;
}

/** A stable id for a request without a provider event id: a hash of what was signed. */
export function contentId(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
