import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

/**
 * Email activity conditions of the filter language (`field: 'emailActivity'`): seeded straight into
 * contacts, campaigns and the send ledger (email_sends), then found through the search API and a
 * saved segment.
 */
describe.skipIf(databaseMissing)('filters on email activity', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const q = async <T>(text: string, params: unknown[] = []) =>
    (await server.runtime.database.query(text, params)).rows as T[];

  async function contact(orgId: string, firstName: string): Promise<string> {
    const [row] = await q<{ id: string }>(
      'insert into contacts (org_id, first_name, email) values ($1, $2, $3) returning id',
      [orgId, firstName, `${firstName.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`],
    );
    return row!.id;
  }

  async function campaign(orgId: string, name: string): Promise<string> {
    const [row] = await q<{ id: string }>(
      "insert into campaigns (org_id, name, status) values ($1, $2, 'sent') returning id",
      [orgId, name],
    );
    return row!.id;
  }

  /** One sent message; `at` fields are how many days ago each event happened. */
  async function send(
    orgId: string,
    campaignId: string | null,
    contactId: string,
    at: Partial<
      Record<
        'sent' | 'delivered' | 'opened' | 'clicked' | 'bounced' | 'machine_opened' | 'machine_clicked',
        number
      >
    >,
  ) {
    const ago = (d: number | undefined) =>
      d === undefined ? null : new Date(Date.now() - d * 86_400_000).toISOString();
    await q(
      `insert into email_sends (org_id, campaign_id, contact_id, kind, email, state, message_id, sent_at,
         delivered_at, opened_at, clicked_at, bounced_at, machine_opened_at, machine_clicked_at)
       values ($1, $2, $3, $4, 'x@example.com', 'sent', $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        orgId,
        campaignId,
        contactId,
        campaignId ? 'campaign' : 'transactional',
        `<${randomUUID()}@test>`,
        ago(at.sent ?? 0),
        ago(at.delivered),
        ago(at.opened),
        ago(at.clicked),
        ago(at.bounced),
        ago(at.machine_opened),
        ago(at.machine_clicked),
      ],
    );
  }

  async function setup() {
    const org = await createOrg(server);
    const c = client(server, org.owner);
    const spring = await campaign(org.orgId, 'Spring');
    const autumn = await campaign(org.orgId, 'Autumn');
    const ids = {
      // opened Spring 2 days ago, clicked it 2 days ago
      ada: await contact(org.orgId, 'Ada'),
      // opened Autumn 40 days ago
      bob: await contact(org.orgId, 'Bob'),
      // Spring was delivered, only a machine (scanner) opened and clicked it
      cy: await contact(org.orgId, 'Cy'),
      // Spring bounced
      dee: await contact(org.orgId, 'Dee'),
      // never mailed
      eve: await contact(org.orgId, 'Eve'),
    };
    await send(org.orgId, spring, ids.ada, { sent: 3, delivered: 3, opened: 2, clicked: 2 });
    await send(org.orgId, autumn, ids.bob, { sent: 41, delivered: 41, opened: 40 });
    await send(org.orgId, spring, ids.cy, { sent: 3, delivered: 3, machine_opened: 3, machine_clicked: 3 });
    await send(org.orgId, spring, ids.dee, { sent: 3, bounced: 3 });
    const names = async (filter: unknown): Promise<string[]> => {
      const res = await c.post('/api/v1/contacts/search', { filter, limit: 200 });
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json()
        .items.map((x: { firstName: string }) => x.firstName)
        .sort();
    };
    return { org, c, spring, autumn, ids, names };
  }

  const activity = (op: 'happened' | 'not_happened', value: Record<string, unknown>) => ({
    field: 'emailActivity',
    op,
    value,
  });

  it('finds who opened, clicked, was sent, delivered or bounced — human opens and clicks only', async () => {
    const { names } = await setup();
    expect(await names(activity('happened', { event: 'opened' }))).toEqual(['Ada', 'Bob']);
    expect(await names(activity('happened', { event: 'clicked' }))).toEqual(['Ada']);
    expect(await names(activity('happened', { event: 'sent' }))).toEqual(['Ada', 'Bob', 'Cy', 'Dee']);
    expect(await names(activity('happened', { event: 'delivered' }))).toEqual(['Ada', 'Bob', 'Cy']);
    expect(await names(activity('happened', { event: 'bounced' }))).toEqual(['Dee']);
  });

  it('negates: "has not opened" includes contacts never mailed', async () => {
    const { names } = await setup();
    expect(await names(activity('not_happened', { event: 'opened' }))).toEqual(['Cy', 'Dee', 'Eve']);
    expect(await names(activity('not_happened', { event: 'clicked' }))).toEqual(['Bob', 'Cy', 'Dee', 'Eve']);
  });

  it('limits to the last N days', async () => {
    const { names } = await setup();
    expect(await names(activity('happened', { event: 'opened', withinDays: 30 }))).toEqual(['Ada']);
    expect(await names(activity('happened', { event: 'opened', withinDays: 45 }))).toEqual(['Ada', 'Bob']);
    expect(await names(activity('happened', { event: 'opened', withinDays: 1 }))).toEqual([]);
    expect(await names(activity('not_happened', { event: 'opened', withinDays: 30 }))).toEqual([
      'Bob',
      'Cy',
      'Dee',
      'Eve',
    ]);
  });

  it('scopes to one campaign, and combines with other conditions', async () => {
    const { names, spring, autumn } = await setup();
    expect(await names(activity('happened', { event: 'opened', campaignId: spring }))).toEqual(['Ada']);
    expect(await names(activity('happened', { event: 'opened', campaignId: autumn }))).toEqual(['Bob']);
    expect(await names(activity('happened', { event: 'sent', campaignId: autumn }))).toEqual(['Bob']);
    // Sent Spring but did not open it: the re-send audience.
    expect(
      await names({
        and: [
          activity('happened', { event: 'sent', campaignId: spring }),
          activity('not_happened', { event: 'opened', campaignId: spring }),
        ],
      }),
    ).toEqual(['Cy', 'Dee']);
    expect(
      await names({
        or: [activity('happened', { event: 'bounced' }), { field: 'firstName', op: 'eq', value: 'Eve' }],
      }),
    ).toEqual(['Dee', 'Eve']);
  });

  it("another organisation's campaign id matches nothing (and its sends never count here)", async () => {
    const a = await setup();
    const b = await setup();
    expect(await a.names(activity('happened', { event: 'opened', campaignId: b.spring }))).toEqual([]);
    expect(await a.names(activity('happened', { event: 'sent', campaignId: b.autumn }))).toEqual([]);
    expect(await a.names(activity('not_happened', { event: 'opened', campaignId: b.spring }))).toEqual([
      'Ada',
      'Bob',
      'Cy',
      'Dee',
      'Eve',
    ]);
    // A ledger row that names org A's contact but belongs to org B is not A's activity.
    await send(b.org.orgId, b.spring, a.ids.eve, { sent: 1, opened: 1 });
    expect(await a.names(activity('happened', { event: 'opened' }))).toEqual(['Ada', 'Bob']);
  });

  it('refuses malformed conditions with a 400 naming the problem', async () => {
    const { c } = await setup();
    const bad = [
      activity('happened', { event: 'forwarded' }),
      activity('happened', {}),
      activity('happened', { event: 'opened', withinDays: 0 }),
      activity('happened', { event: 'opened', withinDays: 3651 }),
      activity('happened', { event: 'opened', withinDays: 2.5 }),
      activity('happened', { event: 'opened', campaignId: 'nope' }),
      activity('happened', { event: 'opened', extra: 1 }),
      { field: 'emailActivity', op: 'eq', value: { event: 'opened' } },
      { field: 'firstName', op: 'happened', value: { event: 'opened' } },
    ];
    for (const filter of bad) {
      const res = await c.post('/api/v1/contacts/search', { filter });
      expect(res.statusCode, JSON.stringify(filter)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const res = await c.post('/api/v1/contacts/search', {
      filter: { and: [activity('happened', { event: 'opened', withinDays: 0 })] },
    });
    expect(res.json().error.message).toContain('filter.and[0]');
    expect(res.json().error.message).toContain('withinDays');
  });

  it('is offered by the filter fields endpoint', async () => {
    const { c } = await setup();
    const fields = (await c.get('/api/v1/contacts/filter-fields')).json().items;
    expect(fields).toContainEqual({
      field: 'emailActivity',
      label: 'Email activity',
      type: 'email_activity',
      operators: ['happened', 'not_happened'],
      options: ['opened', 'clicked', 'sent', 'delivered', 'bounced'],
    });
  });

  it('a segment saved with the condition counts right, and follows new activity', async () => {
    const { c, org, spring, ids } = await setup();
    const created = await c.post('/api/v1/segments', {
      name: 'Engaged with Spring',
      filter: {
        or: [
          activity('happened', { event: 'opened', campaignId: spring, withinDays: 30 }),
          activity('happened', { event: 'clicked', campaignId: spring, withinDays: 30 }),
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const seg = created.json();
    expect((await c.get(`/api/v1/segments/${seg.id}/count`)).json()).toEqual({ count: 1 });
    const page = (await c.post('/api/v1/contacts/search', { segmentId: seg.id })).json();
    expect(page.items.map((x: { id: string }) => x.id)).toEqual([ids.ada]);
    // Eve opens Spring today: the segment grows.
    await send(org.orgId, spring, ids.eve, { sent: 0, opened: 0 });
    expect((await c.get(`/api/v1/segments/${seg.id}/count`)).json()).toEqual({ count: 2 });

    const never = await c.post('/api/v1/segments', {
      name: 'Never opened',
      filter: activity('not_happened', { event: 'opened' }),
    });
    expect(never.statusCode, never.body).toBe(201);
    expect((await c.get(`/api/v1/segments/${never.json().id}/count`)).json()).toEqual({ count: 2 });

    // An invalid condition is refused on save.
    const bad = await c.post('/api/v1/segments', {
      name: 'Bad',
      filter: activity('happened', { event: 'opened', withinDays: -1 }),
    });
    expect(bad.statusCode).toBe(400);
  });
});
