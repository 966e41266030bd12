import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWorkflow,
  insertContacts,
  linear,
  q,
  tagId,
  waitRuns,
} from '../../../../test/helpers/automations.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { pgArray } from '../../lib/sql.js';
import { applyBulkChange } from '../contacts/write/sets.js';
import { automationCtx } from './engine.js';

/**
 * Set-based fan-out: a bulk tag on 5,000 contacts (one statement, 5,000 tag.added events) enrols
 * all 5,000 through a handful of event deliveries, each enrolling its batch in one statement —
 * not 5,000 round trips. (pg_stat_statements is not loaded on the test server, so the bound is
 * checked on the deliveries to the trigger subscriber.)
 */
const CONTACTS = 5_000;

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation trigger fan-out', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const db = () => server.runtime.database;

  it('a bulk tag on 5,000 contacts enrols all 5,000 through at most 10 deliveries', async () => {
    const { orgId } = await createOrg(server);
    const automationId = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'tag.added', tag: 'bulk' }, [
        { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' } },
      ]),
      'Bulk tagged',
    );
    const contacts = await insertContacts(db(), orgId, CONTACTS);
    const bulk = await tagId(db(), orgId, 'bulk');
    const [{ since }] = (await q<{ since: Date }>(db(), 'select now() as since')) as [{ since: Date }];
    const ctx = {
      ...automationCtx(server.runtime.deps, orgId, automationId),
      actor: { type: 'user' as const, id: null },
    };
    const changed = await server.runtime.database.db.transaction((tx) =>
      applyBulkChange(
        tx,
        ctx,
        { type: 'add_tags', tagIds: [bulk], tagNames: ['bulk'] },
        sql`c.id = any(${pgArray(contacts)}::uuid[])`,
      ),
    );
    expect(changed).toBe(CONTACTS);
    server.runtime.events.kick();
    const done = await waitRuns(db(), automationId, (c) => c.total === CONTACTS, {
      what: 'all 5,000 runs to be enrolled',
      timeoutMs: 50_000,
    });
    expect(done.total).toBe(CONTACTS);
    const [deliveries] = await q<{ n: number; events: number }>(
      db(),
      `select count(*)::int as n, coalesce(sum(jsonb_array_length(data -> 'eventIds')), 0)::int as events from pgboss.job
       where name = 'events.deliver' and data ->> 'subscriber' = 'automations.trigger' and created_on >= $1`,
      [since],
    );
    expect(deliveries!.events).toBe(CONTACTS);
    expect(deliveries!.n).toBeGreaterThan(0);
    expect(deliveries!.n).toBeLessThanOrEqual(10);
    // Each contact enrolled once, with the event that enrolled it; and set-based: the runs were
    // inserted by at most 10 transactions (a run's enrolled_at is its transaction's start).
    const [enrolled] = await q<{ n: number; keyed: number; transactions: number }>(
      db(),
      `select count(distinct contact_id)::int as n, count(*) filter (where trigger_key like 'event:%')::int as keyed,
         count(distinct enrolled_at)::int as transactions
       from automation_runs where automation_id = $1`,
      [automationId],
    );
    expect(enrolled).toMatchObject({ n: CONTACTS, keyed: CONTACTS });
    expect(enrolled!.transactions).toBeLessThanOrEqual(10);
    // The runs' steps are not part of the check (and this database is the file's own): pause the
    // workflow and drop its queued step jobs, which keeps the test light.
    await q(db(), `update automations set status = 'paused' where id = $1`, [automationId]);
    await q(db(), `delete from pgboss.job where name = 'automations.step' and state = 'created'`);
  });
});
