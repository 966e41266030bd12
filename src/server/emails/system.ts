import { escapeHtml } from '../lib/html.js';
import type { MailMessage } from '../lib/mailer.js';

/**
 * System emails (account, organisation, workflow notifications). Every interpolated value is
 * escaped in HTML. Subjects are fixed text: never a name, an organisation name or anything else a
 * user typed, so a mail Moxora sends cannot carry someone else's headline (spam, phishing) in the
 * one line a mail client shows (test/mail-limits.test.ts renders each with a hostile name).
 */
function layout(title: string, paragraphs: string[], action: { label: string; url: string }, footer: string) {
  const html = `<!doctype html><html><body style="margin:0;background:#f6f7f9;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px">
<table role="presentation" width="480" cellpadding="0" cellspacing="0" style="background:#fff;border-radius:12px;border:1px solid #e5e7eb;padding:32px">
<tr><td><p style="font-weight:700;font-size:18px;margin:0 0 24px">Moxora</p>
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p style="font-size:15px;line-height:1.5;margin:0 0 16px">${escapeHtml(p)}</p>`).join('\n')}
<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#4f46e5;color:#fff;padding:10px 18px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(action.label)}</a></p>
<p style="font-size:13px;color:#6b7280;line-height:1.5;margin:0">${escapeHtml(footer)}</p>
</td></tr></table></td></tr></table></body></html>`;
  const text = `${title}\n\n${paragraphs.join('\n\n')}\n\n${action.label}: ${action.url}\n\n${footer}\n`;
  return { html, text };
}

/**
 * No name in it: whoever signed up chose the name, and the address has not confirmed anything
 * yet, so nothing typed by the sender reaches the inbox.
 */
export function verificationEmail(to: string, url: string): MailMessage {
  const { html, text } = layout(
    'Confirm your email address',
    ['Hi,', 'Welcome to Moxora. Please confirm your email address to finish creating your account.'],
    { label: 'Verify email', url },
    'This link expires in 24 hours. If you did not sign up, you can ignore this email.',
  );
  return { to, subject: 'Verify your email address for Moxora', text, html };
}

/** `name` only for a verified account (its owner chose it); undefined greets without a name. */
export function resetPasswordEmail(to: string, name: string | undefined, url: string): MailMessage {
  const { html, text } = layout(
    'Reset your password',
    [name ? `Hi ${name},` : 'Hi,', 'Someone asked to reset the password of your Moxora account.'],
    { label: 'Choose a new password', url },
    'This link expires in 1 hour. If you did not ask for it, ignore this email: your password stays the same.',
  );
  return { to, subject: 'Reset your Moxora password', text, html };
}

export function invitationEmail(
  to: string,
  inviterName: string,
  organizationName: string,
  role: string,
  url: string,
): MailMessage {
  const { html, text } = layout(
    `Join ${organizationName} on Moxora`,
    [`${inviterName} invited you to join ${organizationName} as ${role}.`],
    { label: 'Accept invitation', url },
    `This invitation is for ${to} only and expires in 7 days.`,
  );
  return { to, subject: 'You have been invited to join a team on Moxora', text, html };
}

/** `name` only for a verified account (its owner chose it); undefined greets without a name. */
export function existingAccountEmail(to: string, name: string | undefined, signInUrl: string): MailMessage {
  const { html, text } = layout(
    'You already have a Moxora account',
    [
      name ? `Hi ${name},` : 'Hi,',
      'Someone (perhaps you) tried to create a Moxora account with this email address, which already has one.',
      'If it was you, sign in, or reset your password from the sign-in page if you forgot it.',
    ],
    { label: 'Sign in', url: signInUrl },
    'If it was not you, you can ignore this email: nothing changed on your account.',
  );
  return { to, subject: 'You already have a Moxora account', text, html };
}

/** The "notify a teammate" step of a workflow (automations engine). */
export function workflowNotificationEmail(
  to: string,
  input: { workflowName: string; message: string; contact: string; url: string },
): MailMessage {
  const { html, text } = layout(
    `Workflow: ${input.workflowName}`,
    [input.message, `Contact: ${input.contact}`],
    { label: 'Open the contact', url: input.url },
    'You get this email because a workflow of your organisation on Moxora notifies you.',
  );
  return { to, subject: 'A workflow notification from Moxora', text, html };
}
