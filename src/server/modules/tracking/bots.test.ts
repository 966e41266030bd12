import { describe, expect, it } from 'vitest';
import {
  type BurstClick,
  ClickBursts,
  classifyClick,
  classifyOpen,
  ipv4ToInt,
  isEarlyClick,
} from './bots.js';

const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const IPHONE_MAIL =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const get = (ip: string, userAgent: string | undefined) => ({ method: 'GET', ip, userAgent });

describe('classifyOpen', () => {
  it('takes a browser or mail app on an ordinary address for a person', () => {
    expect(classifyOpen(get('203.0.113.7', CHROME))).toBeNull();
    expect(classifyOpen(get('2001:db8::1', IPHONE_MAIL))).toBeNull();
    expect(classifyOpen(get('::ffff:198.51.100.4', CHROME))).toBeNull();
  });

  it("takes Apple Mail Privacy Protection (Apple's 17.0.0.0/8, or the bare Mozilla/5.0) for a machine", () => {
    expect(classifyOpen(get('17.58.101.3', IPHONE_MAIL))).toBe('apple_privacy_proxy');
    expect(classifyOpen(get('::ffff:17.1.2.3', 'Mozilla/5.0'))).toBe('apple_privacy_proxy');
    expect(classifyOpen(get('203.0.113.7', 'Mozilla/5.0'))).toBe('generic_user_agent');
    // 16.x and 18.x are not Apple's.
    expect(classifyOpen(get('16.255.255.255', CHROME))).toBeNull();
    expect(classifyOpen(get('18.0.0.1', CHROME))).toBeNull();
  });

  it("takes Google's and Yahoo's image proxies for machines", () => {
    expect(
      classifyOpen(
        get(
          '66.249.84.1',
          'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
        ),
      ),
    ).toBe('google_image_proxy');
    expect(
      classifyOpen(get('203.0.113.9', 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy')),
    ).toBe('yahoo_proxy');
  });

  it('takes a missing User-Agent and scanner agents for machines', () => {
    expect(classifyOpen(get('203.0.113.7', undefined))).toBe('no_user_agent');
    expect(classifyOpen(get('203.0.113.7', '  '))).toBe('no_user_agent');
    expect(classifyOpen(get('203.0.113.7', 'Barracuda Sentinel (EE)'))).toBe('scanner_agent');
  });

  it("takes Outlook for Windows and Android mail apps fetching images for people (their UA is a scanner's for clicks)", () => {
    const outlook = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)';
    expect(classifyOpen(get('203.0.113.7', outlook))).toBeNull();
    expect(classifyOpen(get('203.0.113.7', 'okhttp/4.12.0'))).toBeNull();
    expect(classifyClick(get('203.0.113.7', outlook))).toBe('scanner_agent');
  });
});

describe('classifyClick', () => {
  it('takes a browser click for a person, also from Apple addresses (the range is for opens)', () => {
    expect(classifyClick(get('203.0.113.7', CHROME))).toBeNull();
    expect(classifyClick(get('17.58.101.3', IPHONE_MAIL))).toBeNull();
  });

  it('takes HEAD requests for machines', () => {
    expect(classifyClick({ method: 'HEAD', ip: '203.0.113.7', userAgent: CHROME })).toBe('head_request');
  });

  it.each([
    'Mozilla/5.0 (compatible; Barracuda/1.0)',
    'Proofpoint URL Defense',
    'Mimecast-URL-Protect/1.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b',
    'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
    'python-requests/2.32.3',
    'curl/8.5.0',
    'Go-http-client/1.1',
    'Wget/1.21.4',
    'Java/17.0.2',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36',
    '',
  ])('takes %j for a machine', (ua) => {
    expect(classifyClick(get('203.0.113.7', ua))).not.toBeNull();
  });
});

describe('isEarlyClick', () => {
  const sent = new Date('2026-12-01T10:00:00Z');
  it('is true within 10 seconds of sending, false later or without a send time', () => {
    expect(isEarlyClick(new Date(sent.getTime() + 500), sent)).toBe(true);
    expect(isEarlyClick(new Date(sent.getTime() + 9_999), sent)).toBe(true);
    expect(isEarlyClick(new Date(sent.getTime() + 10_000), sent)).toBe(false);
    expect(isEarlyClick(new Date(sent.getTime() + 3_600_000), sent)).toBe(false);
    expect(isEarlyClick(new Date(sent.getTime() + 500), null)).toBe(false);
  });
});

describe('ClickBursts', () => {
  const click = (sendId: string, linkId: number, at: number): BurstClick => ({
    sendId,
    linkId,
    occurredAt: new Date(at),
  });
  const t0 = Date.UTC(2026, 11, 1, 10);

  it('marks every click of 3 distinct links of one message within 2 seconds, and only those', () => {
    const b = new ClickBursts();
    const a = click('s1', 1, t0);
    const c = click('s1', 2, t0 + 800);
    const d = click('s1', 2, t0 + 900); // the same link again
    const other = click('s2', 3, t0 + 900); // another message
    for (const x of [a, c, d, other]) b.record(x);
    expect([a, c, d].map((x) => x.machine)).toEqual([undefined, undefined, undefined]);
    const e = click('s1', 3, t0 + 1_900);
    b.record(e);
    expect([a, c, d, e].every((x) => x.machine === true)).toBe(true);
    expect(e.detail).toEqual({ machineReason: 'link_burst' });
    expect(other.machine).toBeUndefined();
  });

  it('leaves 3 distinct links spread over more than 2 seconds alone, and the same link clicked often', () => {
    const b = new ClickBursts();
    const spread = [click('s1', 1, t0), click('s1', 2, t0 + 1_500), click('s1', 3, t0 + 3_600)];
    for (const x of spread) b.record(x);
    expect(spread.some((x) => x.machine)).toBe(false);
    const same = [0, 100, 200, 300].map((d) => click('s3', 7, t0 + d));
    for (const x of same) b.record(x);
    expect(same.some((x) => x.machine)).toBe(false);
  });

  it('forgets quiet messages and stays bounded', () => {
    const b = new ClickBursts(100);
    for (let i = 0; i < 1_000; i++) b.record(click(`s${i}`, 1, t0 + i));
    expect(b.size).toBeLessThanOrEqual(101);
    b.sweep(t0 + 60_000);
    expect(b.size).toBe(0);
  });
});

describe('ipv4ToInt', () => {
  it('parses dotted quads and IPv4-mapped IPv6, and refuses the rest', () => {
    expect(ipv4ToInt('17.0.0.1')).toBe(17 * 2 ** 24 + 1);
    expect(ipv4ToInt('::ffff:17.0.0.1')).toBe(17 * 2 ** 24 + 1);
    expect(ipv4ToInt('256.0.0.1')).toBeNull();
    expect(ipv4ToInt('2001:db8::1')).toBeNull();
    expect(ipv4ToInt('1.2.3')).toBeNull();
  });
});
