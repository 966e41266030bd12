import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import ipaddr from 'ipaddr.js';
import type { Keyring } from './crypto.js';

/**
 * Outgoing webhooks (the automation "webhook" step), safe against server-side request forgery:
 *
 * - Only http/https, no credentials in the URL, any port.
 * - Every address a host name resolves to is checked inside the `lookup` function handed to
 *   node:http, so the address checked is the address connected to (no window for DNS rebinding
 *   between a check and the connection). A literal IP is checked before the request (Node does not
 *   call `lookup` for one). Loopback, private (RFC 1918), carrier-grade NAT, link-local (the cloud
 *   metadata address 169.254.169.254 among them), unique-local, unspecified, multicast, broadcast
 *   and reserved addresses are refused, IPv4-mapped and other IPv4-embedding IPv6 forms too, unless
 *   the address is inside one of `allowCidrs` (configuration: OUTBOUND_ALLOW_CIDRS).
 * - At most 3 redirects, each target checked again (scheme, credentials, address).
 * - One deadline for the whole exchange (redirects and the response body included); the request
 *   body is at most 256 KB, the response body is read up to `maxResponseBytes` and cut there.
 * - Signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature).
 */

export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    /** Safe to store and show: never contains the secret, the URL's query or its credentials. */
    message: string,
    public readonly retryable: boolean,
    /** The HTTP status, when the receiver answered with an error status. */
    public readonly status?: number,
  ) {
    super(message);
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface PostWebhookOptions {
  url: string;
  body: unknown;
  /** `whsec_` followed by the base64 key (see `webhookSecretFor`). */
  secret: string;
  /** The Standard Webhooks message id (the same on every retry of one delivery). */
  msgId: string;
  /** The whole exchange: connection, redirects, response body. */
  timeoutMs: number;
  /** Response body bytes kept (the rest is not read); 64 KB by default. */
  maxResponseBytes?: number;
  /** CIDRs exempt from the address policy (e.g. an internal receiver on 10.1.2.0/24). */
  allowCidrs?: string[];
  /** DNS resolution (tests); the system resolver (`dns.lookup`, all addresses) by default. */
  resolver?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Certificate authorities (PEM) trusted besides the usual roots: a private PKI, tests. */
  ca?: string;
}

export interface WebhookResponse {
  status: number;
  body: string;
  ms: number;
}

export const MAX_REQUEST_BYTES = 256 * 1024;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
export const MAX_REDIRECTS = 3;
export const USER_AGENT = 'Moxora-Webhooks/1';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The organisation's Standard Webhooks secret, derived (not stored): stable for a given key. */
export function webhookSecretFor(keys: Keyring, orgId: string): string {
  return `whsec_${keys.mac('automation-webhook', orgId).toString('base64')}`;
}

/** The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`. */
export function signWebhook(secret: string, msgId: string, timestamp: number, body: string): string {
  const key = secretKey(secret);
  const mac = createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

function secretKey(secret: string): Buffer {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(raw, 'base64');
  if (key.length === 0) throw new OutboundError('The webhook signing secret is not valid', false);
  return key;
}

// ---------------------------------------------------------------------------------------------
// Address policy

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseAllowCidrs(cidrs: string[]): Cidr[] {
  return cidrs.map((c) => {
    try {
      // A bare address counts as a single-address range.
      if (!c.includes('/')) {
        const a = ipaddr.parse(c);
        return [a, a.kind() === 'ipv4' ? 32 : 128] as Cidr;
      }
      return ipaddr.parseCIDR(c) as Cidr;
    } catch {
      throw new OutboundError(`Invalid allowed range in the outbound configuration: ${c}`, false);
    }
  });
}

function inAllowed(addr: ipaddr.IPv4 | ipaddr.IPv6, allow: Cidr[]): boolean {
  return allow.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range, bits));
}

/** Why `address` may not be contacted, or undefined when it may. */
export function addressRefusal(address: string, allowCidrs: string[] = []): string | undefined {
  return refusalFor(address, parseAllowCidrs(allowCidrs));
}

function refusalFor(address: string, allow: Cidr[]): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  // Checked as given and, for an IPv4-mapped IPv6 address, as the IPv4 address it stands for.
  const candidates: (ipaddr.IPv4 | ipaddr.IPv6)[] = [parsed];
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    candidates.push((parsed as ipaddr.IPv6).toIPv4Address());
  if (candidates.some((c) => inAllowed(c, allow))) return undefined;
  const effective = candidates[candidates.length - 1]!;
  if (effective.kind() === 'ipv4') {
    // Only ordinary unicast: private, loopback, link-local, CGNAT, broadcast, multicast, reserved,
    // unspecified (0.0.0.0/8), benchmarking, AS112 and AMT ranges are all refused.
    const range = (effective as ipaddr.IPv4).range();
    return range === 'unicast' ? undefined : `${range} address`;
  }
  const v6 = effective as ipaddr.IPv6;
  const range = v6.range();
  if (range !== 'unicast') return `${range} address`;
  // IPv4-compatible (::a.b.c.d, deprecated) also embeds an IPv4 address; 6to4, Teredo and NAT64
  // (refused above by their ranges) do too.
  if (v6.parts.slice(0, 6).every((p) => p === 0)) return 'IPv4-compatible address';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Targets

interface Target {
  url: URL;
  /** The host name to resolve, or undefined for a literal IP (checked already). */
  hostname: string;
}

function hostLabel(url: URL): string {
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

function checkTarget(raw: string, allow: Cidr[], base?: URL): Target {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new OutboundError(base ? 'The webhook redirected to an invalid URL' : 'Invalid webhook URL', false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundError(
      `Refused ${base ? 'redirect to a' : 'webhook'} URL with scheme ${url.protocol.replace(/:$/, '')}: only http and https are allowed`,
      false,
    );
  if (url.username || url.password)
    throw new OutboundError('Refused webhook URL with credentials in it', false);
  // WHATWG URL parsing has already normalised odd IPv4 forms (0x7f.1, 2130706433 → 127.0.0.1).
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!hostname) throw new OutboundError('Invalid webhook URL', false);
  if (net.isIP(hostname)) {
    const why = refusalFor(hostname, allow);
    if (why) throw refused(url, hostname, why);
  }
  return { url, hostname };
}

function refused(url: URL, address: string, why: string): OutboundError {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const to = host === address ? address : `${hostLabel(url)} (${address})`;
  return new OutboundError(`Refused to connect to ${to}: ${why} is not allowed`, false);
}

class RefusedAddressError extends Error {
  constructor(public readonly outbound: OutboundError) {
    super(outbound.message);
  }
}

async function systemResolver(hostname: string): Promise<ResolvedAddress[]> {
  return dns.promises.lookup(hostname, { all: true, verbatim: true });
}

/**
 * A `lookup` for node:net that resolves with `resolver` and refuses the host when any of its
 * addresses is refused: net then connects only to addresses this function returned.
 */
function checkedLookup(
  target: URL,
  allow: Cidr[],
  resolver: (hostname: string) => Promise<ResolvedAddress[]>,
): net.LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (found) => {
        let addresses = found;
        if (options.family === 4 || options.family === 6)
          addresses = addresses.filter((a) => a.family === options.family);
        if (addresses.length === 0) {
          const err = Object.assign(new Error(`No address found for ${hostname}`), { code: 'ENOTFOUND' });
          callback(err as NodeJS.ErrnoException, '', 0);
          return;
        }
        for (const a of addresses) {
          const why = refusalFor(a.address, allow);
          if (why) {
            callback(new RefusedAddressError(refused(target, a.address, why)), '', 0);
            return;
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

// ---------------------------------------------------------------------------------------------
// The exchange

interface Hop {
  status: number;
  location?: string;
  body: string;
}

function statusError(status: number): OutboundError {
  if (status >= 500) return new OutboundError(`The webhook receiver answered ${status}`, true, status);
  if (status === 408 || status === 429)
    return new OutboundError(`The webhook receiver answered ${status}`, true, status);
  return new OutboundError(`The webhook receiver answered ${status}`, false, status);
}

function connectionError(err: NodeJS.ErrnoException, url: URL): OutboundError {
  const code = err.code ? ` (${err.code})` : '';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.syscall === 'getaddrinfo')
    return new OutboundError(`Could not resolve ${url.hostname}${code}`, true);
  return new OutboundError(`Could not reach ${hostLabel(url)}${code}`, true);
}

function exchange(opts: {
  target: Target;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: Buffer;
  deadline: number;
  timeoutMs: number;
  allow: Cidr[];
  resolver: (hostname: string) => Promise<ResolvedAddress[]>;
  maxResponseBytes: number;
  ca?: string;
}): Promise<Hop> {
  const { url } = opts.target;
  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    let res: http.IncomingMessage | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: OutboundError | undefined, hop?: Hop) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      res?.destroy();
      if (err) reject(err);
      else resolve(hop!);
    };

    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body) headers['content-length'] = String(opts.body.length);
    const request = url.protocol === 'https:' ? https.request : http.request;
    try {
      req = request({
        protocol: url.protocol,
        hostname: opts.target.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: opts.method,
        headers,
        // A fresh connection every time: a pooled one may have been checked under other rules.
        agent: false,
        lookup: checkedLookup(url, opts.allow, opts.resolver),
        ...(opts.ca && url.protocol === 'https:' ? { ca: [...tls.rootCertificates, opts.ca] } : {}),
      });
    } catch {
      finish(new OutboundError(`Could not send the webhook to ${hostLabel(url)}`, false));
      return;
    }
    timer = setTimeout(
      () => finish(new OutboundError(`The webhook timed out after ${opts.timeoutMs} ms`, true)),
      Math.max(0, opts.deadline - performance.now()),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof RefusedAddressError) finish(err.outbound);
      else finish(connectionError(err, url));
    });
    req.on('response', (response) => {
      res = response;
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        // Redirects and errors: only the status and the location matter; the body is not read.
        finish(undefined, { status, location: response.headers.location, body: '' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        const room = opts.maxResponseBytes - size;
        if (chunk.length < room) {
          chunks.push(chunk);
          size += chunk.length;
          return;
        }
        chunks.push(chunk.subarray(0, room));
        // Cut at the cap; a character split by the cut is left out (the decoder keeps it back).
        const body = new StringDecoder('utf8').write(Buffer.concat(chunks));
        finish(undefined, { status, body });
      });
      response.on('end', () => finish(undefined, { status, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (err: NodeJS.ErrnoException) => finish(connectionError(err, url)));
      response.on('close', () =>
        finish(
          new OutboundError(`${hostLabel(url)} closed the connection before the end of the answer`, true),
        ),
      );
    });
    req.end(opts.body);
  });
}

/**
 * POSTs `body` as JSON to `url`, signed. Resolves on a 2xx answer; throws `OutboundError`
 * otherwise: refused addresses and URLs, 4xx (except 408 and 429) and redirect problems are not
 * retryable; 408, 429, 5xx, timeouts and connection errors are.
 */
export async function postWebhook(opts: PostWebhookOptions): Promise<WebhookResponse> {
  const started = performance.now();
  const deadline = started + opts.timeoutMs;
  const allow = parseAllowCidrs(opts.allowCidrs ?? []);
  const resolver = opts.resolver ?? systemResolver;
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  let json: string | undefined;
  try {
    json = JSON.stringify(opts.body);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new OutboundError('The webhook body cannot be written as JSON', false);
  const payload = Buffer.from(json, 'utf8');
  if (payload.length > MAX_REQUEST_BYTES)
    throw new OutboundError(
      `The webhook body is ${payload.length} bytes, more than the ${MAX_REQUEST_BYTES} allowed`,
      false,
    );
  if (!/^[\x21-\x7e]{1,255}$/.test(opts.msgId)) throw new OutboundError('Invalid webhook message id', false);

  // Real time, not the automation clock: receivers compare it with their own clocks.
  const timestamp = Math.floor(Date.now() / 1000);
  const signed = {
    'user-agent': USER_AGENT,
    'webhook-id': opts.msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(opts.secret, opts.msgId, timestamp, json),
  };

  let target = checkTarget(opts.url, allow);
  let method: 'POST' | 'GET' = 'POST';
  for (let redirects = 0; ; redirects++) {
    const hop = await exchange({
      target,
      method,
      headers: method === 'POST' ? { ...signed, 'content-type': 'application/json' } : signed,
      body: method === 'POST' ? payload : undefined,
      deadline,
      timeoutMs: opts.timeoutMs,
      allow,
      resolver,
      maxResponseBytes,
      ca: opts.ca,
    });
    if (hop.status >= 200 && hop.status < 300)
      return { status: hop.status, body: hop.body, ms: Math.round(performance.now() - started) };
    if (!REDIRECT_STATUSES.has(hop.status)) {
      if (hop.status >= 400) throw statusError(hop.status);
      throw new OutboundError(`The webhook receiver answered ${hop.status}`, false, hop.status);
    }
    if (!hop.location)
      throw new OutboundError(
        `The webhook receiver answered ${hop.status} without a location`,
        false,
        hop.status,
      );
    if (redirects >= MAX_REDIRECTS)
      throw new OutboundError(`The webhook redirected more than ${MAX_REDIRECTS} times`, false, hop.status);
    target = checkTarget(hop.location, allow, target.url);
    // 307 and 308 repeat the POST; 301, 302 and 303 continue with a GET (as browsers and fetch do).
    if (hop.status !== 307 && hop.status !== 308) method = 'GET';
  }
}
