import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWorkflow,
  enrolIds,
  insertContacts,
  linear,
  q,
  runCounts,
  waitRunState,
} from '../../../../test/helpers/automations.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';

/**
 * Per-organisation fairness: one organisation's burst of 3,000 runs does not starve another
 * organisation's single run, which completes while most of the burst is still to run.
 */
const BURST = 3_000;

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation fairness between organisations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const db = () => server.runtime.database;

  it("org B's one run completes while org A's burst of 3,000 is mostly still running", async () => {
    const a = await createOrg(server);
    const b = await createOrg(server);
    const steps = linear({ type: 'manual' }, [
      { id: 'tag', type: 'add_tag', tag: 'seen' },
      { id: 'note', type: 'note', body: 'Seen by the workflow' },
    ]);
    const flowA = await activeWorkflow(db(), a.orgId, steps, 'Burst');
    const flowB = await activeWorkflow(db(), b.orgId, steps, 'Single');
    const contactsA = await insertContacts(db(), a.orgId, BURST);
    const [contactB] = await insertContacts(db(), b.orgId, 1);

    // One statement enrols A's 3,000; then B enrols one.
    expect(await enrolIds(server, a.orgId, flowA, contactsA)).toBe(BURST);
    expect(await enrolIds(server, b.orgId, flowB, [contactB!])).toBe(1);
    await waitRunState(db(), flowB, contactB!, 'completed');
    const atB = await runCounts(db(), flowA);
    expect(atB.total).toBe(BURST);
    expect(atB.completed ?? 0, JSON.stringify(atB)).toBeLessThan(BURST / 2);

    // Done with A: its remaining runs are canceled and their jobs dropped (not part of the check).
    await q(
      db(),
      `with r as (update automation_runs set state = 'canceled', exit_reason = 'canceled', ended_at = now()
         where automation_id = $1 and state in ('active','waiting') returning id)
       delete from pgboss.job j using r where j.name = 'automations.step' and j.state = 'created'
         and (j.data ->> 'runId')::uuid = r.id`,
      [flowA],
    );
  });
});
