import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { CHROMIUM_MISSING_MESSAGE, chromiumAvailable } from './chromium';
import { apiAs, createSignedInOwner, ORIGIN, watchBrowserErrors } from './helpers';

// Skipped only on a machine without Debian's Chromium; under CI=true playwright.config.ts fails instead.
test.skip(!chromiumAvailable, CHROMIUM_MISSING_MESSAGE);

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const owner = { name: 'Alan Auto', email: `alan.${runId}@example.com`, password: 'correct-horse-42' };
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: `ada.${runId}@example.com` };
const CAMPAIGN_SUBJECT = `Winter news ${runId}`;
const FOLLOW_UP_SUBJECT = `Thanks for reading ${runId}`;
const OFFER = 'https://example.com/winter';
const SHOTS = path.resolve('test-results/automations');

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

async function outboxMessage(page: Page, to: string, subject: string): Promise<OutboxItem> {
  let found: OutboxItem | undefined;
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/_dev/outbox.json');
        const { items } = (await res.json()) as { items: OutboxItem[] };
        found = items.find((m) => m.to.includes(to) && m.subject === subject);
        return Boolean(found);
      },
      { timeout: 60_000, message: `"${subject}" to ${to} in the outbox` },
    )
    .toBe(true);
  return found!;
}

/** Picks `option` in the labelled Radix select of the step panel. */
async function choose(page: Page, label: string, option: string | RegExp) {
  const panel = page.getByTestId('node-panel');
  await panel.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option }).click();
}

test('automation: when a contact clicks a link in campaign X, tag them "engaged", wait 1 day, send template Y — built on the canvas, run for real', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  const assertNoBrowserErrors = watchBrowserErrors(page);
  await createSignedInOwner(page, owner);
  const api = apiAs(page);

  // Sending, the two templates, a subscribed contact and campaign X (sent), through the API.
  const sender = await api<{ id: string }>('POST', '/api/v1/senders', {
    name: 'Alan at Acme',
    email: `news.${runId}@example.com`,
    isDefault: true,
  });
  const put = await page.request.fetch('/api/v1/sending', {
    method: 'PUT',
    data: { postalAddress: 'Acme Ltd, 1 Main Street, 10115 Berlin, Germany' },
    headers: { Origin: ORIGIN },
  });
  expect(put.ok(), await put.text()).toBeTruthy();
  const x = await api<{ id: string }>('POST', '/api/v1/templates', {
    name: 'Winter news',
    subject: CAMPAIGN_SUBJECT,
    format: 'html',
    body: `<p>Hello {{ contact.firstName }},</p><p><a href="${OFFER}">Our winter offer</a></p>`,
  });
  const y = await api<{ id: string }>('POST', '/api/v1/templates', {
    name: 'Thank-you follow-up',
    subject: FOLLOW_UP_SUBJECT,
    format: 'html',
    body: '<p>Thanks for reading, {{ contact.firstName }}.</p>',
  });
  expect(y.id).toBeTruthy();
  const contact = await api<{ id: string }>('POST', '/api/v1/contacts', {
    ...ada,
    tags: ['Readers'],
    subscriptionStatus: 'subscribed',
    consent: { basis: 'consent', source: 'e2e' },
  });
  const tags = await api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/v1/tags');
  const readers = tags.items.find((t) => t.name === 'Readers')!;
  const campaign = await api<{ id: string }>('POST', '/api/v1/campaigns', {
    name: `Winter newsletter ${runId}`,
    templateId: x.id,
    senderId: sender.id,
    audience: { tagIds: [readers.id] },
  });

  // The builder: a new automation, its trigger, then three steps each added after the selected one.
  await page.goto('/automations');
  await expect(page.getByRole('heading', { name: 'Automations', exact: true })).toBeVisible();
  await shot(page, '01-list-empty');
  await page.getByRole('button', { name: 'New automation' }).first().click();
  await expect(page).toHaveURL(/\/automations\/[0-9a-f-]{36}$/);
  const automationId = /\/automations\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  await page.getByLabel('Automation name').fill('Engaged readers');

  await page.getByTestId('node-trigger').click();
  await choose(page, 'Trigger', 'Link clicked');
  await choose(page, 'Campaign', `Winter newsletter ${runId}`);

  await page.getByTestId('palette-add_tag').click();
  await page.getByTestId('node-panel').getByLabel('Tag', { exact: true }).fill('engaged');
  await page.getByTestId('palette-wait').click();
  await page.getByTestId('node-panel').getByLabel('Wait amount').fill('1');
  await choose(page, 'Wait unit', /^days?$/i);
  await page.getByTestId('palette-send_email').click();
  await choose(page, 'Template', 'Thank-you follow-up');

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved')).toBeHidden();
  await page.getByRole('button', { name: 'Activate', exact: true }).click();
  await expect
    .poll(async () => (await api<{ status: string }>('GET', `/api/v1/automations/${automationId}`)).status)
    .toBe('active');
  const saved = await api<{ definition: { nodes: Array<{ type: string }>; edges: unknown[] } }>(
    'GET',
    `/api/v1/automations/${automationId}`,
  );
  expect(saved.definition.nodes.map((n) => n.type)).toEqual(['trigger', 'add_tag', 'wait', 'send_email']);
  expect(saved.definition.edges).toHaveLength(3);
  await shot(page, '02-builder-active');

  // Campaign X goes out; Ada opens the message and follows the link (a person: > 10 s after sending).
  await api('POST', `/api/v1/campaigns/${campaign.id}/send`, {});
  const message = await outboxMessage(page, ada.email, CAMPAIGN_SUBJECT);
  const html = await (await page.request.get(`/_dev/outbox/${encodeURIComponent(message.file)}/html`)).text();
  const clickUrl = /href="([^"]*\/e\/c\/[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  expect(clickUrl, 'a tracked click URL in the HTML').toBeTruthy();
  const recipients = await api<{ items: Array<{ email: string; sentAt: string | null }> }>(
    'GET',
    `/api/v1/campaigns/${campaign.id}/recipients`,
  );
  const sentAt = Date.parse(recipients.items.find((r) => r.email === ada.email)!.sentAt!);
  await expect.poll(() => Date.now() >= sentAt + 11_000, { timeout: 30_000, intervals: [500] }).toBe(true);
  await context.route(`${ORIGIN}/__e2e/message.html`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  await context.route('https://example.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>The winter offer</h1>' }),
  );
  await page.goto('/__e2e/message.html');
  const redirect = page.waitForResponse((r) => r.url().includes('/e/c/'));
  await page.getByRole('link', { name: 'Our winter offer' }).click();
  expect((await redirect).status()).toBe(302);
  await expect(page.getByRole('heading', { name: 'The winter offer' })).toBeVisible();

  // The click enrols Ada: tagged "engaged", then waiting a day.
  await expect
    .poll(
      async () => {
        const c = await api<{ tags: Array<string | { name: string }> }>(
          'GET',
          `/api/v1/contacts/${contact.id}`,
        );
        return c.tags.map((t) => (typeof t === 'string' ? t : t.name));
      },
      { timeout: 60_000, message: 'the tag "engaged" on Ada' },
    )
    .toContain('engaged');
  const runs = await api<{ items: Array<{ id: string; state: string; currentNode: string | null }> }>(
    'GET',
    `/api/v1/automations/${automationId}/runs`,
  );
  expect(runs.items).toHaveLength(1);
  await expect
    .poll(async () => (await api<{ state: string }>('GET', `/api/v1/runs/${runs.items[0]!.id}`)).state, {
      timeout: 30_000,
    })
    .toBe('waiting');

  // A day passes (the engine's clock), and the follow-up goes out.
  const moved = await page.request.post('/_dev/clock', {
    data: { advanceSeconds: 86_400 + 60 },
    headers: { Origin: ORIGIN },
  });
  expect(moved.ok(), await moved.text()).toBeTruthy();
  await outboxMessage(page, ada.email, FOLLOW_UP_SUBJECT);
  await expect
    .poll(async () => (await api<{ state: string }>('GET', `/api/v1/runs/${runs.items[0]!.id}`)).state, {
      timeout: 30_000,
    })
    .toBe('completed');

  // The contact's timeline tells the story: the click, the tag, the wait and the second email.
  await page.goto(`/contacts/${contact.id}`);
  const timeline = page.getByRole('list', { name: 'Timeline' });
  await expect(timeline).toContainText('Added tag "engaged"', { timeout: 30_000 });
  await expect(timeline).toContainText('Sent email "Thank-you follow-up"');
  // The tag's own event names the workflow that added it.
  await expect(timeline).toContainText('Automation “Engaged readers” added tag “engaged”');
  await expect(timeline).not.toContainText('(bulk action)');
  await expect(timeline).toContainText(FOLLOW_UP_SUBJECT, { timeout: 30_000 });
  await shot(page, '03-contact-timeline');

  // The run list and the run detail show each step.
  await page.goto(`/automations/${automationId}/runs`);
  await expect(page.getByRole('table')).toContainText(ada.email);
  await shot(page, '04-runs');
  await page.goto(`/automations/runs/${runs.items[0]!.id}`);
  await expect(page.getByText('Completed').first()).toBeVisible();
  await shot(page, '05-run-detail');

  // The canvas shows how many went through each step.
  await page.goto(`/automations/${automationId}`);
  await expect(page.getByTestId('automation-canvas')).toBeVisible();
  await shot(page, '06-builder-counts');
  assertNoBrowserErrors();
});
