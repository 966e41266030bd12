import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { simpleParser } from 'mailparser';

const SCREENSHOT_DIR = path.resolve('e2e/screenshots');

/** Saves a full-page screenshot to e2e/screenshots/<name>.png (git-ignored) for a human to look at. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let entrance animations and toasts settle so the picture shows the resting state.
  await page.waitForTimeout(350);
  // Toasts are transient and would cover the screen being reviewed.
  await page.screenshot({
    path: path.join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: true,
    style: '[data-sonner-toaster] { display: none !important; }',
  });
}

/**
 * Opens the dev outbox (/_dev/outbox, newest first), finds the newest message to `to` whose subject
 * matches `subject`, opens it and returns the first link in its body matching `link`.
 * Mail is sent by a background job, so this polls for a while.
 */
export async function linkFromOutbox(
  page: Page,
  { to, subject, link }: { to: string; subject: RegExp; link: RegExp },
): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.goto('/_dev/outbox');
    await expect(page.getByRole('heading', { name: 'Outbox' })).toBeVisible();
    const row = page
      .getByRole('row')
      .filter({ hasText: to })
      .filter({ has: page.getByRole('link', { name: subject }) })
      .first();
    if ((await row.count()) > 0) {
      await row.getByRole('link', { name: subject }).click();
      await expect(page.getByText(to).first()).toBeVisible();
      const anchor = page.getByTestId('message-text').locator('a').filter({ hasText: link }).first();
      await expect(anchor).toBeVisible();
      const href = await anchor.getAttribute('href');
      if (!href) throw new Error(`The message to ${to} has a link without href`);
      return href;
    }
    if (Date.now() > deadline)
      throw new Error(`No message to ${to} matching ${subject} in the outbox after 30 s`);
    await page.waitForTimeout(500);
  }
}

/**
 * Records what must never happen in the browser: uncaught exceptions and Content-Security-Policy
 * violations (the server sends a strict CSP, so an inline script or style would break silently).
 * Failed requests (401 on /me when signed out, 403 on unverified sign-in…) are expected and ignored.
 */
export function watchBrowserErrors(page: Page): () => void {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (
      message.type() === 'error' &&
      /Content Security Policy|Refused to (execute|load|apply)/i.test(message.text())
    ) {
      problems.push(`csp: ${message.text()}`);
    }
  });
  return () => expect(problems, problems.join('\n')).toEqual([]);
}

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

/**
 * Per spec file: an id unique to this run (for names and addresses that must not clash with an
 * earlier run's), and the test user called `name` (address from the first name and the run id).
 */
export function runUsers() {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const user = (name: string): TestUser => ({
    name,
    email: `${name.split(' ')[0]!.toLowerCase()}.${runId}@example.com`,
    password: 'correct-horse-42',
  });
  return { runId, user };
}

/** Fills the sign-up form and waits for "Check your inbox". */
export async function signUp(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Full name').fill(user.name);
  await page.getByLabel('Work email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('checkbox', { name: 'I confirm that I am 16 or older' }).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await expect(page.getByText(user.email)).toBeVisible();
}

/** Opens the verification link from the dev outbox; lands on sign-in with "Email verified". */
export async function verifyViaOutbox(page: Page, email: string): Promise<void> {
  const href = await linkFromOutbox(page, { to: email, subject: /verify your email/i, link: /verify-email/ });
  await page.goto(href);
  await expect(page).toHaveURL(/\/sign-in\?.*verified=1/);
  await expect(page.getByText('Email verified, you can sign in.')).toBeVisible();
}

/** Signs in from the sign-in page. */
export async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

export const ORIGIN = 'http://localhost:3123';

/** JSON API calls from a page's browser context (its session cookie), with the Origin the server wants. */
export function apiAs(page: Page) {
  return async <T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    data?: unknown,
    expectStatus?: number,
  ): Promise<T> => {
    const response = await page.request.fetch(path, { method, data, headers: { Origin: ORIGIN } });
    const text = await response.text();
    if (expectStatus !== undefined) {
      expect(response.status(), `${method} ${path} → ${response.status()} ${text}`).toBe(expectStatus);
    } else {
      expect(response.ok(), `${method} ${path} → ${response.status()} ${text}`).toBeTruthy();
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** The newest link in a mail to `to` whose subject matches, read from the e2e server's outbox folder. */
async function linkFromOutboxFiles(to: string, subject: RegExp, link: RegExp): Promise<string> {
  const dir = path.resolve('.tmp/e2e-data/outbox');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const names = existsSync(dir)
      ? readdirSync(dir)
          .filter((n) => n.endsWith('.eml'))
          .sort()
          .reverse()
      : [];
    for (const name of names) {
      const mail = await simpleParser(readFileSync(path.join(dir, name)));
      const recipients = Array.isArray(mail.to)
        ? mail.to.map((a) => a.text).join(', ')
        : (mail.to?.text ?? '');
      if (!recipients.includes(to) || !subject.test(mail.subject ?? '')) continue;
      const found = (mail.text ?? '').match(/https?:\/\/\S+/g)?.find((l) => link.test(l));
      if (found) return found;
    }
    if (Date.now() > deadline) throw new Error(`No mail to ${to} matching ${subject} after 30 s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * A verified account with its own organisation, signed in in `page`'s context, made through the API
 * (sign-up, the verification link from the outbox, sign-in): for specs about what comes after.
 */
export async function createSignedInOwner(page: Page, user: TestUser): Promise<void> {
  const api = apiAs(page);
  await api('POST', '/api/auth/sign-up/email', { ...user, ageConfirmed: true });
  const href = await linkFromOutboxFiles(user.email, /verify your email/i, /verify-email/);
  const verified = await page.request.get(href, { maxRedirects: 0 });
  expect(verified.status()).toBeLessThan(400);
  await api('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password });
}

/** `user` joins the organisation of `inviter` with `role`, through the invitation sign-up, signed in in `page`. */
export async function joinThroughInvitation(
  inviter: Page,
  page: Page,
  user: TestUser,
  role: 'admin' | 'member' | 'viewer',
): Promise<void> {
  const invitation = await apiAs(inviter)<{ id: string }>('POST', '/api/v1/invitations', {
    email: user.email,
    role,
  });
  await apiAs(page)('POST', '/api/auth/sign-up/invitation', {
    invitationId: invitation.id,
    name: user.name,
    password: user.password,
    ageConfirmed: true,
  });
}
