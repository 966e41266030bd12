import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWorkflow,
  insertContacts,
  insertRun,
  linear,
  q,
  runsOf,
} from '../../../../test/helpers/automations.js';
import { insertTemplate, setupSending } from '../../../../test/helpers/email.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { runStep } from './engine.js';
import { runStepBatch } from './engine-batch.js';

/**
 * Set-based steps (engine-batch.ts): a fetched batch of step jobs at the same "send email" step
 * runs in one transaction and leaves the same records as the one-by-one path: one send-ledger row
 * per contact with an address (queued, or skipped with the reason), the step ledger, the timeline.
 */
// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('set-based send step', () => {
  let server: TestServer;
  let orgId: string;
  let templateId: string;
  beforeAll(async () => {
    server = await createTestServer();
    ({ orgId } = await createOrg(server));
    await setupSending(server, orgId);
    templateId = await insertTemplate(server, orgId, { name: 'Welcome', subject: 'Hello' });
  });
  afterAll(async () => {
    await server?.close();
  });
  const db = () => server.runtime.database;

  /** Six contacts: three subscribed, one unsubscribed, one suppressed, one without an address. */
  async function audience() {
    const subscribed = await insertContacts(db(), orgId, 3);
    const [unsubscribed] = await insertContacts(db(), orgId, 1, { status: 'unsubscribed' });
    const [suppressed] = await insertContacts(db(), orgId, 1);
    const [noEmail] = await insertContacts(db(), orgId, 1);
    await q(
      db(),
      `insert into suppressions (org_id, email, reason) select org_id, upper(email), 'manual' from contacts where id = $1`,
      [suppressed],
    );
    await q(db(), 'update contacts set email = null where id = $1', [noEmail]);
    return { subscribed, unsubscribed: unsubscribed!, suppressed: suppressed!, noEmail: noEmail! };
  }

  /**
   * The server's send runner works beside the test and may already have picked a queued send up
   * (queued -> sending -> sent through the outbox); every one of those states means "handed over".
   */
  const handedOver = (state: string) =>
    ['queued', 'sending', 'sent'].includes(state) ? 'queued or later' : state;

  async function records(automationId: string, contactIds: string[]) {
    const sends = await q<{
      contact_id: string;
      id: string;
      state: string;
      reason: string | null;
      payload: Record<string, unknown>;
      message_id: string;
      tx: string;
    }>(
      db(),
      `select contact_id, id, state, reason, payload, message_id, xmin::text as tx from email_sends
       where contact_id = any($1::uuid[]) and kind = 'automation' and payload ->> 'automationId' = $2`,
      [contactIds, automationId],
    );
    const steps = await q<{
      contact_id: string;
      run_id: string;
      state: string;
      outcome: string;
      result: Record<string, unknown>;
      tx: string;
    }>(
      db(),
      `select r.contact_id, s.run_id, s.state, s.outcome, s.result, s.xmin::text as tx
       from automation_steps s join automation_runs r on r.id = s.run_id where s.automation_id = $1`,
      [automationId],
    );
    const timeline = await q<{ contact_id: string; summary: string }>(
      db(),
      `select contact_id, data ->> 'summary' as summary from contact_events
       where type = 'automation.step' and data ->> 'automationId' = $1`,
      [automationId],
    );
    return { sends, steps, timeline };
  }

  it('one transaction for the whole batch; queued, skipped with the reason, or no row without an address', async () => {
    const automationId = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'manual' }, [{ id: 'mail', type: 'send_email', templateId }]),
      'Batch',
    );
    const c = await audience();
    const all = [...c.subscribed, c.unsubscribed, c.suppressed, c.noEmail];
    const runIds = new Map<string, string>();
    for (const contactId of all)
      runIds.set(contactId, await insertRun(db(), orgId, automationId, contactId, 'mail'));

    const failed = await runStepBatch(
      all.map((contactId, i) => ({ id: `job-${i}`, data: { runId: runIds.get(contactId)!, node: 'mail' } })),
      server.runtime,
    );
    expect(failed).toEqual([]);
    expect((await runsOf(db(), automationId)).map((r) => r.state)).toEqual(all.map(() => 'completed'));

    const { sends, steps, timeline } = await records(automationId, all);
    // The batch ran set-based: every ledger row of it was written by one transaction.
    expect(new Set([...sends.map((s) => s.tx), ...steps.map((s) => s.tx)]).size).toBe(1);

    const send = new Map(sends.map((s) => [s.contact_id, s]));
    expect(sends).toHaveLength(5);
    for (const id of c.subscribed) {
      expect(send.get(id)).toMatchObject({ reason: null });
      expect(handedOver(send.get(id)!.state)).toBe('queued or later');
    }
    expect(send.get(c.unsubscribed)).toMatchObject({ state: 'skipped', reason: 'unsubscribed' });
    expect(send.get(c.suppressed)).toMatchObject({ state: 'skipped', reason: 'suppressed' });
    expect(send.has(c.noEmail)).toBe(false);
    for (const s of sends) {
      expect(s.payload).toMatchObject({ templateId, automationId, runId: runIds.get(s.contact_id) });
      expect(s.message_id).toBe(`<${s.id}@${new URL(server.runtime.config.baseUrl).hostname}>`);
    }

    const step = new Map(steps.map((s) => [s.contact_id, s]));
    for (const id of c.subscribed)
      expect(step.get(id)).toMatchObject({
        state: 'done',
        outcome: 'next',
        result: { sendId: send.get(id)!.id },
      });
    expect(step.get(c.unsubscribed)).toMatchObject({
      state: 'skipped',
      result: { sendId: send.get(c.unsubscribed)!.id, reason: 'unsubscribed' },
    });
    expect(step.get(c.noEmail)).toMatchObject({ state: 'skipped', result: { reason: 'no_email' } });

    const said = new Map(timeline.map((t) => [t.contact_id, t.summary]));
    expect(timeline).toHaveLength(6);
    expect(said.get(c.subscribed[0]!)).toBe('Sent email "Welcome"');
    expect(said.get(c.unsubscribed)).toBe('Email "Welcome" not sent: unsubscribed');
    expect(said.get(c.suppressed)).toBe('Email "Welcome" not sent: suppressed');
    expect(said.get(c.noEmail)).toBe('Email "Welcome" not sent: no address');
  });

  it('leaves the same records as the one-by-one path', async () => {
    const definition = linear({ type: 'manual' }, [{ id: 'mail', type: 'send_email', templateId }]);
    const batched = await activeWorkflow(db(), orgId, definition, 'Batched');
    const single = await activeWorkflow(db(), orgId, definition, 'One by one');
    const c = await audience();
    const all = [...c.subscribed, c.unsubscribed, c.suppressed, c.noEmail];
    const items = [];
    for (const [i, contactId] of all.entries()) {
      const runId = await insertRun(db(), orgId, batched, contactId, 'mail');
      items.push({ id: `job-${i}`, data: { runId, node: 'mail' } });
      await runStep(server.runtime, await insertRun(db(), orgId, single, contactId, 'mail'), 'mail');
    }
    expect(await runStepBatch(items, server.runtime)).toEqual([]);

    // Everything but ids and transactions, per contact.
    const shape = async (automationId: string) => {
      const r = await records(automationId, all);
      const by = <T extends { contact_id: string }>(xs: T[], f: (x: T) => unknown) =>
        Object.fromEntries(all.map((id) => [id, xs.filter((x) => x.contact_id === id).map(f)]));
      return {
        sends: by(r.sends, (s) => ({
          state: handedOver(s.state),
          reason: s.reason,
          payload: {
            ...s.payload,
            runId: typeof s.payload.runId,
            automationId: typeof s.payload.automationId,
          },
        })),
        steps: by(r.steps, (s) => ({
          state: s.state,
          outcome: s.outcome,
          result: { ...s.result, ...(s.result.sendId ? { sendId: 'a send' } : {}) },
        })),
        timeline: by(r.timeline, (t) => t.summary),
      };
    };
    expect(await shape(batched)).toEqual(await shape(single));
  });

  it('one-by-one send steps without a sender, more at once than the pool has connections, all finish', async () => {
    // The default sender used to be read through the pool inside the step's transaction: with every
    // connection held by a step waiting for a second one, the steps waited for ever.
    const automationId = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'manual' }, [{ id: 'mail', type: 'send_email', templateId }]),
      'Many at once',
    );
    const contacts = await insertContacts(db(), orgId, server.runtime.config.databasePoolSize * 2);
    const runIds = [];
    for (const contactId of contacts)
      runIds.push(await insertRun(db(), orgId, automationId, contactId, 'mail'));
    await Promise.all(runIds.map((runId) => runStep(server.runtime, runId, 'mail')));
    expect((await runsOf(db(), automationId)).filter((r) => r.state === 'completed')).toHaveLength(
      contacts.length,
    );
  });
});
