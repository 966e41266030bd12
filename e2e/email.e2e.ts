import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { CHROMIUM_MISSING_MESSAGE, chromiumAvailable } from './chromium';
import { apiAs, createSignedInOwner, joinThroughInvitation, ORIGIN, watchBrowserErrors } from './helpers';

// Skipped only on a machine without Debian's Chromium; under CI=true playwright.config.ts fails instead.
test.skip(!chromiumAvailable, CHROMIUM_MISSING_MESSAGE);

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const owner = { name: 'Eve Email', email: `eve.${runId}@example.com`, password: 'correct-horse-42' };
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: `ada.${runId}@example.com` };
const bob = { firstName: 'Bob', lastName: 'Byron', email: `bob.${runId}@example.com` };
const cy = { firstName: 'Cy', lastName: 'Cole', email: `cy.${runId}@example.com` };
const SUBJECT = `December offer ${runId}`;
const CAMPAIGN = `December newsletter ${runId}`;
const OFFER = 'https://example.com/offer';

const SHOTS = path.resolve('test-results/email');

/** A full-page screenshot into test-results/email/<name>.png, toasts hidden. */
async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(350); // entrance animations settle (a picture, not a condition)
  await page.screenshot({
    path: path.join(SHOTS, `${name}.png`),
    fullPage: true,
    style: '[data-sonner-toaster] { display: none !important; }',
  });
}

interface OutboxItem {
  file: string;
  to: string;
  subject: string;
}

/** The campaign message to `to` in the dev outbox (the e2e server has no SMTP: mail lands there). */
async function outboxMessage(page: Page, to: string): Promise<OutboxItem> {
  let found: OutboxItem | undefined;
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/_dev/outbox.json');
        const { items } = (await res.json()) as { items: OutboxItem[] };
        found = items.find((m) => m.to.includes(to) && m.subject === SUBJECT);
        return Boolean(found);
      },
      { timeout: 30_000, message: `a message to ${to} in the outbox` },
    )
    .toBe(true);
  return found!;
}

test('email flow: sending set up, a template, a campaign to a segment through the wizard, sent, opened and clicked, seen on the timeline and in the report', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, owner);
  const api = apiAs(page);

  // The campaigns page says what to do first.
  await page.goto('/campaigns');
  await expect(page.getByRole('heading', { name: 'No campaigns yet' })).toBeVisible();
  const firstSteps = page.getByRole('list', { name: 'Before your first campaign' });
  await expect(firstSteps.getByRole('link', { name: 'Create a template' })).toBeVisible();
  await expect(firstSteps.getByRole('link', { name: 'Settings → Sending' }).first()).toBeVisible();
  await shot(page, '01-campaigns-empty');

  // Settings → Sending: a sender and the postal address, through the UI.
  await page.goto('/settings/sending');
  await expect(page.getByRole('heading', { name: 'Senders' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Add sender' }).first().click();
  const senderDialog = page.getByRole('dialog', { name: 'Add a sender' });
  await senderDialog.getByLabel('From name').fill('Eve at Acme');
  await senderDialog.getByLabel('From address').fill(`news.${runId}@example.com`);
  await senderDialog.getByRole('button', { name: 'Add sender' }).click();
  await expect(senderDialog).toBeHidden();
  await expect(page.getByRole('table', { name: 'Senders' })).toContainText(`news.${runId}@example.com`);
  await page.getByLabel('Postal address').fill('Acme Ltd, 1 Main Street, 10115 Berlin, Germany');
  await page
    .locator('form')
    .filter({ has: page.getByLabel('Postal address') })
    .getByRole('button', { name: 'Save' })
    .click();
  await expect
    .poll(async () => (await api<{ ready: boolean }>('GET', '/api/v1/sending')).ready, { timeout: 15_000 })
    .toBe(true);

  // Contacts: two subscribed readers and one who never subscribed, all tagged, in a segment.
  await api('POST', '/api/v1/tags', { name: 'Newsletter', color: '#0ea5e9' });
  const contactIds: Record<string, string> = {};
  for (const c of [ada, bob]) {
    const created = await api<{ id: string }>('POST', '/api/v1/contacts', {
      ...c,
      tags: ['Newsletter'],
      subscriptionStatus: 'subscribed',
      consent: { basis: 'consent', source: 'e2e' },
    });
    contactIds[c.email] = created.id;
  }
  await api('POST', '/api/v1/contacts', { ...cy, tags: ['Newsletter'] });
  await api('POST', '/api/v1/segments', {
    name: 'Newsletter readers',
    filter: { field: 'tags', op: 'has_any', value: ['Newsletter'] },
  });

  // A template, written in the Templates editor, with the offer link.
  await page.goto('/templates/new');
  await page.getByLabel('Name', { exact: true }).fill('December offer');
  await page.getByLabel('Subject', { exact: true }).fill(SUBJECT);
  await page
    .getByLabel('Body (HTML)')
    .fill(
      `<h1>Hello {{ contact.firstName | default: "there" }},</h1>\n<p>Our December offer is here.</p>\n<p><a href="${OFFER}">See the offer</a></p>`,
    );
  await page.getByRole('button', { name: 'Create template' }).click();
  await expect(page).toHaveURL(/\/templates\/[0-9a-f-]{36}$/);

  // The wizard: audience (the segment, counted live), template (previewed), sender, schedule, review.
  await page.goto('/campaigns');
  await page.getByRole('link', { name: 'New campaign' }).first().click();
  await expect(page).toHaveURL(/\/campaigns\/new$/);
  await page.getByLabel('Campaign name').fill(CAMPAIGN);
  await page.getByRole('checkbox', { name: 'Newsletter readers' }).click();
  // The first choice creates the draft, which continues at its own address.
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}\?step=audience$/);
  const campaignId = /\/campaigns\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  await expect(page.getByRole('checkbox', { name: 'Newsletter readers' })).toBeChecked();
  await expect(page.getByTestId('audience-count')).toContainText('2 contacts');
  await expect(page.getByTestId('audience-count')).toContainText('1 of 3 excluded');
  await expect(page.getByRole('heading', { name: CAMPAIGN })).toBeVisible();
  await shot(page, '02a-wizard-audience');

  await page.getByRole('button', { name: 'Continue to template' }).click();
  await page.getByRole('radio', { name: /December offer/ }).check();
  const preview = page.frameLocator('iframe[title="Email preview"]');
  await expect(preview.getByRole('link', { name: 'See the offer' })).toBeVisible();
  await shot(page, '02b-wizard-template');

  await page.getByRole('button', { name: 'Continue to sender' }).click();
  await page.getByRole('radio', { name: /Eve at Acme/ }).check();
  await expect(page.getByText('Sending is not set up yet')).toBeHidden();
  await shot(page, '02c-wizard-sender');

  await page.getByRole('button', { name: 'Continue to schedule' }).click();
  await expect(page.getByRole('radio', { name: /Send now/ })).toBeChecked();
  await page.getByRole('radio', { name: /Send at a date and time/ }).check();
  await expect(page.getByLabel('Time (UTC)')).toBeVisible();
  await shot(page, '02d-wizard-schedule');
  await page.getByRole('radio', { name: /Send now/ }).check();

  await page.getByRole('button', { name: 'Continue to review' }).click();
  const summary = page.getByTestId('review-summary');
  await expect(summary).toHaveText('2 contacts will receive it; 1 excluded: never subscribed 1.');
  await expect(page.getByText(SUBJECT)).toBeVisible();
  await expect(page.getByText(`Eve at Acme <news.${runId}@example.com>`)).toBeVisible();
  await expect(page.getByText('segment “Newsletter readers”')).toBeVisible();
  // Saved as it went: the draft holds every choice.
  const draft = await api<{ templateId: string | null; senderId: string | null; status: string }>(
    'GET',
    `/api/v1/campaigns/${campaignId}`,
  );
  expect(draft.status).toBe('draft');
  expect(draft.templateId).not.toBeNull();
  expect(draft.senderId).not.toBeNull();
  await shot(page, '02e-wizard-review');

  await page.getByRole('button', { name: 'Send now' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Send this campaign now?' });
  await expect(confirm).toContainText('2 contacts');
  await confirm.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('campaign-status')).toHaveText('Sent', { timeout: 60_000 });
  await expect(page.getByTestId('stat-sent')).toContainText('2');

  // The message in the outbox viewer: its HTML has the tracked link and the open pixel.
  const message = await outboxMessage(page, ada.email);
  await page.goto('/_dev/outbox');
  await page.getByRole('row').filter({ hasText: ada.email }).getByRole('link', { name: SUBJECT }).click();
  await expect(page.getByRole('heading', { name: SUBJECT })).toBeVisible();
  await expect(page.getByRole('link', { name: 'HTML version' })).toBeVisible();
  const html = await (await page.request.get(`/_dev/outbox/${encodeURIComponent(message.file)}/html`)).text();
  expect(html).not.toContain(`href="${OFFER}"`); // rewritten to a tracked URL
  const clickUrl = /href="([^"]*\/e\/c\/[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const pixelUrl = /src="([^"]*\/e\/o\/[^"]+\.gif)"/.exec(html)?.[1];
  expect(clickUrl, 'a tracked click URL in the HTML').toBeTruthy();
  expect(pixelUrl, 'an open pixel in the HTML').toBeTruthy();

  // Machines first: a privacy proxy fetching the pixel (a bare "Mozilla/5.0") and a link scanner's HEAD.
  const proxyOpen = await page.request.get(pixelUrl!, { headers: { 'User-Agent': 'Mozilla/5.0' } });
  expect(proxyOpen.status()).toBe(200);
  const scannerClick = await page.request.head(clickUrl!, { maxRedirects: 0 });
  expect(scannerClick.status()).toBe(302);

  // Open: Chromium loads the message HTML, images included. The viewer's own HTML page blocks remote
  // images (by design), and a page of no origin may not fetch from loopback, so the HTML is served to
  // the browser at an address of the app's origin; the pixel itself is a real request to the server.
  await context.route(`${ORIGIN}/__e2e/message.html`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  const pixelLoaded = page.waitForResponse((r) => r.url().includes('/e/o/') && r.status() === 200);
  await page.goto('/__e2e/message.html');
  await pixelLoaded;

  // Click: not within 10 s of sending (the product's rule classes such clicks as security scanners).
  const recipients = await api<{ items: Array<{ email: string; sentAt: string | null }> }>(
    'GET',
    `/api/v1/campaigns/${campaignId}/recipients`,
  );
  const sentAt = Date.parse(recipients.items.find((r) => r.email === ada.email)!.sentAt!);
  await expect.poll(() => Date.now() >= sentAt + 11_000, { timeout: 30_000, intervals: [500] }).toBe(true);
  // The redirect goes to example.com, which is not reachable from here: the browser is answered locally.
  await context.route('https://example.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>The offer</h1>' }),
  );
  const redirect = page.waitForResponse((r) => r.url().includes('/e/c/'));
  await page.getByRole('link', { name: 'See the offer' }).click();
  const redirected = await redirect;
  expect(redirected.status()).toBe(302);
  expect(redirected.headers().location).toBe(OFFER);
  await expect(page).toHaveURL(OFFER);
  await expect(page.getByRole('heading', { name: 'The offer' })).toBeVisible();

  // Opens and clicks are buffered and written in batches (clicks are held 2 s for the burst rule).
  await expect
    .poll(
      async () => {
        const list = await api<{
          items: Array<{
            email: string;
            openedAt: string | null;
            clickedAt: string | null;
            machineClickedAt: string | null;
          }>;
        }>('GET', `/api/v1/campaigns/${campaignId}/recipients`);
        const r = list.items.find((i) => i.email === ada.email)!;
        return {
          opened: Boolean(r.openedAt),
          clicked: Boolean(r.clickedAt),
          machineClick: Boolean(r.machineClickedAt),
        };
      },
      { timeout: 30_000 },
    )
    .toEqual({ opened: true, clicked: true, machineClick: true });

  // The contact's timeline: opened and clicked (people, not machines).
  await page.goto(`/contacts/${contactIds[ada.email]}`);
  const timeline = page.getByRole('list', { name: 'Timeline' });
  await expect(timeline.getByTestId('email-event').filter({ hasText: 'Clicked' }).first()).toBeVisible();
  const events = timeline.getByTestId('timeline-event');
  // The person's open and click, and the machines' apart, marked as such.
  const opened = events.filter({ hasText: 'Opened' }).filter({ hasNotText: 'machine' });
  await expect(opened).toHaveCount(1);
  await expect(opened).toContainText(CAMPAIGN);
  await expect(events.filter({ hasText: 'Opened' }).filter({ hasText: 'privacy proxy' })).toHaveCount(1);
  const clicked = events.filter({ hasText: 'Clicked' }).filter({ hasNotText: 'machine' });
  await expect(clicked).toHaveCount(1);
  await expect(clicked).toContainText(OFFER);
  await expect(events.filter({ hasText: 'Clicked' }).filter({ hasText: 'link scanner' })).toHaveCount(1);
  await expect(timeline.getByTestId('timeline-event').filter({ hasText: 'Email sent:' })).toContainText(
    CAMPAIGN,
  );
  await shot(page, '03-contact-timeline');

  // The report: one unique open and one unique click of two sent (50 %), the link with one person.
  await page.goto(`/campaigns/${campaignId}`);
  await expect(page.getByTestId('stat-unique-opens')).toContainText('1');
  await expect(page.getByTestId('stat-unique-opens')).toContainText('50%');
  await expect(page.getByTestId('stat-unique-clicks')).toContainText('1');
  await expect(page.getByTestId('stat-unique-clicks')).toContainText('50%');
  await expect(page.getByTestId('stat-unique-opens')).toContainText('+ 1 machine open (privacy proxies)');
  await expect(page.getByTestId('stat-unique-clicks')).toContainText('+ 1 machine click (security scanners)');
  const linkRow = page.getByTestId('link-row').filter({ hasText: OFFER });
  await expect(linkRow.getByRole('cell').nth(1)).toHaveText('1');
  await expect(linkRow.getByRole('cell').nth(2)).toHaveText('1');
  await expect(page.getByTestId('activity-chart')).toBeVisible();
  const recipientsTable = page.getByRole('table', { name: 'Recipients' });
  // The one who never subscribed is in the ledger too, skipped with the reason.
  await expect(recipientsTable.getByTestId('recipient-row')).toHaveCount(3);
  await expect(recipientsTable.getByTestId('recipient-row').filter({ hasText: cy.email })).toContainText(
    'Skipped: never subscribed',
  );
  await expect(recipientsTable.getByTestId('recipient-row').filter({ hasText: ada.email })).toContainText(
    'Clicked',
  );
  await page.getByRole('tab', { name: 'Failed' }).click();
  await expect(page.getByText('No failed recipients.')).toBeVisible();
  await page.getByRole('tab', { name: 'Skipped' }).click();
  await expect(recipientsTable.getByTestId('recipient-row')).toHaveCount(1);
  await expect(recipientsTable).toContainText(cy.email);
  await page.getByRole('tab', { name: 'All' }).click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await shot(page, '04-campaign-report');

  // The list: the campaign with its status and rates.
  await page.goto('/campaigns');
  const row = page.getByTestId('campaign-row').filter({ hasText: CAMPAIGN });
  await expect(row.getByTestId('campaign-status')).toHaveText('Sent');
  await expect(row).toContainText('50%');
  await shot(page, '05-campaigns-list');

  // A recipient row leads to the contact.
  await page.goto(`/campaigns/${campaignId}`);
  await page.getByRole('link', { name: 'Bob Byron' }).click();
  await expect(page).toHaveURL(new RegExp(`/contacts/${contactIds[bob.email]}`));

  assertNoBrowserErrors();
});

test('a viewer sees campaigns and their drafts but cannot create, send or cancel them; the owner cancels a scheduled campaign after confirming', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  const boss = { name: 'Olga Owner', email: `olga.${runId}@example.com`, password: 'correct-horse-42' };
  await createSignedInOwner(page, boss);
  const api = apiAs(page);
  // Sending set up through the API (the first test does it through Settings → Sending).
  await api('POST', '/api/v1/senders', { name: 'Olga', email: `olga.news.${runId}@example.com` });
  const put = await page.request.fetch('/api/v1/sending', {
    method: 'PUT',
    data: { postalAddress: '2 High Street, Leeds' },
    headers: { Origin: ORIGIN },
  });
  expect(put.ok(), await put.text()).toBeTruthy();
  const template = await api<{ id: string }>('POST', '/api/v1/templates', {
    name: 'Plain',
    subject: 'Hello',
    format: 'html',
    body: '<p>Hello {{ contact.firstName }}</p>',
  });
  await api('POST', '/api/v1/tags', { name: 'Friends' });
  await api('POST', '/api/v1/contacts', {
    firstName: 'Fay',
    email: `fay.${runId}@example.com`,
    tags: ['Friends'],
    subscriptionStatus: 'subscribed',
    consent: { basis: 'consent', source: 'e2e' },
  });
  const tags = await api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/v1/tags');
  const audience = { tagIds: [tags.items.find((t) => t.name === 'Friends')!.id] };
  const sender = (await api<{ items: Array<{ id: string }> }>('GET', '/api/v1/senders')).items[0]!;
  const base = { templateId: template.id, senderId: sender.id, audience };
  const scheduled = await api<{ id: string }>('POST', '/api/v1/campaigns', {
    name: 'Spring launch',
    ...base,
  });
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await api('POST', `/api/v1/campaigns/${scheduled.id}/send`, { at: `${tomorrow}T09:00` });
  const draft = await api<{ id: string }>('POST', '/api/v1/campaigns', { name: 'Summer draft', ...base });

  // The viewer, in their own browser.
  const viewer = await (await browser.newContext()).newPage();
  const viewerErrors = watchBrowserErrors(viewer);
  await joinThroughInvitation(
    page,
    viewer,
    { name: 'Vic Viewer', email: `vic.${runId}@example.com`, password: 'correct-horse-42' },
    'viewer',
  );
  await viewer.goto('/campaigns');
  await expect(viewer.getByTestId('campaign-row')).toHaveCount(2);
  await expect(viewer.getByRole('button', { name: 'New campaign' })).toBeDisabled();
  await expect(
    viewer.getByTestId('campaign-row').filter({ hasText: 'Spring launch' }).getByTestId('campaign-status'),
  ).toHaveText('Scheduled');

  await viewer.getByRole('link', { name: 'Spring launch' }).click();
  await expect(viewer.getByRole('heading', { name: 'Spring launch' })).toBeVisible();
  await expect(viewer.getByText(/^Scheduled for /).first()).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'Cancel campaign' })).toBeDisabled();
  await expect(viewer.getByText(/can’t pause, resume or cancel campaigns/).first()).toBeAttached();

  await viewer.goto(`/campaigns/${draft.id}?step=review`);
  await expect(viewer.getByText('Your role can see this draft but not change it.')).toBeVisible();
  await expect(viewer.getByTestId('review-summary')).toHaveText('1 contact will receive it.');
  await expect(viewer.getByRole('button', { name: 'Send now' })).toBeDisabled();
  await viewer
    .getByRole('navigation', { name: 'Campaign steps' })
    .getByRole('button', { name: 'Audience' })
    .click();
  await expect(viewer.getByRole('checkbox', { name: 'Friends' })).toBeDisabled();
  viewerErrors();

  // The owner cancels the scheduled campaign, after confirming.
  await page.goto(`/campaigns/${scheduled.id}`);
  await expect(page.getByTestId('campaign-progress')).toContainText(
    'The audience is counted when sending starts',
  );
  await shot(page, '06-campaign-scheduled');
  await page.getByRole('button', { name: 'Cancel campaign' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Cancel this campaign?' });
  await dialog.getByRole('button', { name: 'Cancel campaign' }).click();
  await expect(page.getByTestId('campaign-status')).toHaveText('Canceled');
  await expect(page.getByRole('button', { name: 'Cancel campaign' })).toHaveCount(0);
  await expect(page.getByTestId('campaign-progress')).toHaveText(
    'Canceled before sending started: nobody got it.',
  );
  await shot(page, '07-campaign-canceled');
  assertNoBrowserErrors();
});
