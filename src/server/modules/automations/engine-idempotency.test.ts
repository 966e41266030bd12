import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWorkflow,
  insertContacts,
  insertRun,
  linear,
  q,
  runsOf,
  stepsOf,
  waitRuns,
} from '../../../../test/helpers/automations.js';
import { insertTemplate, setupSending } from '../../../../test/helpers/email.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { queueIdle } from '../../../../test/helpers/wait.js';
import type { WorkflowNode } from '../../../common/automations.js';
import { loadEvents } from '../../lib/events.js';
import { runStep } from './engine.js';
import { triggerSubscriber } from './triggers.js';

/**
 * The queue delivers at least once: a step job run twice (one after the other, or at the same
 * time) performs its side effect once, and an event delivered twice enrols once.
 */
// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation idempotency', () => {
  let server: TestServer;
  let orgId: string;
  let templateId: string;
  beforeAll(async () => {
    server = await createTestServer();
    ({ orgId } = await createOrg(server));
    await setupSending(server, orgId);
    templateId = await insertTemplate(server, orgId, { name: 'Once', subject: 'Only once' });
  });
  afterAll(async () => {
    await server?.close();
  });
  const db = () => server.runtime.database;

  /** A one-step workflow; two contacts with a run at that step each (no job: the test runs it). */
  async function oneStep(step: WorkflowNode) {
    const automationId = await activeWorkflow(db(), orgId, linear({ type: 'manual' }, [step]), step.type);
    const [a, b] = await insertContacts(db(), orgId, 2);
    return {
      automationId,
      sequential: { contactId: a!, runId: await insertRun(db(), orgId, automationId, a!, step.id) },
      concurrent: { contactId: b!, runId: await insertRun(db(), orgId, automationId, b!, step.id) },
    };
  }

  /** Runs the step twice in a row for one run, three times at once for the other; both complete. */
  async function twice(w: Awaited<ReturnType<typeof oneStep>>, node: string) {
    const deps = server.runtime;
    await runStep(deps, w.sequential.runId, node);
    await runStep(deps, w.sequential.runId, node);
    await Promise.all([
      runStep(deps, w.concurrent.runId, node),
      runStep(deps, w.concurrent.runId, node),
      runStep(deps, w.concurrent.runId, node),
    ]);
    for (const r of [w.sequential, w.concurrent]) {
      const [run] = await runsOf(db(), w.automationId, r.contactId);
      expect(run).toMatchObject({ state: 'completed' });
      const steps = await stepsOf(db(), r.runId);
      expect(steps.map((s) => [s.node_id, s.state, s.attempts])).toEqual([[node, 'done', 1]]);
      const [t] = await q<{ n: number }>(
        db(),
        `select count(*)::int as n from contact_events where contact_id = $1 and type = 'automation.step'`,
        [r.contactId],
      );
      expect(t!.n).toBe(1);
    }
  }

  const count = async (text: string, contactId: string) =>
    (await q<{ n: number }>(db(), text, [contactId]))[0]!.n;

  it('add tag: one tag.added event', async () => {
    const w = await oneStep({ id: 'tag', type: 'add_tag', tag: 'once' });
    await twice(w, 'tag');
    for (const r of [w.sequential, w.concurrent])
      expect(
        await count(
          `select count(*)::int as n from contact_events where contact_id = $1 and type = 'tag.added'`,
          r.contactId,
        ),
      ).toBe(1);
  });

  it('send email: one email_sends row', async () => {
    const w = await oneStep({ id: 'mail', type: 'send_email', templateId });
    await twice(w, 'mail');
    for (const r of [w.sequential, w.concurrent])
      expect(
        await count(
          `select count(*)::int as n from email_sends where contact_id = $1 and kind = 'automation'`,
          r.contactId,
        ),
      ).toBe(1);
  });

  it('add note: one note (and one note.added event)', async () => {
    const w = await oneStep({ id: 'note', type: 'note', body: 'Just once' });
    await twice(w, 'note');
    for (const r of [w.sequential, w.concurrent]) {
      expect(await count(`select count(*)::int as n from notes where contact_id = $1`, r.contactId)).toBe(1);
      expect(
        await count(
          `select count(*)::int as n from contact_events where contact_id = $1 and type = 'note.added'`,
          r.contactId,
        ),
      ).toBe(1);
    }
  });

  it('an event delivered twice (and twice at once) enrols once, even with re-entry allowed', async () => {
    const automationId = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'event', name: 'signed_up' }, [{ id: 'note', type: 'note', body: 'Welcome' }], {
        reentry: true,
      }),
      'On sign-up',
    );
    const contacts = await insertContacts(db(), orgId, 20);
    // The events straight into the table (not through the outbox): only this test delivers them.
    const ids = await q<{ id: string }>(
      db(),
      `insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
       select $1, c, 'event.custom', 'system', null, jsonb_build_object('name', 'signed_up', 'properties', '{}'::jsonb)
       from unnest($2::uuid[]) c returning id`,
      [orgId, contacts],
    );
    const events = await loadEvents(
      server.runtime.database.db,
      ids.map((i) => i.id),
    );
    expect(events).toHaveLength(20);
    const deps = server.runtime;
    await triggerSubscriber.handler(events, deps);
    // The first runs complete (re-entry would now allow a new run), then the same events again.
    await waitRuns(db(), automationId, (c) => c.completed === 20, { what: 'the first runs to complete' });
    await triggerSubscriber.handler(events, deps);
    await Promise.all([triggerSubscriber.handler(events, deps), triggerSubscriber.handler(events, deps)]);
    await queueIdle(server);
    const runs = await runsOf(db(), automationId);
    expect(runs).toHaveLength(20);
    expect(new Set(runs.map((r) => r.contact_id)).size).toBe(20);
    const [notes] = await q<{ n: number }>(
      db(),
      `select count(*)::int as n from notes where contact_id = any($1::uuid[])`,
      [contacts],
    );
    expect(notes!.n).toBe(20);

    // Delivered at the same time before any run exists: still one run each.
    const more = await insertContacts(db(), orgId, 10);
    const moreIds = await q<{ id: string }>(
      db(),
      `insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
       select $1, c, 'event.custom', 'system', null, jsonb_build_object('name', 'signed_up', 'properties', '{}'::jsonb)
       from unnest($2::uuid[]) c returning id`,
      [orgId, more],
    );
    const moreEvents = await loadEvents(
      server.runtime.database.db,
      moreIds.map((i) => i.id),
    );
    await Promise.all([
      triggerSubscriber.handler(moreEvents, deps),
      triggerSubscriber.handler(moreEvents, deps),
      triggerSubscriber.handler(moreEvents, deps),
    ]);
    await waitRuns(db(), automationId, (c) => c.completed === 30, { what: 'all runs to complete' });
    expect((await runsOf(db(), automationId)).length).toBe(30);
  });
});
