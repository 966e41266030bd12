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

const { user } = runUsers();

/** A second signed-in person in their own browser context. */
async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Every API answer of 400 and above, and every error screen, while `page` is used. */
function watchFailures(page: Page) {
  const failures: string[] = [];
  page.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() >= 400) {
      failures.push(
        `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`,
      );
    }
  });
  return failures;
}

const SETTINGS = ['members', 'organization', 'fields', 'tags', 'api-keys', 'profile'] as const;

test('viewers and members use every settings page they can reach; what their role cannot do is hidden or explained, never an error', async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Olga Owner'));
  const api = apiAs(page);
  await api('POST', '/api/v1/tags', { name: 'VIP', color: '#f59e0b' });
  await api('POST', '/api/v1/contacts', { firstName: 'Tagged', tags: ['VIP'] });

  for (const role of ['viewer', 'member'] as const) {
    const person = user(`${role === 'viewer' ? 'Vic' : 'Mel'} ${role}`);
    const other = await newPage(browser);
    await joinThroughInvitation(page, other, person, role);
    const failures = watchFailures(other);
    const settingsNav = other.getByRole('navigation', { name: 'Settings' });

    for (const tab of SETTINGS) {
      await other.goto(`/settings/${tab}`);
      await expect(other.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
      await expect(other.getByText(/does not allow|Something went wrong|Could not load/)).toHaveCount(0);
      await snap(other, `60-${role}-settings-${tab}`);
    }
    // Only admins and owners manage API keys: no tab, and the page explains itself.
    await expect(settingsNav.getByRole('link', { name: 'API keys' })).toHaveCount(0);
    await other.goto('/settings/api-keys');
    await expect(
      other.getByRole('heading', { name: 'API keys are managed by admins and owners' }),
    ).toBeVisible();

    // Custom fields: disabled, with the reason on hover.
    await other.goto('/settings/fields');
    await expect(other.getByRole('button', { name: 'Add field' })).toBeDisabled();
    await expect(
      other.getByText(/can’t add, change or delete custom fields/).filter({ visible: true }),
    ).toBeVisible();

    // Tags follow the permission the API checks (contacts:write): members manage them, viewers see why not.
    await other.goto('/settings/tags');
    if (role === 'member') {
      await expect(other.getByRole('button', { name: 'Add tag' })).toBeVisible();
      await expect(other.getByRole('button', { name: 'Edit VIP' })).toBeEnabled();
    } else {
      await expect(other.getByRole('button', { name: 'Add tag' })).toHaveCount(0);
      await expect(other.getByRole('button', { name: 'Edit VIP' })).toBeDisabled();
      await expect(
        other.getByText('Viewers can’t create, rename, merge or delete tags.', { exact: false }),
      ).toBeVisible();
    }

    // Organisation: read-only name, a way to leave, no delete.
    await other.goto('/settings/organization');
    await expect(other.getByLabel('Name', { exact: true })).toBeDisabled();
    await expect(other.getByRole('button', { name: 'Leave organisation' })).toBeEnabled();
    await expect(other.getByRole('button', { name: 'Delete organisation' })).toHaveCount(0);

    // Contacts: the viewer's disabled New contact button says why.
    await other.goto('/contacts');
    const newContact = other.getByRole('button', { name: 'New contact' });
    if (role === 'viewer') {
      await expect(newContact).toBeDisabled();
      await newContact.hover({ force: true });
      await expect(other.getByRole('tooltip', { name: /Viewers can’t add contacts/ })).toBeVisible();
      await snap(other, '61-viewer-disabled-hint');
    } else {
      await expect(newContact).toBeEnabled();
    }
    expect(failures, `${role}: failed API calls`).toEqual([]);
    await other.context().close();
  }
  assertNoBrowserErrors();
});

test('messages: validation never reaches the screen raw, and counts read as sentences', async ({ page }) => {
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Mia Messages'));
  const api = apiAs(page);

  // A malformed id in the address: a sentence, not "Invalid params: id: must be a UUID".
  await page.goto('/contacts/not-a-uuid');
  await expect(
    page.getByText('This address does not point to anything in Moxora', { exact: false }),
  ).toBeVisible();
  await expect(page.getByText(/Invalid params|must be a UUID/)).toHaveCount(0);
  await snap(page, '62-friendly-invalid-id');

  // Tag counts in words: none, one, several.
  for (const [name, n] of [
    ['Nobody', 0],
    ['Solo', 1],
    ['Pair', 2],
  ] as const) {
    await api('POST', '/api/v1/tags', { name });
    for (let i = 0; i < n; i++)
      await api('POST', '/api/v1/contacts', { firstName: `${name}${i}`, tags: [name] });
  }
  await page.goto('/settings/tags');
  const expectations = {
    Nobody: 'No contact has “Nobody”, so merging only deletes it.',
    Solo: 'The one contact tagged “Solo” gets the tag you choose, then “Solo” is deleted.',
    Pair: 'The 2 contacts tagged “Pair” get the tag you choose, then “Pair” is deleted.',
  };
  for (const [name, text] of Object.entries(expectations)) {
    await page.getByRole('button', { name: `Merge ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Merge “${name}”` });
    await expect(dialog).toContainText(text);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
  }
  await expect(page.getByText(/Its \d+ contacts? get/)).toHaveCount(0);
  assertNoBrowserErrors();
});
