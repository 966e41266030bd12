import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { applyEmailEvents, TOTAL_BUCKET } from './email-events.js';

describe.skipIf(databaseMissing)('the email events applier', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  async function seed(emails: string[]) {
    const { orgId } = await createOrg(server);
    const [campaign] = await q<{ id: string }>(
      `insert into campaigns (org_id, name, status) values ($1, 'Launch', 'sending') returning id`,
      [orgId],
    );
    const sends: { id: string; contactId: string; email: string }[] = [];
    for (const email of emails) {
      const [c] = await q<{ id: string }>(
        `insert into contacts (org_id, email, subscription_status) values ($1, $2, 'subscribed') returning id`,
        [orgId, email],
      );
      const [s] = await q<{ id: string }>(
        `insert into email_sends (org_id, campaign_id, contact_id, email, state, message_id, sent_at)
         values ($1, $2, $3, $4, 'sent', gen_random_uuid()::text, now()) returning id`,
        [orgId, campaign!.id, c!.id, email],
      );
      sends.push({ id: s!.id, contactId: c!.id, email });
    }
    return { orgId, campaignId: campaign!.id, sends };
  }
  const totals = async (campaignId: string) =>
    (
      await q(`select * from campaign_stats where campaign_id = $1 and bucket = $2`, [
        campaignId,
        TOTAL_BUCKET,
      ])
    )[0];
  const deps = () => ({ database: server.runtime.database, events: server.runtime.events });

  it('counts unique and total opens and clicks, human and machine apart, and records the timeline', async () => {
    const { campaignId, sends } = await seed(['a@example.com', 'b@example.com']);
    const [a, b] = sends as [(typeof sends)[0], (typeof sends)[0]];
    const [link] = await q<{ id: number }>(
      `insert into email_links (org_id, campaign_id, url) select org_id, id, 'https://example.com/x' from campaigns where id = $1 returning id`,
      [campaignId],
    );
    const linkId = Number(link!.id);
    const result = await applyEmailEvents(deps(), [
      { sendId: a.id, type: 'opened', source: 'tracking', machine: true },
      { sendId: a.id, type: 'opened', source: 'tracking' },
      { sendId: a.id, type: 'opened', source: 'tracking' },
      { sendId: b.id, type: 'clicked', source: 'tracking', linkId },
      { sendId: b.id, type: 'clicked', source: 'tracking', linkId, machine: true },
      { sendId: '00000000-0000-7000-8000-000000000000', type: 'opened', source: 'tracking' },
    ]);
    expect(result).toEqual({ applied: 5, unknown: 1 });
    expect(await totals(campaignId)).toMatchObject({
      opens: 2,
      unique_opens: 2, // b's human click counts as an open
      machine_opens: 1,
      unique_machine_opens: 1,
      clicks: 1,
      unique_clicks: 1,
      machine_clicks: 1,
    });
    const [l] = await q(`select clicks, human_clicks from email_links where id = $1`, [linkId]);
    expect(l).toEqual({ clicks: 2, human_clicks: 1 });
    const [sa] = await q(
      `select opens, opened_at is not null as opened, machine_opened_at is not null as mopened from email_sends where id = $1`,
      [a.id],
    );
    expect(sa).toEqual({ opens: 2, opened: true, mopened: true });
    const timeline = await q<{ type: string; data: { machine?: boolean } }>(
      `select type, data from contact_events where contact_id = $1 order by created_at, seq`,
      [a.contactId],
    );
    expect(timeline.map((t) => t.type)).toEqual(['email.opened', 'email.opened', 'email.opened']);
    expect(timeline.filter((t) => t.data.machine).length).toBe(1);
    expect(
      (await q(`select count(*)::int as n from email_events where campaign_id = $1`, [campaignId]))[0],
    ).toEqual({ n: 5 });
  });

  it('never lets a late delivery override a bounce, and suppresses hard bounces and complaints', async () => {
    const { orgId, campaignId, sends } = await seed(['hard@example.com', 'spam@example.com']);
    const [hard, spam] = sends as [(typeof sends)[0], (typeof sends)[0]];
    const t0 = Date.now();
    await applyEmailEvents(deps(), [
      { sendId: hard.id, type: 'bounced', bounceType: 'hard', source: 'ses', occurredAt: new Date(t0) },
      { sendId: spam.id, type: 'delivered', source: 'ses', occurredAt: new Date(t0) },
    ]);
    await applyEmailEvents(deps(), [
      { sendId: hard.id, type: 'delivered', source: 'ses', occurredAt: new Date(t0 + 1000) },
      { sendId: spam.id, type: 'complained', source: 'ses', occurredAt: new Date(t0 + 2000) },
    ]);
    const [h] = await q(
      `select delivered_at, bounced_at is not null as bounced, bounce_type from email_sends where id = $1`,
      [hard.id],
    );
    expect(h).toEqual({ delivered_at: null, bounced: true, bounce_type: 'hard' });
    expect(await totals(campaignId)).toMatchObject({ delivered: 1, bounced: 1, complained: 1 });
    const sup = await q<{ email: string; reason: string }>(
      `select email, reason from suppressions where org_id = $1 order by email`,
      [orgId],
    );
    expect(sup).toEqual([
      { email: 'hard@example.com', reason: 'hard_bounce' },
      { email: 'spam@example.com', reason: 'complaint' },
    ]);
    const statuses = await q(
      `select email, subscription_status from contacts where org_id = $1 order by email`,
      [orgId],
    );
    expect(statuses).toEqual([
      { email: 'hard@example.com', subscription_status: 'bounced' },
      { email: 'spam@example.com', subscription_status: 'complained' },
    ]);
  });

  it('suppresses an address after three soft bounces in a row; a delivery in between resets the count', async () => {
    const one = await seed(['soft@example.com']);
    const sendFor = async () => {
      const [s] = await q<{ id: string }>(
        `insert into email_sends (org_id, kind, contact_id, email, state, message_id, sent_at)
         values ($1, 'transactional', $2, 'soft@example.com', 'sent', gen_random_uuid()::text, now()) returning id`,
        [one.orgId, one.sends[0]!.contactId],
      );
      return s!.id;
    };
    const soft = async (id: string) =>
      applyEmailEvents(deps(), [{ sendId: id, type: 'bounced', bounceType: 'soft', source: 'postmark' }]);
    await soft(await sendFor());
    await soft(await sendFor());
    await applyEmailEvents(deps(), [{ sendId: await sendFor(), type: 'delivered', source: 'postmark' }]);
    await soft(await sendFor());
    await soft(await sendFor());
    expect(await q(`select * from suppressions where org_id = $1`, [one.orgId])).toEqual([]);
    const again = await sendFor();
    await soft(again);
    await soft(again); // the same message bouncing twice counts once
    expect(await q(`select reason from suppressions where org_id = $1`, [one.orgId])).toEqual([
      { reason: 'soft_bounce' },
    ]);
  });

  it('unsubscribes, and a resubscribe lifts only an unsubscribe', async () => {
    const { orgId, campaignId, sends } = await seed(['u@example.com']);
    const s = sends[0]!;
    await applyEmailEvents(deps(), [{ sendId: s.id, type: 'unsubscribed', source: 'tracking' }]);
    await applyEmailEvents(deps(), [{ sendId: s.id, type: 'unsubscribed', source: 'tracking' }]);
    expect(await totals(campaignId)).toMatchObject({ unsubscribed: 1 });
    expect((await q(`select subscription_status from contacts where id = $1`, [s.contactId]))[0]).toEqual({
      subscription_status: 'unsubscribed',
    });
    await applyEmailEvents(deps(), [{ sendId: s.id, type: 'resubscribed', source: 'preferences' }]);
    const [c] = await q(`select subscription_status, consent_source from contacts where id = $1`, [
      s.contactId,
    ]);
    expect(c).toEqual({ subscription_status: 'subscribed', consent_source: 'Preference page' });
    // Org isolation of the stats: nothing of this org shows up elsewhere.
    expect(
      (
        await q(`select count(*)::int as n from campaign_stats where org_id <> $1 and campaign_id = $2`, [
          orgId,
          campaignId,
        ])
      )[0],
    ).toEqual({ n: 0 });
  });
});
