import { type APIRequestContext, type Browser, expect, type Page, test } from '@playwright/test';
import { CHROMIUM_MISSING_MESSAGE, chromiumAvailable } from './chromium';
import { createSignedInOwner, joinThroughInvitation, runUsers, snap, watchBrowserErrors } from './helpers';

// Skipped only on a machine without Debian's Chromium; under CI=true playwright.config.ts fails instead.
test.skip(!chromiumAvailable, CHROMIUM_MISSING_MESSAGE);

const { user } = runUsers();

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** What a script holding only the key gets (no cookies: `request` is a fresh context). */
async function statusWithKey(request: APIRequestContext, key: string): Promise<number> {
  const response = await request.get('/api/v1/contacts?limit=1', {
    headers: { Authorization: `Bearer ${key}` },
  });
  return response.status();
}

/** Creates a key in Settings › API keys and returns its secret (shown once). */
async function createKey(page: Page, name: string): Promise<string> {
  await page.goto('/settings/api-keys');
  await page.getByRole('button', { name: 'Create API key' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByTestId('api-key-secret').inputValue();
  expect(secret).toMatch(/^mox_/);
  await page.getByRole('button', { name: 'Done' }).click();
  return secret;
}

/** Removes a member in Settings › Members, checking what the confirmation says about their keys. */
async function removeMember(page: Page, name: string, keysLine: RegExp | null) {
  await page.goto('/settings/members');
  await page.getByRole('button', { name: `Remove ${name}` }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog.getByRole('heading', { name: `Remove ${name}?` })).toBeVisible();
  if (keysLine) {
    await expect(dialog.getByTestId('remove-member-keys')).toHaveText(keysLine);
    await expect(dialog.getByRole('link', { name: /Move (it|them) to another member/ })).toHaveAttribute(
      'href',
      '/settings/api-keys',
    );
  } else {
    await expect(dialog.getByTestId('remove-member-keys')).toHaveCount(0);
  }
  await snap(page, `70-remove-member-${keysLine ? 'with' : 'without'}-keys`);
  await dialog.getByRole('button', { name: 'Remove member' }).click();
  await expect(page.getByRole('button', { name: `Remove ${name}` })).toHaveCount(0);
}

test('a key moved to another member keeps working after the member who made it is removed', async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Olga Owner'));
  const ann = user('Ann Admin');
  const bob = user('Bob Member');
  const annPage = await newPage(browser);
  await joinThroughInvitation(page, annPage, ann, 'admin');
  await joinThroughInvitation(page, await newPage(browser), bob, 'member');

  // Ann, an admin, makes a key: it belongs to her.
  const key = await createKey(annPage, 'Website form');
  const row = annPage.getByRole('row').filter({ hasText: 'Website form' });
  await expect(row.getByText(`Belongs to ${ann.name}`)).toBeVisible();
  await expect(annPage.getByText(/works only while they are in the organisation/)).toBeVisible();
  expect(await statusWithKey(request, key)).toBe(200);

  // She moves it to Bob, so it survives her leaving.
  await row.getByRole('button', { name: 'Move Website form to another member' }).click();
  const dialog = annPage.getByRole('dialog');
  await expect(
    dialog.getByText(/works only while the member it belongs to is in the organisation/),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Move key' }).click();
  await expect(dialog.getByText('Choose the member the key should belong to.')).toBeVisible();
  await dialog.getByLabel('New member').click();
  // Ann is not offered: the key is hers already.
  await expect(annPage.getByRole('option', { name: new RegExp(ann.name) })).toHaveCount(0);
  await annPage.getByRole('option', { name: new RegExp(bob.name) }).click();
  await snap(annPage, '70-move-api-key');
  await dialog.getByRole('button', { name: 'Move key' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row.getByText(`Belongs to ${bob.name}`)).toBeVisible();
  await snap(annPage, '70-api-keys-moved');

  // The owner removes Ann: none of her keys are left to stop.
  await removeMember(page, ann.name, null);
  expect(await statusWithKey(request, key)).toBe(200);

  await page.goto('/settings/api-keys');
  await expect(
    page.getByRole('row').filter({ hasText: 'Website form' }).getByText(`Belongs to ${bob.name}`),
  ).toBeVisible();
  assertNoBrowserErrors();
});

test('a key left with a member stops working (401) when they are removed, as the confirmation warns', async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Oona Owner'));
  const ada = user('Ada Admin');
  const adaPage = await newPage(browser);
  await joinThroughInvitation(page, adaPage, ada, 'admin');

  const key = await createKey(adaPage, 'Nightly sync');
  expect(await statusWithKey(request, key)).toBe(200);

  await removeMember(
    page,
    ada.name,
    /^Their API key will stop working too\. Move it to another member first/,
  );
  expect(await statusWithKey(request, key)).toBe(401);

  // The owner's list shows it revoked, with whom it belonged to.
  await page.goto('/settings/api-keys');
  const row = page.getByRole('row').filter({ hasText: 'Nightly sync' });
  await expect(row.getByText('Revoked')).toBeVisible();
  await expect(row.getByText(`Belonged to ${ada.name}`)).toBeVisible();
  await expect(row.getByRole('button', { name: /Move/ })).toHaveCount(0);
  await snap(page, '70-api-keys-revoked-with-member');
  assertNoBrowserErrors();
});
