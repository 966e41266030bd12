import { type Browser, expect, type Page, test } from '@playwright/test';
import { CHROMIUM_MISSING_MESSAGE, chromiumAvailable } from './chromium';
import {
  apiAs,
  createSignedInOwner,
  joinThroughInvitation,
  runUsers,
  snap,
  watchBrowserErrors,
} from './helpers';

// Skipped only on a machine without Debian's Chromium; under CI=true playwright.config.ts fails instead.
test.skip(!chromiumAvailable, CHROMIUM_MISSING_MESSAGE);

const { runId, user } = runUsers();

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

interface Me {
  organizations: Array<{ id: string; name: string }>;
  activeOrganization: { id: string; name: string } | null;
}

test('an invitee signs up from the invitation link: address prefilled and fixed, no verification, no organisation of their own; signed-in users skip sign-in and sign-up', async ({
  page,
  browser,
}) => {
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Ines Inviter'));
  const api = apiAs(page);
  await api('PATCH', '/api/v1/organization', { name: `Invitely ${runId}` });
  const invitee = user('Theo Teammate');
  const invitation = await api<{ id: string }>('POST', '/api/v1/invitations', {
    email: invitee.email,
    role: 'member',
  });

  // A signed-in user is sent into the app from the sign-in and sign-up pages.
  await page.goto('/sign-in');
  await expect(page).toHaveURL(/\/contacts$/);
  await page.goto('/sign-up');
  await expect(page).toHaveURL(/\/contacts$/);
  await page.goto('/sign-in?redirect=%2Fsettings%2Fprofile');
  await expect(page).toHaveURL(/\/settings\/profile$/);

  const other = await newPage(browser);
  const assertNoOtherErrors = watchBrowserErrors(other);
  await other.goto(`/invitations/${invitation.id}`);
  await other.getByRole('link', { name: 'Create an account' }).click();
  await expect(other).toHaveURL(/\/sign-up\?invitation=/);
  await expect(other.getByRole('heading', { name: `Join Invitely ${runId}` })).toBeVisible();
  const email = other.getByLabel('Work email');
  await expect(email).toHaveValue(invitee.email);
  await expect(email).toHaveAttribute('readonly', '');
  await snap(other, '70-invitation-sign-up');
  await other.getByLabel('Full name').fill(invitee.name);
  await other.getByLabel('Password', { exact: true }).fill(invitee.password);
  await other.getByRole('checkbox', { name: 'I confirm that I am 16 or older' }).check();
  await other.getByRole('button', { name: 'Create account and join' }).click();

  // Straight into the organisation: no "Check your inbox", no organisation of their own.
  await expect(other).toHaveURL(/\/contacts$/);
  await expect(other.getByTestId('org-switcher')).toContainText(`Invitely ${runId}`);
  const me = await apiAs(other)<Me & { user: { emailVerified: boolean } }>('GET', '/api/v1/me');
  expect(me.user.emailVerified).toBe(true);
  expect(me.organizations.map((o) => o.name)).toEqual([`Invitely ${runId}`]);
  await snap(other, '71-invitee-in-the-app');

  // The link is used up now.
  await other.context().clearCookies();
  await other.goto(`/sign-up?invitation=${invitation.id}`);
  await expect(other.getByRole('heading', { name: 'Invitation no longer valid' })).toBeVisible();
  assertNoOtherErrors();
  await other.context().close();
  assertNoBrowserErrors();
});

test('members leave an organisation; its only owner cannot, and deletes it after typing its name', async ({
  page,
  browser,
}) => {
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Dora Deleter'));
  const api = apiAs(page);
  const home = await api<Me>('GET', '/api/v1/me');
  const doomedName = `Doomed ${runId}`;
  await api('POST', '/api/v1/organizations', { name: doomedName });
  await api('POST', '/api/v1/contacts', { firstName: 'Gone', email: `gone.${runId}@example.com` });

  // A member leaves (their only organisation: they are asked to create one).
  const member = await newPage(browser);
  const leaver = user('Lea Leaver');
  await joinThroughInvitation(page, member, leaver, 'member');
  await member.goto('/settings/organization');
  await member.getByRole('button', { name: 'Leave organisation' }).click();
  await member
    .getByRole('alertdialog', { name: `Leave ${doomedName}?` })
    .getByRole('button', { name: 'Leave organisation' })
    .click();
  await expect(member.getByRole('heading', { name: /^Welcome, Lea/ })).toBeVisible();
  expect((await apiAs(member)<Me>('GET', '/api/v1/me')).organizations).toEqual([]);
  await member.context().close();

  // The only owner cannot leave, and is told why.
  await page.goto('/settings/organization');
  const leave = page.getByRole('button', { name: 'Leave organisation' });
  await expect(leave).toBeDisabled();
  await leave.hover({ force: true });
  await expect(page.getByRole('tooltip', { name: /only owner/ })).toBeVisible();

  // Delete: only once the name is typed.
  await page.getByRole('button', { name: 'Delete organisation' }).click();
  const dialog = page.getByRole('alertdialog', { name: `Delete ${doomedName}?` });
  const confirm = dialog.getByRole('button', { name: 'Delete organisation' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox').fill('Doomed');
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox').fill(doomedName);
  await snap(page, '72-delete-organization');
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByTestId('org-switcher')).toContainText(home.activeOrganization!.name);
  const after = await api<Me>('GET', '/api/v1/me');
  expect(after.organizations.map((o) => o.name)).toEqual([home.activeOrganization!.name]);
  await expect(page.getByText(`gone.${runId}@example.com`)).toHaveCount(0);
  assertNoBrowserErrors();
});
