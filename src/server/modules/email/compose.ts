import { sql } from 'drizzle-orm';
import type { Keyring } from '../../lib/crypto.js';
import type { Db } from '../../lib/db.js';
import { escapeHtml } from '../../lib/html.js';
import { pgArray, rows } from '../../lib/sql.js';
import { messageIdFor, trackingUrls } from '../../lib/tokens.js';

/**
 * Turns a rendered message into what is sent: every http(s) link rewritten to a signed click URL
 * (the link stored first, so only stored links ever redirect), an open pixel, the marketing footer
 * (organisation, postal address, unsubscribe and preferences links) unless the template placed
 * its own unsubscribe link, and the RFC 8058 one-click unsubscribe headers.
 */
export interface ComposeInput {
  sendId: string;
  orgId: string;
  campaignId: string | null;
  html: string;
  text: string;
  /** Marketing mail gets tracking, the footer and List-Unsubscribe; transactional mail only tracking. */
  marketing: boolean;
  track: boolean;
  organization: { name: string; postalAddress: string };
}

export interface Composed {
  html: string;
  text: string;
  headers: Record<string, string>;
  messageId: string;
}

/** url → link id, per (org, campaign); filled on first use. Bounded. */
const linkCache = new Map<string, number>();
const LINK_CACHE_MAX = 50_000;

export async function linkIds(db: Db, orgId: string, campaignId: string | null, urls: string[]) {
  const out = new Map<string, number>();
  const missing: string[] = [];
  for (const url of urls) {
    const id = linkCache.get(`${orgId}|${campaignId}|${url}`);
    if (id !== undefined) out.set(url, id);
    else missing.push(url);
  }
  if (missing.length) {
    const found = await rows<{ id: string; url: string }>(
      db,
      sql`with input as (select distinct unnest(${pgArray(missing)}::text[]) as url),
        ins as (
          insert into email_links (org_id, campaign_id, url)
          select ${orgId}::uuid, ${campaignId}::uuid, url from input
          on conflict (org_id, coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid), md5(url))
          do nothing returning id, url)
        select id, url from ins
        union all
        select l.id, l.url from email_links l join input i on md5(l.url) = md5(i.url)
        where l.org_id = ${orgId} and l.campaign_id is not distinct from ${campaignId}::uuid`,
    );
    // A concurrent insert of the same URL (another lane) is not visible to this statement's
    // snapshot: read those again.
    const seen = new Set(found.map((f) => f.url));
    const late = missing.filter((u) => !seen.has(u));
    if (late.length) {
      found.push(
        ...(await rows<{ id: string; url: string }>(
          db,
          sql`select id, url from email_links where org_id = ${orgId}
            and campaign_id is not distinct from ${campaignId}::uuid
            and md5(url) = any(select md5(u) from unnest(${pgArray(late)}::text[]) u)`,
        )),
      );
    }
    if (linkCache.size > LINK_CACHE_MAX) linkCache.clear();
    for (const f of found) {
      out.set(f.url, Number(f.id));
      linkCache.set(`${orgId}|${campaignId}|${f.url}`, Number(f.id));
    }
  }
  return out;
}

const HREF = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi;
const TEXT_URL = /\bhttps?:\/\/[^\s<>"')\]]+/g;

function decodeEntities(url: string): string {
  return url.replace(/&amp;/g, '&');
}

export async function compose(
  db: Db,
  keys: Keyring,
  baseUrl: string,
  input: ComposeInput,
): Promise<Composed> {
  const unsubscribe = trackingUrls.unsubscribe(baseUrl, keys, input.sendId);
  const preferences = trackingUrls.preferences(baseUrl, keys, input.sendId);
  let html = input.html;
  let text = input.text;
  const hasOwnUnsubscribe = html.includes(unsubscribe) || html.includes(preferences);
  if (input.marketing && !hasOwnUnsubscribe) {
    const org = escapeHtml(input.organization.name);
    const address = escapeHtml(input.organization.postalAddress).replace(/\n/g, '<br>');
    const footer = `<div style="margin:24px auto 0;max-width:600px;padding:16px;font:12px/1.5 Arial,sans-serif;color:#6b7280;text-align:center">${org}<br>${address}<br><a href="${unsubscribe}" style="color:#6b7280">Unsubscribe</a> · <a href="${preferences}" style="color:#6b7280">Email preferences</a></div>`;
    html = /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : html + footer;
    text = `${text}\n\n--\n${input.organization.name}\n${input.organization.postalAddress}\nUnsubscribe: ${unsubscribe}\n`;
  }
  if (input.track) {
    const own = new Set([unsubscribe, preferences]);
    const urls = new Set<string>();
    for (const m of html.matchAll(HREF)) {
      const url = decodeEntities(m[3]!);
      if (!own.has(url)) urls.add(url);
    }
    for (const m of text.matchAll(TEXT_URL)) if (!own.has(m[0])) urls.add(m[0]);
    const ids = urls.size ? await linkIds(db, input.orgId, input.campaignId, [...urls]) : new Map();
    const click = (url: string) => {
      const id = ids.get(url);
      return id === undefined ? url : trackingUrls.click(baseUrl, keys, input.sendId, id);
    };
    html = html.replace(HREF, (all, pre: string, q: string, url: string) => {
      const real = decodeEntities(url);
      return own.has(real) ? all : `${pre}${q}${click(real)}${q}`;
    });
    text = text.replace(TEXT_URL, (url) => (own.has(url) ? url : click(url)));
    const pixel = `<img src="${trackingUrls.open(baseUrl, keys, input.sendId)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
    html = /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${pixel}</body>`) : html + pixel;
  }
  const messageId = messageIdFor(input.sendId, baseUrl);
  const headers: Record<string, string> = {
    'X-Moxora-Send-Id': input.sendId,
    // Providers that do not echo our headers in their webhooks echo these (modules/webhooks):
    // Postmark's metadata and SendGrid's unique arguments (its opens and clicks carry no smtp-id).
    'X-PM-Metadata-moxora_send_id': input.sendId,
    'X-SMTPAPI': JSON.stringify({ unique_args: { moxora_send_id: input.sendId } }),
  };
  if (input.marketing) {
    headers['List-Unsubscribe'] = `<${unsubscribe}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return { html, text, headers, messageId };
}
