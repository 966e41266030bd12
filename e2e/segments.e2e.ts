import { expect, type Page, test } from '@playwright/test';
import { CHROMIUM_MISSING_MESSAGE, chromiumAvailable } from './chromium';
import { apiAs, createSignedInOwner, runUsers, snap, watchBrowserErrors } from './helpers';

// Skipped only on a machine without Debian's Chromium; under CI=true playwright.config.ts fails instead.
test.skip(!chromiumAvailable, CHROMIUM_MISSING_MESSAGE);

const { runId, user } = runUsers();

interface Segment {
  id: string;
  name: string;
  filter: unknown;
}

/** Tags VIP and Lead on a handful of contacts: 3 VIP only, 2 Lead only, 1 both. */
async function seed(page: Page) {
  const api = apiAs(page);
  await api('POST', '/api/v1/tags', { name: 'VIP', color: '#f59e0b' });
  await api('POST', '/api/v1/tags', { name: 'Lead', color: '#0ea5e9' });
  const people: Array<[string, string[]]> = [
    ['Vic', ['VIP']],
    ['Vera', ['VIP']],
    ['Vince', ['VIP']],
    ['Lee', ['Lead']],
    ['Lou', ['Lead']],
    ['Bo', ['VIP', 'Lead']],
  ];
  for (const [firstName, tags] of people) {
    await api('POST', '/api/v1/contacts', {
      firstName,
      email: `${firstName.toLowerCase()}.${runId}@example.com`,
      tags,
    });
  }
}

test('a saved segment shows its conditions in the filter builder; they can be changed and saved, or saved as a new segment', async ({
  page,
}) => {
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Sam Segments'));
  const api = apiAs(page);
  await seed(page);
  const vip = await api<Segment>('POST', '/api/v1/segments', {
    name: 'VIPs',
    filter: { field: 'tags', op: 'has_any', value: ['VIP'] },
  });

  await page.goto(`/contacts?segment=${vip.id}`);
  const banner = page.getByTestId('segment-banner');
  await expect(banner).toContainText('VIPs');
  await expect(page.getByTestId('contacts-total')).toHaveText('4 contacts match');
  // The segment's conditions are on show, and counted on the Filter button.
  await expect(page.getByTestId('active-filters')).toContainText('VIP');
  await expect(page.getByTestId('filter-count')).toHaveText('1');

  // Filter opens on the segment's conditions, not an empty builder.
  await page.getByRole('button', { name: /^Filter( \d+)?$/ }).click();
  const builder = page.getByTestId('filter-builder');
  await expect(builder.getByTestId('filter-condition')).toHaveCount(1);
  await expect(builder.getByRole('combobox', { name: 'Field' })).toHaveText('Tags');
  await expect(builder.getByRole('button', { name: 'Values' })).toHaveText(/VIP/);
  await snap(page, '50-segment-conditions');

  // Change them: Lead instead of VIP.
  await builder.getByRole('button', { name: 'Values' }).click();
  await page.getByRole('menuitemcheckbox', { name: 'VIP' }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Lead' }).click();
  await page.keyboard.press('Escape');
  await builder.getByRole('button', { name: 'Apply filter' }).click();
  await expect(page.getByTestId('contacts-total')).toHaveText('3 contacts match');
  await expect(banner.getByTestId('segment-edited')).toBeVisible();
  await snap(page, '51-segment-edited');

  // Save them into the segment.
  await banner.getByRole('button', { name: 'Save changes' }).click();
  await expect(banner.getByTestId('segment-edited')).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`segment=${vip.id}`));
  await expect(page).not.toHaveURL(/filter=/);
  await expect(page.getByTestId('contacts-total')).toHaveText('3 contacts match');
  const saved = await api<Segment>('GET', `/api/v1/segments/${vip.id}`);
  expect(saved.filter).toEqual({ and: [{ field: 'tags', op: 'has_any', value: ['Lead'] }] });
  const sidebarLink = page.getByRole('list', { name: 'Segments' }).getByRole('link', { name: /VIPs/ });
  await expect(sidebarLink.getByTestId('segment-count')).toHaveText('3');

  // Edit again and keep the result as a new segment instead; the original stays as saved.
  await page.getByRole('button', { name: 'Segment actions' }).click();
  await page.getByRole('menuitem', { name: 'Edit conditions' }).click();
  await expect(builder.getByRole('button', { name: 'Values' })).toHaveText(/Lead/);
  await builder.getByRole('button', { name: 'Values' }).click();
  await page.getByRole('menuitemcheckbox', { name: 'VIP' }).click();
  await page.keyboard.press('Escape');
  await builder.getByRole('button', { name: 'Apply filter' }).click();
  await expect(page.getByTestId('contacts-total')).toHaveText('6 contacts match');
  await banner.getByRole('button', { name: 'Save as new segment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save as new segment' });
  await dialog.getByLabel('Segment name').fill('Everyone tagged');
  await dialog.getByRole('button', { name: 'Save segment' }).click();
  await expect(dialog).toBeHidden();
  await expect(banner).toContainText('Everyone tagged');
  await expect(banner.getByTestId('segment-edited')).toBeHidden();
  await expect(
    page
      .getByRole('list', { name: 'Segments' })
      .getByRole('link', { name: /Everyone tagged/ })
      .getByTestId('segment-count'),
  ).toHaveText('6');
  expect((await api<Segment>('GET', `/api/v1/segments/${vip.id}`)).filter).toEqual(saved.filter);

  // Discarding an edit goes back to the saved conditions.
  await sidebarLink.click();
  await page.getByRole('button', { name: /^Filter( \d+)?$/ }).click();
  await builder.getByRole('button', { name: 'Remove all conditions' }).click();
  await expect(page.getByTestId('contacts-total')).toHaveText('6 contacts match');
  await expect(banner.getByTestId('segment-edited')).toBeVisible();
  await banner.getByRole('button', { name: 'Discard changes' }).click();
  await expect(banner.getByTestId('segment-edited')).toBeHidden();
  await expect(page.getByTestId('contacts-total')).toHaveText('3 contacts match');

  assertNoBrowserErrors();
});

test('switching organisation never asks for the previous organisation’s data', async ({ page }) => {
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Otto Orgs'));
  const api = apiAs(page);
  const me = await api<{ activeOrganization: { id: string; name: string } }>('GET', '/api/v1/me');
  await api('PATCH', '/api/v1/organization', { name: `Alpha ${runId}` });
  await api('POST', '/api/v1/segments', { name: 'Alpha segment', filter: { and: [] } });
  await api('POST', '/api/v1/organizations', { name: `Beta ${runId}` });
  await api('POST', '/api/v1/segments', { name: 'Beta segment', filter: { and: [] } });
  await api('POST', '/api/v1/organizations/active', { organizationId: me.activeOrganization.id });

  const failures: string[] = [];
  page.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() >= 400) {
      failures.push(
        `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`,
      );
    }
  });
  const segments = page.getByRole('list', { name: 'Segments' });
  await page.goto('/contacts');
  await expect(segments.getByRole('link', { name: /Alpha segment/ }).getByTestId('segment-count')).toHaveText(
    '0',
  );

  for (const [to, segment] of [
    [`Beta ${runId}`, 'Beta segment'],
    [`Alpha ${runId}`, 'Alpha segment'],
    [`Beta ${runId}`, 'Beta segment'],
  ] as const) {
    await page.getByTestId('org-switcher').click();
    await page.getByRole('menuitem', { name: to }).click();
    await expect(page.getByTestId('org-switcher')).toContainText(to);
    await expect(
      segments.getByRole('link', { name: new RegExp(segment) }).getByTestId('segment-count'),
    ).toHaveText('0');
    await expect(segments.getByRole('link')).toHaveCount(1);
  }
  // Also from inside a segment of the old organisation.
  await segments.getByRole('link', { name: /Beta segment/ }).click();
  await expect(page.getByTestId('segment-banner')).toContainText('Beta segment');
  await page.getByTestId('org-switcher').click();
  await page.getByRole('menuitem', { name: `Alpha ${runId}` }).click();
  await expect(segments.getByRole('link', { name: /Alpha segment/ })).toBeVisible();
  await expect(page.getByTestId('segment-banner')).toHaveCount(0);
  await page.waitForTimeout(1000);
  expect(failures).toEqual([]);
  assertNoBrowserErrors();
});

test('“Create company” in the New contact dialog creates the company only with the contact', async ({
  page,
}) => {
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, user('Cora Companies'));
  const api = apiAs(page);
  await api('POST', '/api/v1/contacts', { firstName: 'Existing', email: `taken.${runId}@example.com` });
  const companies = async () =>
    (await api<{ items: Array<{ name: string }> }>('GET', '/api/v1/companies?limit=100')).items.map(
      (c) => c.name,
    );
  await page.goto('/contacts');

  const dialog = page.getByRole('dialog', { name: 'New contact' });
  const pickNewCompany = async (name: string) => {
    await dialog.getByRole('combobox', { name: 'Company' }).fill(name);
    await page.getByRole('option', { name: `Create company “${name}”` }).click();
    await expect(dialog.getByText(`“${name}” is a new company`)).toBeVisible();
  };

  // Cancelled: no company.
  await page.getByRole('button', { name: 'New contact' }).click();
  await dialog.getByLabel('First name').fill('Cancelled');
  await pickNewCompany('Stray Ltd');
  await snap(page, '52-new-contact-new-company');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await companies()).not.toContain('Stray Ltd');

  // The contact cannot be saved (its email is taken): the company created for it is removed again.
  await page.getByRole('button', { name: 'New contact' }).click();
  await dialog.getByLabel('Email').fill(`taken.${runId}@example.com`);
  await pickNewCompany('Orphan Ltd');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await expect(dialog.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  expect(await companies()).not.toContain('Orphan Ltd');

  // Saved: the contact and its new company, linked.
  await dialog.getByLabel('Email').fill(`new.${runId}@example.com`);
  await dialog.getByLabel('First name').fill('Newton');
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await expect(page).toHaveURL(/\/contacts\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('contact-heading')).toHaveText('Newton');
  expect((await companies()).filter((n) => n === 'Orphan Ltd')).toHaveLength(1);
  const id = page.url().split('/').pop()!;
  const contact = await api<{ company: { name: string } | null }>('GET', `/api/v1/contacts/${id}`);
  expect(contact.company?.name).toBe('Orphan Ltd');
  assertNoBrowserErrors();
});
