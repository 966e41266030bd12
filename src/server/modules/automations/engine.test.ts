import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTemplate, setupSending } from '../../../../test/helpers/email.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { type SmtpSink, startSmtpSink } from '../../../../test/helpers/smtp-sink.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import type { WorkflowDefinition } from '../../../common/automations.js';
import { clock } from '../../lib/clock.js';
import { timeline as contactTimeline } from '../contacts/contacts.repo.js';
import { runWatchdog } from './engine.js';

/** The engine end to end on a real database: events enrol, steps run once, waits follow the clock. */
// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation engine', () => {
  let server: TestServer;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await createTestServer({ smtpUrl: sink.url, sendPollMs: 50 });
  });
  afterAll(async () => {
    clock.setOffset(0);
    await server?.close();
    await sink?.close();
  });
  const q = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await server.runtime.database.query<T & Record<string, unknown>>(text, values)).rows as T[];

  /** Inserts an active automation with one published version (what activation does). */
  async function activeWorkflow(orgId: string, definition: WorkflowDefinition, name = 'Flow') {
    const trigger = definition.nodes.find((n) => n.type === 'trigger');
    const [a] = await q<{ id: string }>(
      `insert into automations (org_id, name, status, latest_version, active_version, trigger_type, trigger)
       values ($1, $2, 'active', 1, 1, $3, $4) returning id`,
      [
        orgId,
        name,
        trigger?.type === 'trigger' ? trigger.trigger.type : null,
        JSON.stringify(trigger?.type === 'trigger' ? trigger.trigger : null),
      ],
    );
    await q(
      `insert into automation_versions (automation_id, org_id, version, definition, published_at) values ($1, $2, 1, $3, now())`,
      [a!.id, orgId, JSON.stringify(definition)],
    );
    return a!.id;
  }

  it('tag added → add tag → wait 1 day → send email: each step once, the wait follows the clock', async () => {
    const { orgId } = await createOrg(server);
    await setupSending(server, orgId);
    const templateId = await insertTemplate(server, orgId, { name: 'Follow-up', subject: 'Welcome aboard' });
    const id = await activeWorkflow(orgId, {
      nodes: [
        { id: 'trigger', type: 'trigger', trigger: { type: 'tag.added', tag: 'vip' } },
        { id: 'tag', type: 'add_tag', tag: 'engaged' },
        { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' } },
        { id: 'mail', type: 'send_email', templateId },
      ],
      edges: [
        { from: 'trigger', to: 'tag', exit: 'next' },
        { from: 'tag', to: 'wait', exit: 'next' },
        { from: 'wait', to: 'mail', exit: 'next' },
      ],
      settings: { reentry: false },
    });
    const [{ id: vip }] = (await q<{ id: string }>(
      `insert into tags (org_id, name) values ($1, 'vip') returning id`,
      [orgId],
    )) as [{ id: string }];
    const [c] = await q<{ id: string }>(
      `insert into contacts (org_id, first_name, email, subscription_status) values ($1, 'Ada', 'ada@example.com', 'subscribed') returning id`,
      [orgId],
    );
    // Tag the contact through the write path (so the event bus sees tag.added).
    const { applyBulkChange } = await import('../contacts/write/sets.js');
    const { automationCtx } = await import('./engine.js');
    const ctx = {
      ...automationCtx(server.runtime.deps, orgId, id),
      actor: { type: 'system' as const, id: null },
    };
    await server.runtime.database.db.transaction((tx) =>
      applyBulkChange(tx, ctx, { type: 'add_tags', tagIds: [vip], tagNames: ['vip'] }, sql`c.id = ${c!.id}`),
    );
    server.runtime.events.kick();

    const run = await waitFor(
      async () => {
        const [r] = await q<{ id: string; state: string; current_node: string }>(
          `select id, state, current_node from automation_runs where automation_id = $1`,
          [id],
        );
        return r?.state === 'waiting' ? r : undefined;
      },
      { what: 'the run to reach the wait' },
    );
    expect(run.current_node).toBe('wait');
    const [tags] = await q<{ names: string[] }>(
      `select array(select t.name from tags t where t.id = any(c.tag_ids) order by t.name) as names from contacts c where c.id = $1`,
      [c!.id],
    );
    expect(tags!.names).toEqual(['engaged', 'vip']);
    // Nothing moves before the clock does.
    expect(await runWatchdog(server.runtime.deps)).toBe(0);
    clock.advance(86_400_000 + 1_000);
    expect(await runWatchdog(server.runtime.deps)).toBe(1);
    await waitFor(
      async () => {
        const [r] = await q<{ state: string }>(`select state from automation_runs where id = $1`, [run.id]);
        return r?.state === 'completed' ? r : undefined;
      },
      { what: 'the run to complete' },
    );
    await waitFor(
      async () => (sink.messages.some((m) => m.to.includes('ada@example.com')) ? true : undefined),
      {
        what: 'the email at the SMTP sink',
      },
    );
    const steps = await q<{ node_id: string; state: string }>(
      `select node_id, state from automation_steps where run_id = $1 order by started_at`,
      [run.id],
    );
    expect(steps).toEqual([
      { node_id: 'tag', state: 'done' },
      { node_id: 'wait', state: 'done' },
      { node_id: 'mail', state: 'done' },
    ]);
    const timeline = await q<{ type: string }>(
      `select type from contact_events where contact_id = $1 and type like 'automation.%' order by created_at, seq`,
      [c!.id],
    );
    expect(timeline.map((t) => t.type)).toEqual([
      'automation.enrolled',
      'automation.step',
      'automation.step',
      'automation.step',
      'automation.step',
      'automation.ended',
    ]);
    // The runner records "sent" right after the SMTP server accepted the message.
    const sends = await waitFor(
      async () => {
        const list = await q<{ kind: string; state: string }>(
          `select kind, state from email_sends where contact_id = $1`,
          [c!.id],
        );
        return list[0]?.state === 'sent' ? list : undefined;
      },
      { what: 'the ledger row recorded sent' },
    );
    expect(sends).toEqual([{ kind: 'automation', state: 'sent' }]);
    // The timeline names the workflow that tagged the contact (one contact, but through the bulk path).
    const page = await contactTimeline(server.runtime.database.db, orgId, c!.id, 50);
    const tagged = page.find((e) => e.type === 'tag.added' && e.actor_type === 'automation');
    expect(tagged).toMatchObject({ actor_id: id, actor_name: 'Flow' });
  });
});
