import { type Keyring, safeEqual } from './crypto.js';

/**
 * Tokens in email links name a message (a ledger row), never a contact's address: `<id>.<mac>`
 * where id is the send id (UUID, 32 hex) plus, for clicks, the link id, and mac a truncated
 * HMAC-SHA256 under a key derived for the token's purpose. A tampered token fails verification.
 */
export type TokenPurpose = 'open' | 'click' | 'unsubscribe';

const MAC_BYTES = 12;

function hexId(uuid: string): string {
  return uuid.replaceAll('-', '').toLowerCase();
}
function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function signToken(keys: Keyring, purpose: TokenPurpose, sendId: string, linkId?: number): string {
  const body = linkId === undefined ? hexId(sendId) : `${hexId(sendId)}-${linkId.toString(36)}`;
  return `${body}.${keys.mac(purpose, body).subarray(0, MAC_BYTES).toString('base64url')}`;
}

export function verifyToken(
  keys: Keyring,
  purpose: TokenPurpose,
  token: string,
): { sendId: string; linkId?: number } | null {
  const m = /^([0-9a-f]{32})(?:-([0-9a-z]{1,12}))?\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!m) return null;
  const body = m[2] ? `${m[1]}-${m[2]}` : m[1]!;
  // Under any key of the ring: links in mail sent before a key rotation keep working (lib/crypto.ts).
  const given = Buffer.from(m[3]!, 'base64url');
  if (!keys.macs(purpose, body).some((mac) => safeEqual(given, mac.subarray(0, MAC_BYTES)))) return null;
  if ((purpose === 'click') !== (m[2] !== undefined)) return null;
  const linkId = m[2] ? Number.parseInt(m[2], 36) : undefined;
  if (linkId !== undefined && !Number.isSafeInteger(linkId)) return null;
  return { sendId: uuidOf(m[1]!), ...(linkId !== undefined ? { linkId } : {}) };
}

/** Public tracking and unsubscribe addresses of a message (served by modules/tracking). */
export const trackingUrls = {
  open: (baseUrl: string, keys: Keyring, sendId: string) =>
    `${baseUrl}/e/o/${signToken(keys, 'open', sendId)}.gif`,
  click: (baseUrl: string, keys: Keyring, sendId: string, linkId: number) =>
    `${baseUrl}/e/c/${signToken(keys, 'click', sendId, linkId)}`,
  /** GET shows a page with a button (scanners unsubscribe nobody); POST is RFC 8058 one-click. */
  unsubscribe: (baseUrl: string, keys: Keyring, sendId: string) =>
    `${baseUrl}/e/u/${signToken(keys, 'unsubscribe', sendId)}`,
  preferences: (baseUrl: string, keys: Keyring, sendId: string) =>
    `${baseUrl}/e/p/${signToken(keys, 'unsubscribe', sendId)}`,
};

/** Deterministic Message-ID of a ledger row: a resend after a crash carries the same one. */
export function messageIdFor(sendId: string, baseUrl: string): string {
  return `<${sendId}@${new URL(baseUrl).hostname}>`;
}

/** The ledger id in one of our Message-IDs (`<uuid@host>`), or null. */
export function sendIdFromMessageId(messageId: string): string | null {
  const m = /^<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i.exec(messageId.trim());
  return m ? m[1]!.toLowerCase() : null;
}
