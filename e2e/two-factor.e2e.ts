import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, expect as baseExpect, type Page, test } from '@playwright/test';
import { totp } from '../test/helpers/totp';
import { CHROMIUM_MISSING_MESSAGE, chromiumAvailable } from './chromium';
import { apiAs, createSignedInOwner, joinThroughInvitation, ORIGIN, watchBrowserErrors } from './helpers';

// Skipped only on a machine without Debian's Chromium; under CI=true playwright.config.ts fails instead.
test.skip(!chromiumAvailable, CHROMIUM_MISSING_MESSAGE);
// Many steps (two sign-ins per recovery code): generous waits for a busy machine, never fixed sleeps.
test.use({ actionTimeout: 45_000 });
const expect = baseExpect.configure({ timeout: 45_000 });

const SHOTS = process.env.E2E_SHOTS_DIR ?? path.resolve('e2e/screenshots');
/** A full-page screenshot (toasts hidden) for a person to look at. */
async function snap(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SHOTS, `two-factor-${name}.png`),
    fullPage: true,
    style: '[data-sonner-toaster] { display: none !important; }',
  });
}

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const user = (name: string) => ({
  name,
  email: `${name.split(' ')[0]!.toLowerCase()}.2fa.${runId}@example.com`,
  password: 'correct-horse-42',
});

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function signOut(page: Page) {
  const res = await page.request.post('/api/auth/sign-out', { data: {}, headers: { Origin: ORIGIN } });
  expect(res.status()).toBeLessThan(400);
}

/** The password step on the sign-in page; ends on the code step. */
async function passwordStep(page: Page, who: { email: string; password: string }) {
  await page.goto('/sign-in');
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
}

/** Sets up two-factor sign-in on the security page; answers the secret and the recovery codes. */
async function setUpTwoFactor(page: Page, password: string, shots = false) {
  await page.goto('/settings/security');
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await page.getByLabel('Confirm with your password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]+$/);
  if (shots) await snap(page, '02-scan');
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  const list = page.getByRole('list', { name: 'Recovery codes' });
  await expect(list).toBeVisible();
  const codes = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  if (shots) await snap(page, '03-recovery-codes');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByText('On', { exact: true })).toBeVisible();
  return { secret, codes };
}

test('two-factor sign-in: set up with the QR page, sign in with a code and with a recovery code (once), sign out another session', async ({
  page,
  browser,
}) => {
  test.setTimeout(600_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  const owner = user('Tess Twofactor');
  await createSignedInOwner(page, owner);

  await page.goto('/settings/security');
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
  await expect(page.getByText('This session')).toBeVisible();
  await snap(page, '01-security-off');
  const { secret, codes } = await setUpTwoFactor(page, owner.password, true);
  await snap(page, '04-security-on');

  // Password, then the code from the app.
  await signOut(page);
  await passwordStep(page, owner);
  await snap(page, '05-sign-in-code-step');
  await page.getByLabel('Authentication code').fill('000000' === totp(secret) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not right')).toBeVisible();
  await snap(page, '06-sign-in-wrong-code');
  await page.getByLabel('Authentication code').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);

  // A recovery code works once.
  await signOut(page);
  await passwordStep(page, owner);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await signOut(page);
  await passwordStep(page, owner);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That recovery code is not valid')).toBeVisible();
  await snap(page, '07-recovery-code-used');
  await page.getByLabel('Recovery code').fill(codes[1]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);

  // Another device signs in (password + code); this page signs it out.
  const other = await newPage(browser);
  const otherApi = apiAs(other);
  await otherApi('POST', '/api/auth/sign-in/email', { email: owner.email, password: owner.password });
  await otherApi('POST', '/api/auth/two-factor/verify-totp', { code: totp(secret) });
  expect((await other.request.get('/api/v1/me')).status()).toBe(200);

  await page.goto('/settings/security');
  const rows = page.getByRole('table', { name: 'Sessions' }).getByRole('row');
  await expect(rows).toHaveCount(3); // header, this session, the other device
  await snap(page, '08-sessions');
  await rows
    .filter({ hasNotText: 'This session' })
    .getByRole('button', { name: /^Sign out/ })
    .click();
  await expect(rows).toHaveCount(2);
  await expect.poll(async () => (await other.request.get('/api/v1/me')).status()).toBe(401);
  expect((await page.request.get('/api/v1/me')).status()).toBe(200);
  await other.context().close();
  assertNoBrowserErrors();
});

test('an owner requires two-factor sign-in: a member without it is sent to set it up, then gets in', async ({
  page,
  browser,
}) => {
  test.setTimeout(600_000);
  const owner = user('Orla Owner');
  await createSignedInOwner(page, owner);
  await setUpTwoFactor(page, owner.password);

  const member = user('Milo Member');
  const memberPage = await newPage(browser);
  await joinThroughInvitation(page, memberPage, member, 'member');

  await page.goto('/settings/organization');
  const toggle = page.getByRole('switch', { name: 'Require two-factor sign-in for every member' });
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByText('1 member has not set up two-factor sign-in yet')).toBeVisible();
  await snap(page, '09-org-require');

  // The member opens the app: every organisation call says TWO_FACTOR_REQUIRED, the app sends them to setup.
  await memberPage.goto('/contacts');
  await expect(memberPage).toHaveURL(/\/settings\/security/);
  await expect(memberPage.getByText('Two-factor sign-in is required')).toBeVisible();
  await snap(memberPage, '10-member-sent-to-setup');
  await setUpTwoFactor(memberPage, member.password);
  await memberPage.goto('/contacts');
  await expect(memberPage).toHaveURL(/\/contacts/);
  await expect(memberPage.getByRole('heading', { name: 'Contacts' }).first()).toBeVisible();
  await snap(memberPage, '11-member-in');
  await memberPage.context().close();
});
