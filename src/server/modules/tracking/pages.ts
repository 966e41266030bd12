import { createHash } from 'node:crypto';
import { escapeHtml } from '../../lib/html.js';
import {
  canResubscribe,
  isUnsubscribed,
  type PageSend,
  type SubscriptionStatus,
} from './tracking.service.js';

/**
 * The public unsubscribe and preference pages: server-rendered, no script, one inline style
 * allowed by its hash (Content-Security-Policy below), readable on a phone. Everything
 * interpolated is escaped.
 */

const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1c2024;--muted:#5f6670;--line:#e2e5e9;--accent:#2f5bea;--accent-fg:#fff;--danger:#c8372d}
@media (prefers-color-scheme:dark){:root{--bg:#111316;--card:#1b1e22;--fg:#e9ebee;--muted:#a0a7b0;--line:#2c3137;--accent:#6c8cff;--accent-fg:#0b0d10;--danger:#ff7a70}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:1.25rem;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:28rem;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.75rem}
h1{font-size:1.3rem;line-height:1.3;margin:0 0 .75rem}
p{margin:.5rem 0;color:var(--muted)}
strong{color:var(--fg);font-weight:600}
dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem 1rem;margin:1rem 0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
form{margin:1.25rem 0 0;display:flex;flex-wrap:wrap;gap:.5rem}
button{font:inherit;font-weight:600;border:0;border-radius:8px;padding:.65rem 1.1rem;cursor:pointer;background:var(--accent);color:var(--accent-fg);min-height:44px}
button.secondary{background:transparent;color:var(--fg);border:1px solid var(--line)}
button.danger{background:var(--danger);color:#fff}
.note{font-size:.875rem;margin-top:1.25rem}
a{color:var(--accent)}
`.trim();

const STYLE_HASH = createHash('sha256').update(CSS).digest('base64');

/** The policy of these pages: nothing may load or run but the one inline style; forms post here. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** `jane.doe@example.com` → `j•••@e•••.com`: enough to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${[...local][0] ?? ''}•••@${[...host][0] ?? ''}•••${tld}`;
}

const STATUS_LABEL: Record<SubscriptionStatus, string> = {
  subscribed: 'Subscribed',
  not_subscribed: 'Not subscribed',
  unsubscribed: 'Unsubscribed',
  bounced: 'Not receiving mail (messages to this address bounced)',
  complained: 'Not receiving mail (a message was reported as spam)',
};

function statusLabel(send: PageSend): string {
  if (send.status) return STATUS_LABEL[send.status];
  return send.unsubscribedAt ? 'Unsubscribed' : 'No longer on the list';
}

const e = escapeHtml;

/** GET /e/u/:token — asks; only the button (a POST) unsubscribes, so link scanners unsubscribe nobody. */
export function unsubscribeAskPage(send: PageSend, preferencesPath: string): string {
  const org = e(send.orgName);
  if (isUnsubscribed(send)) return unsubscribeDonePage(send, preferencesPath);
  return layout(
    `Unsubscribe from ${send.orgName}?`,
    `<h1>Unsubscribe from ${org}?</h1>
<p><strong>${e(maskEmail(send.email))}</strong> will no longer receive marketing emails from <strong>${org}</strong>.</p>
<form method="post">
<input type="hidden" name="via" value="page">
<button type="submit" class="danger">Unsubscribe</button>
</form>
<p class="note">Or <a href="${e(preferencesPath)}">manage your email preferences</a>.</p>`,
  );
}

/** After an unsubscribe (and for a recipient who already is). */
export function unsubscribeDonePage(send: PageSend, preferencesPath: string): string {
  const org = e(send.orgName);
  return layout(
    `Unsubscribed from ${send.orgName}`,
    `<h1>You are unsubscribed</h1>
<p><strong>${e(maskEmail(send.email))}</strong> will no longer receive marketing emails from <strong>${org}</strong>. Messages you ask for, such as receipts or password resets, may still be sent.</p>
<p class="note">Unsubscribed by mistake? <a href="${e(preferencesPath)}">Manage your email preferences</a>.</p>`,
  );
}

/** GET /e/p/:token — who, which address, what status, and the buttons that change it. */
export function preferencesPage(send: PageSend, notice?: string): string {
  const org = e(send.orgName);
  const buttons: string[] = [];
  if (send.status === 'subscribed' || send.status === 'not_subscribed')
    buttons.push(
      '<button type="submit" name="action" value="unsubscribe" class="danger">Unsubscribe</button>',
    );
  if (canResubscribe(send))
    buttons.push(
      `<button type="submit" name="action" value="resubscribe">${send.status === 'not_subscribed' ? 'Subscribe' : 'Resubscribe'}</button>`,
    );
  const explain =
    send.status === 'bounced' || send.status === 'complained'
      ? `<p class="note">To receive mail from ${org} again, contact them directly.</p>`
      : send.status === null
        ? `<p class="note">This address is no longer on ${org}'s list.</p>`
        : '';
  return layout(
    `Email preferences — ${send.orgName}`,
    `<h1>Email preferences</h1>
${notice ? `<p role="status"><strong>${e(notice)}</strong></p>` : ''}
<dl>
<dt>From</dt><dd>${org}</dd>
<dt>Address</dt><dd>${e(maskEmail(send.email))}</dd>
<dt>Status</dt><dd>${e(statusLabel(send))}</dd>
</dl>
${buttons.length ? `<form method="post">${buttons.join('\n')}</form>` : ''}
${explain}`,
  );
}

/** A link that is not (or no longer) valid. */
export function invalidLinkPage(): string {
  return layout(
    'Link not valid',
    `<h1>This link is not valid</h1>
<p>It may have been cut off or changed on its way. Open it again from the email, or copy the whole address into your browser.</p>`,
  );
}
