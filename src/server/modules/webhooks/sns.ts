import { createVerify, X509Certificate } from 'node:crypto';
import https from 'node:https';

/**
 * Amazon SNS message verification (SES event destinations and notifications arrive through SNS).
 * The signature covers a canonical string of the message's fields; the signing certificate is
 * fetched from `SigningCertURL`, which must be an https URL on an SNS host of AWS. Certificates
 * are cached by URL (SNS reuses one for a long time).
 */

export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
}

/** GETs an https URL and returns the body (certificates, subscription confirmations). */
export type SnsFetcher = (url: string) => Promise<string>;

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** True for `https://sns.<region>.amazonaws.com[.cn]/…` with no port or credentials. */
export function isSnsUrl(raw: unknown): raw is string {
  if (typeof raw !== 'string') return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    SNS_HOST.test(url.hostname) &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}

const FIELDS: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** The string SNS signs: `Name\nvalue\n` per field, in order; an absent Subject is left out. */
export function snsStringToSign(msg: Record<string, unknown>): string | null {
  const fields = FIELDS[String(msg.Type)];
  if (!fields) return null;
  let out = '';
  for (const f of fields) {
    const v = msg[f];
    if (v === undefined || v === null) {
      if (f === 'Subject') continue;
      return null;
    }
    if (typeof v !== 'string') return null;
    out += `${f}\n${v}\n`;
  }
  return out;
}

/** Parses a body as an SNS message with the fields every type carries, or null. */
export function parseSnsMessage(raw: string): SnsMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const m = v as Record<string, unknown>;
  for (const f of [
    'Type',
    'MessageId',
    'TopicArn',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
  ]) {
    if (typeof m[f] !== 'string') return null;
  }
  return m as unknown as SnsMessage;
}

const CACHE_TTL_MS = 24 * 60 * 60 * 1000;
const CACHE_MAX = 32;

export interface SnsVerifier {
  /** 'ok', or why the message is refused. */
  verify(msg: SnsMessage): Promise<'ok' | 'bad-cert-url' | 'bad-signature' | 'cert-unavailable'>;
  fetch: SnsFetcher;
}

export function createSnsVerifier(fetcher: SnsFetcher): SnsVerifier {
  const cache = new Map<string, { pem: string; at: number }>();
  async function certificate(url: string): Promise<string | null> {
    const hit = cache.get(url);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.pem;
    let pem: string;
    try {
      pem = await fetcher(url);
      const cert = new X509Certificate(pem);
      if (Date.parse(cert.validTo) < Date.now()) return null;
    } catch {
      return null;
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(url, { pem, at: Date.now() });
    return pem;
  }
  return {
    fetch: fetcher,
    async verify(msg) {
      if (!isSnsUrl(msg.SigningCertURL)) return 'bad-cert-url';
      const algorithm =
        msg.SignatureVersion === '1' ? 'RSA-SHA1' : msg.SignatureVersion === '2' ? 'RSA-SHA256' : null;
      const canonical = snsStringToSign(msg as unknown as Record<string, unknown>);
      if (!algorithm || canonical === null) return 'bad-signature';
      const pem = await certificate(msg.SigningCertURL);
      if (!pem) return 'cert-unavailable';
      try {
        const ok = createVerify(algorithm).update(canonical, 'utf8').verify(pem, msg.Signature, 'base64');
        return ok ? 'ok' : 'bad-signature';
      } catch {
        return 'bad-signature';
      }
    },
  };
}

const FETCH_TIMEOUT_MS = 5_000;
const FETCH_MAX_BYTES = 64 * 1024;

/** The real fetcher: https GET, no redirects, 5 s timeout, 64 KB cap. Only SNS URLs are passed to it. */
export const httpsFetcher: SnsFetcher = (url) =>
  new Promise((resolve, reject) => {
    if (!isSnsUrl(url)) {
      reject(new Error('Not an SNS URL'));
      return;
    }
    const req = https.get(url, { timeout: FETCH_TIMEOUT_MS }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${new URL(url).hostname} answered ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > FETCH_MAX_BYTES) {
          req.destroy(new Error('Response too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('Timed out')));
    req.on('error', reject);
  });

let current: SnsVerifier = createSnsVerifier(httpsFetcher);

/** The verifier the inbound route uses. */
export function snsVerifier(): SnsVerifier {
  return current;
}

/**
 * Replaces the fetcher of SNS certificates and subscription URLs (tests inject one that serves a
 * test certificate; no network). `null` restores the https fetcher. The certificate cache starts
 * empty either way.
 */
export function useSnsFetcher(fetcher: SnsFetcher | null): void {
  current = createSnsVerifier(fetcher ?? httpsFetcher);
}
