import { expect, test } from '@playwright/test';
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

test('a member removed while away is told so on their next visit, and chooses where to go (issue 11)', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const owner = user('Rhea Removal');
  await createSignedInOwner(page, owner);
  const ownerApi = apiAs(page);
  await ownerApi('PATCH', '/api/v1/organization', { name: `Acme ${runId}` });

  const memberPage = await (await browser.newContext()).newPage();
  const assertNoBrowserErrors = watchBrowserErrors(memberPage);
  const member = user('Milo Member');
  await joinThroughInvitation(page, memberPage, member, 'member');
  const memberApi = apiAs(memberPage);
  // The member has an organisation of their own too, and works in the owner's.
  const own = await memberApi<{ id: string }>(
    'POST',
    '/api/v1/organizations',
    { name: `Milo's ${runId}` },
    201,
  );
  const me = await memberApi<{ organizations: Array<{ id: string; name: string }> }>('GET', '/api/v1/me');
  const acme = me.organizations.find((o) => o.name === `Acme ${runId}`)!;
  await memberApi('POST', '/api/v1/organizations/active', { organizationId: acme.id }, 204);
  await memberPage.goto('/contacts');
  await expect(memberPage.getByRole('heading', { name: 'Contacts', exact: true })).toBeVisible();

  // The owner removes them while they are away.
  const members = await ownerApi<{ items: Array<{ id: string; email: string }> }>('GET', '/api/v1/members');
  const row = members.items.find((m) => m.email === member.email)!;
  await ownerApi('DELETE', `/api/v1/members/${row.id}`, undefined, 204);

  // Next visit: not quietly moved to their own organisation; the dialog says what happened.
  await memberPage.goto('/');
  const dialog = memberPage.getByTestId('removed-from-organization');
  await expect(dialog).toBeVisible();
  await expect(
    dialog.getByRole('heading', { name: `You are no longer a member of Acme ${runId}` }),
  ).toBeVisible();
  await snap(memberPage, 'removed-member-dialog');
  await dialog.getByRole('button', { name: new RegExp(`Milo's ${runId}`) }).click();
  await expect(dialog).toBeHidden();
  // The page behind it shows the chosen organisation's contacts, not the refusal it got before.
  await expect(memberPage.getByText('Could not load contacts')).toHaveCount(0);
  await expect(memberPage.getByText('No contacts yet').or(memberPage.getByRole('table'))).toBeVisible();
  const after = await memberApi<{ activeOrganization: { id: string }; removedFrom: unknown }>(
    'GET',
    '/api/v1/me',
  );
  expect(after).toMatchObject({ activeOrganization: { id: own.id }, removedFrom: null });
  await memberPage.goto('/contacts');
  await expect(memberPage.getByRole('heading', { name: 'Contacts', exact: true })).toBeVisible();
  await expect(memberPage.getByTestId('removed-from-organization')).toHaveCount(0);
  assertNoBrowserErrors();
});
