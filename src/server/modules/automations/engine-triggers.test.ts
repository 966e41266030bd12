import { TZDate } from '@date-fns/tz';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWorkflow,
  enrolIds,
  insertContacts,
  linear,
  q,
  runsOf,
  stepsOf,
  tagId,
  tagsOf,
  waitRunState,
} from '../../../../test/helpers/automations.js';
import { insertTemplate, setupSending } from '../../../../test/helpers/email.js';
import { createOrg } from '../../../../test/helpers/factories.js';
import { createTestServer, databaseMissing, type TestServer } from '../../../../test/helpers/server.js';
import { queueIdle } from '../../../../test/helpers/wait.js';
import type { WorkflowDefinition } from '../../../common/automations.js';
import { clock } from '../../lib/clock.js';
import { loadEvents } from '../../lib/events.js';
import { rows as rows_ } from '../../lib/sql.js';
import { recordEmailTimeline } from '../contacts/write/email.js';
import { applyBulkChange, type BulkChange } from '../contacts/write/sets.js';
import { automationCtx, onActivate, runWatchdog } from './engine.js';
import { checkDates, checkSegments, triggerSubscriber } from './triggers.js';

/** Triggers and what ends or stops a run, on a real database with the workers running. */
// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)('automation triggers', () => {
  let server: TestServer;
  let orgId: string;
  beforeAll(async () => {
    server = await createTestServer();
    ({ orgId } = await createOrg(server));
  });
  afterEach(() => {
    clock.setOffset(0);
  });
  afterAll(async () => {
    clock.setOffset(0);
    await server?.close();
  });
  const db = () => server.runtime.database;

  /** A bulk change through the contacts write path (events on the bus, as a user's bulk action). */
  async function change(contactIds: string[], c: BulkChange) {
    const ctx = {
      ...automationCtx(server.runtime.deps, orgId, '00000000-0000-0000-0000-000000000000'),
      actor: { type: 'user' as const, id: null },
    };
    await server.runtime.database.db.transaction((tx) =>
      applyBulkChange(tx, ctx, c, sql`c.id = any(${`{${contactIds.join(',')}}`}::uuid[])`),
    );
    server.runtime.events.kick();
  }
  const addTag = async (ids: string[], name: string) =>
    change(ids, { type: 'add_tags', tagIds: [await tagId(db(), orgId, name)], tagNames: [name] });

  const note = (body = 'Reached') => ({ id: 'note', type: 'note' as const, body });

  it('contact.updated with field, from and to: only that change enrols', async () => {
    const id = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'contact.updated', field: 'jobTitle', from: 'Engineer', to: 'Manager' }, [note()]),
      'Promoted',
    );
    const [promoted, other, wrongFrom] = await insertContacts(db(), orgId, 3);
    await change([promoted!, other!], { type: 'set_column', field: 'jobTitle', value: 'Engineer' });
    await change([wrongFrom!], { type: 'set_column', field: 'jobTitle', value: 'Intern' });
    await change([promoted!, wrongFrom!], { type: 'set_column', field: 'jobTitle', value: 'Manager' });
    await change([other!], { type: 'set_column', field: 'jobTitle', value: 'Director' });
    await waitRunState(db(), id, promoted!, 'completed');
    await server.runtime.events.dispatch();
    await queueIdle(server);
    expect((await runsOf(db(), id)).map((r) => r.contact_id)).toEqual([promoted]);
  });

  it('segment entered and left: checkSegments diffs the members against the snapshot at activation', async () => {
    const [seg] = await q<{ id: string }>(
      db(),
      `insert into segments (org_id, name, filter) values ($1, 'Members', $2) returning id`,
      [orgId, JSON.stringify({ field: 'tags', op: 'has_any', value: ['member'] })],
    );
    const [before, joiner, leaver] = await insertContacts(db(), orgId, 3);
    await addTag([before!, leaver!], 'member');
    const activate = async (def: WorkflowDefinition, name: string) => {
      const id = await activeWorkflow(db(), orgId, def, name);
      await server.runtime.database.db.transaction((tx) =>
        onActivate(tx, automationCtx(server.runtime.deps, orgId, id), id, def),
      );
      return id;
    };
    const entered = await activate(
      linear({ type: 'segment.entered', segmentId: seg!.id }, [note()]),
      'Entered',
    );
    const left = await activate(linear({ type: 'segment.left', segmentId: seg!.id }, [note()]), 'Left');
    // Members at activation do not count as entering.
    await checkSegments(server.runtime);
    expect(await runsOf(db(), entered)).toEqual([]);
    await addTag([joiner!], 'member');
    const memberTag = await tagId(db(), orgId, 'member');
    await change([leaver!], { type: 'remove_tags', tagIds: [memberTag], tagNames: ['member'] });
    expect(await checkSegments(server.runtime)).toBeGreaterThanOrEqual(2);
    await waitRunState(db(), entered, joiner!, 'completed');
    await waitRunState(db(), left, leaver!, 'completed');
    expect((await runsOf(db(), entered)).map((r) => r.contact_id)).toEqual([joiner]);
    expect((await runsOf(db(), left)).map((r) => r.contact_id)).toEqual([leaver]);
    // Nothing changed since: nothing more.
    await checkSegments(server.runtime);
    expect(await runsOf(db(), entered)).toHaveLength(1);
    expect(await runsOf(db(), left)).toHaveLength(1);
  });

  it("date trigger: 3 days before custom.renewal at 09:00 in the organisation's time zone", async () => {
    const { orgId: dateOrg } = await createOrg(server);
    const tz = 'America/New_York';
    await q(
      db(),
      `insert into email_settings (org_id, postal_address, time_zone) values ($1, '1 Main St', $2)`,
      [dateOrg, tz],
    );
    await q(
      db(),
      `insert into field_definitions (org_id, entity, key, label, type) values ($1, 'contact', 'renewal', 'Renewal', 'date')`,
      [dateOrg],
    );
    const id = await activeWorkflow(
      db(),
      dateOrg,
      linear({ type: 'date', field: 'custom.renewal', offsetDays: -3, time: '09:00' }, [
        note('Renewal soon'),
      ]),
      'Renewal reminder',
    );
    // Renewal on 10 March next year; the trigger fires on 7 March from 09:00 New York time.
    const year = new Date().getUTCFullYear() + 1;
    const [due] = await insertContacts(db(), dateOrg, 1, { custom: { renewal: `${year}-03-10` } });
    const [later] = await insertContacts(db(), dateOrg, 1, { custom: { renewal: `${year}-03-11` } });
    const at = (h: number, m: number) => {
      clock.setOffset(new TZDate(year, 2, 7, h, m, 0, 0, tz).getTime() - Date.now());
    };
    at(8, 59);
    expect(await checkDates(server.runtime)).toBe(0);
    at(9, 1);
    expect(await checkDates(server.runtime)).toBe(1);
    // The same day again (the job runs every few minutes): nobody twice.
    at(13, 0);
    expect(await checkDates(server.runtime)).toBe(0);
    const run = await waitRunState(db(), id, due!, 'completed');
    expect(await runsOf(db(), id, later)).toEqual([]);
    const [ctx] = await q<{ context: { event: { type: string; data: Record<string, string> } } }>(
      db(),
      'select context from automation_runs where id = $1',
      [run.id],
    );
    expect(ctx!.context.event).toEqual({
      type: 'date',
      data: { field: 'custom.renewal', date: `${year}-03-10` },
    });
  });

  it('wait for a click, at most 3 days: a click resumes one run on "event", the clock times out the other', async () => {
    const id = await activeWorkflow(
      db(),
      orgId,
      {
        nodes: [
          { id: 'trigger', type: 'trigger', trigger: { type: 'manual' } },
          {
            id: 'click',
            type: 'wait_event',
            event: { type: 'email.clicked' },
            timeout: { amount: 3, unit: 'days' },
          },
          { id: 'yes', type: 'add_tag', tag: 'clicked' },
          { id: 'no', type: 'add_tag', tag: 'timed-out' },
        ],
        edges: [
          { from: 'trigger', to: 'click', exit: 'next' },
          { from: 'click', to: 'yes', exit: 'event' },
          { from: 'click', to: 'no', exit: 'timeout' },
        ],
        settings: { reentry: false },
      },
      'Click or not',
    );
    const [clicker, idle] = await insertContacts(db(), orgId, 2);
    await enrolIds(server, orgId, id, [clicker!, idle!]);
    await waitRunState(db(), id, clicker!, 'waiting');
    await waitRunState(db(), id, idle!, 'waiting');
    // The click arrives through the email side of the write path (as the tracking applier writes it).
    await server.runtime.database.db.transaction((tx) =>
      recordEmailTimeline(tx, [
        {
          orgId,
          contactId: clicker!,
          type: 'email.clicked',
          data: { url: 'https://example.com/launch', sendId: crypto.randomUUID() },
          at: new Date(),
        },
      ]),
    );
    server.runtime.events.kick();
    const clicked = await waitRunState(db(), id, clicker!, 'completed');
    expect((await stepsOf(db(), clicked.id)).map((s) => [s.node_id, s.state, s.outcome])).toEqual([
      ['click', 'done', 'event'],
      ['yes', 'done', 'next'],
    ]);
    expect(await tagsOf(db(), clicker!)).toEqual(['clicked']);
    // The other one still waits; three days on by the clock it times out.
    expect((await runsOf(db(), id, idle))[0]!.state).toBe('waiting');
    expect(await runWatchdog(server.runtime)).toBe(0);
    clock.advance(3 * 86_400_000 + 60_000);
    // (The runtime's own watchdog may get there first: the outcome is what counts.)
    await runWatchdog(server.runtime);
    const timedOut = await waitRunState(db(), id, idle!, 'completed');
    expect((await stepsOf(db(), timedOut.id)).map((s) => [s.node_id, s.state, s.outcome])).toEqual([
      ['click', 'done', 'timeout'],
      ['no', 'done', 'next'],
    ]);
    expect(await tagsOf(db(), idle!)).toEqual(['timed-out']);
  });

  it("a goal ends the run early ('exited', goal)", async () => {
    const id = await activeWorkflow(
      db(),
      orgId,
      linear(
        { type: 'manual' },
        [
          { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' } },
          { id: 'note', type: 'note', body: 'Still not a customer?' },
        ],
        { reentry: false, goal: { field: 'tags', op: 'has_any', value: ['customer'] } },
      ),
      'Convert',
    );
    const [buyer, browser] = await insertContacts(db(), orgId, 2);
    await enrolIds(server, orgId, id, [buyer!, browser!]);
    await waitRunState(db(), id, buyer!, 'waiting');
    await waitRunState(db(), id, browser!, 'waiting');
    await addTag([buyer!], 'customer');
    clock.advance(86_400_000 + 60_000);
    await runWatchdog(server.runtime);
    const exited = await waitRunState(db(), id, buyer!, 'exited');
    expect(exited.exit_reason).toBe('goal');
    await waitRunState(db(), id, browser!, 'completed');
    const [notes] = await q<{ buyer: number; browser: number }>(
      db(),
      `select count(*) filter (where contact_id = $1)::int as buyer, count(*) filter (where contact_id = $2)::int as browser
       from notes where contact_id in ($1, $2)`,
      [buyer, browser],
    );
    expect(notes).toEqual({ buyer: 0, browser: 1 });
  });

  it('restricted contacts are never enrolled (by id or by an event)', async () => {
    const id = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'event', name: 'visited' }, [note()]),
      'Visits',
    );
    const [restricted] = await insertContacts(db(), orgId, 1, { restricted: true });
    const [free] = await insertContacts(db(), orgId, 1);
    expect(await enrolIds(server, orgId, id, [restricted!])).toBe(0);
    const events = await customEvents([restricted!, free!], 'visited');
    await triggerSubscriber.handler(events, server.runtime);
    await waitRunState(db(), id, free!, 'completed');
    expect((await runsOf(db(), id)).map((r) => r.contact_id)).toEqual([free]);
  });

  it('an unsubscribed contact gets no workflow email: the send is recorded skipped with the reason', async () => {
    const { orgId: mailOrg } = await createOrg(server);
    await setupSending(server, mailOrg);
    const templateId = await insertTemplate(server, mailOrg, { name: 'News' });
    const id = await activeWorkflow(
      db(),
      mailOrg,
      linear({ type: 'manual' }, [{ id: 'mail', type: 'send_email', templateId }]),
      'Mail',
    );
    const [gone] = await insertContacts(db(), mailOrg, 1, { status: 'unsubscribed' });
    await enrolIds(server, mailOrg, id, [gone!]);
    const run = await waitRunState(db(), id, gone!, 'completed');
    expect((await stepsOf(db(), run.id)).map((s) => [s.node_id, s.state])).toEqual([['mail', 'skipped']]);
    await queueIdle(server);
    const sends = await q<{ kind: string; state: string; reason: string }>(
      db(),
      'select kind, state, reason from email_sends where contact_id = $1',
      [gone],
    );
    expect(sends).toEqual([{ kind: 'automation', state: 'skipped', reason: 'unsubscribed' }]);
  });

  it('events of an import with triggerAutomations=false enrol nobody; of another import they do', async () => {
    const id = await activeWorkflow(
      db(),
      orgId,
      linear({ type: 'contact.created' }, [note()]),
      'New contacts',
    );
    const importId = async (trigger: boolean) =>
      (
        await q<{ id: string }>(
          db(),
          `insert into imports (org_id, status, file_name, file_size, format, headers, preview, total_rows, options)
           values ($1, 'done', 'people.csv', 10, '{}', '[]', '[]', 1, $2) returning id`,
          [orgId, JSON.stringify({ triggerAutomations: trigger })],
        )
      )[0]!.id;
    const silent = await importId(false);
    const loud = await importId(true);
    const [quiet, heard] = await insertContacts(db(), orgId, 2);
    const events = [
      ...(await contactEvents(
        [quiet!],
        'contact.created',
        sql`jsonb_build_object('importId', ${silent}::text)`,
      )),
      ...(await contactEvents(
        [heard!],
        'contact.created',
        sql`jsonb_build_object('importId', ${loud}::text)`,
      )),
    ];
    await triggerSubscriber.handler(events, server.runtime);
    await waitRunState(db(), id, heard!, 'completed');
    await queueIdle(server);
    expect((await runsOf(db(), id)).map((r) => r.contact_id)).toEqual([heard]);
  });

  /** Events straight into the table (not the outbox): only the test delivers them. */
  async function contactEvents(contactIds: string[], type: string, data: SQL) {
    const rows = await rows_<{ id: string }>(
      server.runtime.database.db,
      sql`insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
        select ${orgId}, c, ${type}, 'system', null, ${data}
        from unnest(${`{${contactIds.join(',')}}`}::uuid[]) c returning id`,
    );
    return loadEvents(
      server.runtime.database.db,
      rows.map((r) => r.id),
    );
  }
  const customEvents = (ids: string[], name: string) =>
    contactEvents(
      ids,
      'event.custom',
      sql`jsonb_build_object('name', ${name}::text, 'properties', '{}'::jsonb)`,
    );
});
