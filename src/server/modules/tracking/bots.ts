/**
 * Human or machine? Opens and clicks that no person made: mail privacy proxies fetching every
 * image, security gateways following every link. They are recorded (the raw event keeps them,
 * with `machine: true`) but counted apart, so reports show what people did.
 *
 * Two kinds of rules (docs/operations.md, "Tracking", lists them all):
 * - per request (here, at request time): who asked (IP range, User-Agent) and how (HEAD);
 * - over time (ClickBursts below at request time, `isEarlyClick` at flush time): a click within
 *   10 seconds of sending, or 3 or more distinct links of one message within 2 seconds.
 */

export type MachineReason =
  | 'apple_privacy_proxy'
  | 'google_image_proxy'
  | 'yahoo_proxy'
  | 'generic_user_agent'
  | 'no_user_agent'
  | 'scanner_agent'
  | 'scanner_range'
  | 'head_request'
  | 'early_click'
  | 'link_burst';

/**
 * Security gateways, link checkers and HTTP libraries (matched case-insensitively in the UA).
 * `opens: false`: not for opens, where a person's mail program sends it too (Outlook for Windows
 * fetches images as "Microsoft Office/16.0 …"; Android mail apps as okhttp or Java).
 */
export const SCANNER_AGENTS: ReadonlyArray<{ re: RegExp; name: string; opens: boolean }> = [
  { re: /barracuda/i, name: 'Barracuda', opens: true },
  { re: /proofpoint/i, name: 'Proofpoint', opens: true },
  { re: /mimecast/i, name: 'Mimecast', opens: true },
  { re: /bingpreview/i, name: 'Microsoft Safe Links (BingPreview)', opens: true },
  { re: /microsoft office/i, name: 'Microsoft Office / Defender for Office 365', opens: false },
  { re: /ms-office|msoffice/i, name: 'Microsoft Office', opens: false },
  { re: /python-requests|python-urllib|aiohttp|httpx/i, name: 'Python HTTP library', opens: true },
  { re: /^curl\//i, name: 'curl', opens: true },
  { re: /^wget\//i, name: 'Wget', opens: true },
  { re: /go-http-client/i, name: 'Go HTTP client', opens: true },
  { re: /libwww-perl|lwp::/i, name: 'Perl LWP', opens: true },
  { re: /^java\/|apache-httpclient|okhttp/i, name: 'Java HTTP client', opens: false },
  { re: /node-fetch|axios\/|undici/i, name: 'Node HTTP library', opens: true },
  { re: /headlesschrome|phantomjs/i, name: 'Headless browser', opens: true },
  {
    re: /symantec|messagelabs|forcepoint|trendmicro|fireeye|ironport|sophos/i,
    name: 'Security gateway',
    opens: true,
  },
];

/** IPv4 ranges whose requests are machines, with why. Apple's 17.0.0.0/8 carries Mail Privacy Protection. */
export const MACHINE_RANGES: ReadonlyArray<{ cidr: string; reason: MachineReason; opensOnly: boolean }> = [
  { cidr: '17.0.0.0/8', reason: 'apple_privacy_proxy', opensOnly: true },
];

const parsedRanges = MACHINE_RANGES.map((r) => {
  const [base, bits] = r.cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { ...r, net: (ipv4ToInt(base)! & mask) >>> 0, mask };
});

/** `a.b.c.d` (also IPv4-mapped IPv6 `::ffff:a.b.c.d`) as an unsigned integer, or null. */
export function ipv4ToInt(ip: string): number | null {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const parts = v4.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const b = Number(p);
    if (b > 255) return null;
    n = n * 256 + b;
  }
  return n;
}

function rangeOf(ip: string, kind: 'open' | 'click'): MachineReason | null {
  const n = ipv4ToInt(ip);
  if (n === null) return null;
  for (const r of parsedRanges) {
    if (r.opensOnly && kind !== 'open') continue;
    if ((n & r.mask) >>> 0 === r.net) return r.reason;
  }
  return null;
}

function scannerOf(ua: string, kind: 'open' | 'click'): string | null {
  for (const s of SCANNER_AGENTS) if ((kind === 'click' || s.opens) && s.re.test(ua)) return s.name;
  return null;
}

export interface RequestFacts {
  method: string;
  ip: string;
  userAgent: string | undefined;
}

/** Why an open is a machine's, or null for a person. */
export function classifyOpen(f: RequestFacts): MachineReason | null {
  const ua = (f.userAgent ?? '').trim();
  const range = rangeOf(f.ip, 'open');
  if (range) return range;
  if (ua === '') return 'no_user_agent';
  if (/googleimageproxy|ggpht\.com/i.test(ua)) return 'google_image_proxy';
  if (/yahoomailproxy/i.test(ua)) return 'yahoo_proxy';
  // Apple Mail Privacy Protection (and other proxies) send a bare "Mozilla/5.0": no browser does.
  if (/^mozilla\/5\.0$/i.test(ua)) return 'generic_user_agent';
  if (scannerOf(ua, 'open')) return 'scanner_agent';
  return null;
}

/** Why a click is a machine's (by the request alone), or null for a person. */
export function classifyClick(f: RequestFacts): MachineReason | null {
  if (f.method === 'HEAD') return 'head_request';
  const ua = (f.userAgent ?? '').trim();
  const range = rangeOf(f.ip, 'click');
  if (range) return range;
  if (ua === '') return 'no_user_agent';
  if (scannerOf(ua, 'click')) return 'scanner_agent';
  return null;
}

/** Clicks within this long after the message was sent are a gateway scanning it on arrival. */
export const EARLY_CLICK_MS = 10_000;
/** This many distinct links of one message … */
export const BURST_LINKS = 3;
/** … clicked within this window are a scanner following every link. */
export const BURST_WINDOW_MS = 2_000;

export function isEarlyClick(occurredAt: Date, sentAt: Date | null | undefined): boolean {
  if (!sentAt) return false;
  const d = occurredAt.getTime() - sentAt.getTime();
  return d >= 0 && d < EARLY_CLICK_MS;
}

/** A click as the burst detector sees it: the buffered event itself, marked in place. */
export interface BurstClick {
  sendId: string;
  linkId?: number;
  occurredAt?: Date;
  machine?: boolean;
  detail?: Record<string, unknown>;
}

/**
 * "Every link of a message at once": remembers each message's clicks of the last
 * BURST_WINDOW_MS. When a click arrives, the window ending at it is checked; if it holds
 * BURST_LINKS or more distinct links, every click in it is marked machine. Any qualifying 2-second
 * window is seen whole when its last click arrives, so this finds every member of every burst.
 * The buffer holds clicks back for BURST_WINDOW_MS before writing them, so a click is still
 * unwritten when a later one proves it part of a burst.
 */
export class ClickBursts {
  private recent = new Map<string, BurstClick[]>();
  private lastSweep = 0;
  constructor(private readonly maxSends = 200_000) {}

  record(click: BurstClick, now = click.occurredAt?.getTime() ?? Date.now()): void {
    const since = now - BURST_WINDOW_MS;
    let list = this.recent.get(click.sendId);
    if (list) {
      list = list.filter((c) => (c.occurredAt?.getTime() ?? 0) >= since);
      list.push(click);
    } else {
      list = [click];
    }
    // Re-inserted, so the map stays ordered by last click (the sweep drops the oldest first).
    this.recent.delete(click.sendId);
    this.recent.set(click.sendId, list);
    const distinct = new Set(list.map((c) => c.linkId));
    if (distinct.size >= BURST_LINKS) {
      for (const c of list) {
        if (!c.machine) {
          c.machine = true;
          c.detail = { ...c.detail, machineReason: 'link_burst' satisfies MachineReason };
        }
      }
    }
    if (now - this.lastSweep > BURST_WINDOW_MS || this.recent.size > this.maxSends) this.sweep(now);
  }

  /** Forgets messages with no click in the window (keeps memory bounded). */
  sweep(now = Date.now()): void {
    this.lastSweep = now;
    const since = now - BURST_WINDOW_MS;
    for (const [sendId, list] of this.recent) {
      const last = list[list.length - 1]?.occurredAt?.getTime() ?? 0;
      if (last < since) this.recent.delete(sendId);
    }
    // Still too many (a flood of distinct messages): drop the oldest entries.
    if (this.recent.size > this.maxSends) {
      let excess = this.recent.size - this.maxSends;
      for (const key of this.recent.keys()) {
        if (excess-- <= 0) break;
        this.recent.delete(key);
      }
    }
  }

  get size(): number {
    return this.recent.size;
  }
}
