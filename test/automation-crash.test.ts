import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../src/server/lib/db.js';
import {
  activeWorkflow,
  insertContacts,
  linear,
  q,
  runCounts,
  stepsOf,
  tagsOf,
  waitRunState,
  waitRuns,
} from './helpers/automations.js';
import { freePort, PROCESS_TEST_TIMEOUT_MS, startMoxora, stopAllProcesses } from './helpers/process.js';
import { cloneTestDatabase, signUpOwner } from './helpers/send-crash.js';
import { databaseMissing } from './helpers/server.js';

const TEST_ENCRYPTION_KEY = randomBytes(32).toString('hex');

/**
 * The engine's guarantees on a real process (`npm start`'s compiled server on a clone of the run's
 * PostgreSQL):
 * - SIGKILL in the middle of 1,000 runs of "add tag → wait 2 s → update field → add note": after a
 *   restart (the watchdog requeues runs whose job died with the process) every run completes, the
 *   step ledger has one row per run and node, and no step's side effect happened twice;
 * - a 3-day wait survives a restart: the next process, its clock 3 days on, finishes the run.
 */
const RUNS = 1_000;
const sameCounts = (a: Record<string, number>, b: Record<string, number>) =>
  Object.keys({ ...a, ...b }).every((k) => a[k] === b[k]);
const t0 = performance.now();
const mark = (what: string) => console.log(`${Math.round(performance.now() - t0)} ms: ${what}`);
const DAY_MS = 86_400_000;

// Skipped only when the run has no PostgreSQL (test/global-setup.ts found none); CI always provides one.
describe.skipIf(databaseMissing)(
  'automation runs across process deaths',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    let db: { url: string; drop(): Promise<void> };
    let database: Database;
    const dataDirs: string[] = [];

    beforeAll(async () => {
      db = await cloneTestDatabase();
      database = await openPostgres(db.url, 3);
    });
    afterEach(async () => {
      await stopAllProcesses();
      for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });
    afterAll(async () => {
      await stopAllProcesses();
      await database?.close();
      await db?.drop();
    });

    async function server(extra: Record<string, string> = {}) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moxora-automation-crash-'));
      dataDirs.push(dir);
      const port = await freePort();
      const env = {
        PORT: String(port),
        DATABASE_URL: db.url,
        MOXORA_DATA_DIR: dir,
        // One installation, one key (docs/operations.md): each test's data folder is new, the database is not.
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        AUTOMATION_WATCHDOG_MS: '500',
        AUTOMATION_STUCK_SECONDS: '3',
      };
      const start = (more: Record<string, string> = {}) =>
        startMoxora('main', [], { ...env, ...extra, ...more });
      const first = start();
      await first.waitHealthy(port);
      return { port, start, first };
    }

    it('SIGKILL mid-way through 1,000 runs: all complete after a restart, no step twice', async () => {
      const { port, start, first } = await server();
      const api = await signUpOwner(port, database);
      const orgId = api.orgId;
      await q(
        database,
        `insert into field_definitions (org_id, entity, key, label, type) values ($1, 'contact', 'stage', 'Stage', 'text')`,
        [orgId],
      );
      const automationId = await activeWorkflow(
        database,
        orgId,
        linear({ type: 'manual' }, [
          { id: 'tag', type: 'add_tag', tag: 'crashed' },
          { id: 'wait', type: 'wait', duration: { amount: 2, unit: 'seconds' } },
          { id: 'field', type: 'update_field', field: 'custom.stage', value: 'nurtured' },
          { id: 'note', type: 'note', body: 'Crash workflow note' },
        ]),
        'Crash flow',
      );
      const contactIds = await insertContacts(database, orgId, RUNS, { prefix: 'crash-' });
      mark('enrolling');
      const enrolled = await api.post(`/api/v1/automations/${automationId}/enrol`, { contactIds });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
      expect(enrolled.body).toMatchObject({ enrolled: RUNS, skipped: 0 });

      // Some runs finished, not all: kill the process without warning.
      const mid = await waitRuns(database, automationId, (c) => (c.completed ?? 0) >= 20, {
        what: 'the first runs to complete',
        intervalMs: 20,
        abortIf: () => (first.child.exitCode !== null ? `the server exited: ${first.stderr()}` : undefined),
      });
      mark(`kill at ${JSON.stringify(mid)}`);
      process.kill(-first.child.pid!, 'SIGKILL');
      await first.exited;
      const atKill = await runCounts(database, automationId);
      expect(mid.completed).toBeGreaterThan(0);
      expect(atKill.completed ?? 0, JSON.stringify(atKill)).toBeLessThan(RUNS);
      expect(atKill.total).toBe(RUNS);

      const second = start();
      await second.waitHealthy(port);
      mark('restarted');
      await waitRuns(database, automationId, (c) => c.completed === RUNS, {
        what: 'all runs to complete after the restart',
        timeoutMs: 90_000,
        abortIf: () => (second.child.exitCode !== null ? `the server exited: ${second.stderr()}` : undefined),
      });

      mark('all completed');
      // The step ledger: exactly one row per run and node, all done, each executed once.
      const ledger = await q<{ node_id: string; n: number; runs: number; done: number; once: number }>(
        database,
        `select node_id, count(*)::int as n, count(distinct run_id)::int as runs,
         count(*) filter (where state = 'done')::int as done, count(*) filter (where attempts = 1)::int as once
       from automation_steps where automation_id = $1 group by node_id order by node_id`,
        [automationId],
      );
      expect(ledger).toEqual(
        ['field', 'note', 'tag', 'wait'].map((node_id) => ({
          node_id,
          n: RUNS,
          runs: RUNS,
          done: RUNS,
          once: RUNS,
        })),
      );
      // Per contact: one note, one tag.added and one contact.updated from the workflow, and the
      // timeline shows each node once (the wait twice: it began, it ended).
      const perContact = await q<{
        id: string;
        notes: number;
        tag_events: number;
        field_events: number;
        steps: Record<string, number>;
        enrolled: number;
        ended: number;
        stage: string | null;
      }>(
        database,
        `select c.id, c.custom ->> 'stage' as stage,
         (select count(*)::int from notes n where n.contact_id = c.id and n.body = 'Crash workflow note') as notes,
         (select count(*)::int from contact_events e where e.contact_id = c.id and e.type = 'tag.added') as tag_events,
         (select count(*)::int from contact_events e where e.contact_id = c.id and e.type = 'contact.updated') as field_events,
         (select count(*)::int from contact_events e where e.contact_id = c.id and e.type = 'automation.enrolled') as enrolled,
         (select count(*)::int from contact_events e where e.contact_id = c.id and e.type = 'automation.ended') as ended,
         (select coalesce(jsonb_object_agg(k, n), '{}'::jsonb) from (select e.data ->> 'nodeId' as k, count(*)::int as n
            from contact_events e where e.contact_id = c.id and e.type = 'automation.step' group by 1) s) as steps
       from contacts c where c.org_id = $1 and c.id = any($2::uuid[])`,
        [orgId, contactIds],
      );
      expect(perContact).toHaveLength(RUNS);
      const wrong = perContact.filter(
        (c) =>
          c.notes !== 1 ||
          c.tag_events !== 1 ||
          c.field_events !== 1 ||
          c.enrolled !== 1 ||
          c.ended !== 1 ||
          c.stage !== 'nurtured' ||
          !sameCounts(c.steps, { field: 1, note: 1, tag: 1, wait: 2 }),
      );
      expect(wrong.slice(0, 3)).toEqual([]);
      const [one] = perContact;
      expect(await tagsOf(database, one!.id)).toEqual(['crashed']);
      const [tagged] = await q<{ n: number }>(
        database,
        `select count(*)::int as n from contacts c join tags t on t.id = any(c.tag_ids) and t.name = 'crashed'
       where c.org_id = $1`,
        [orgId],
      );
      expect(tagged!.n).toBe(RUNS);
      expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);
    });

    it('a 3-day wait resumes after a restart with the clock 3 days on', async () => {
      const { port, start, first } = await server();
      const api = await signUpOwner(port, database);
      const automationId = await activeWorkflow(
        database,
        api.orgId,
        linear({ type: 'manual' }, [
          { id: 'wait', type: 'wait', duration: { amount: 3, unit: 'days' } },
          { id: 'tag', type: 'add_tag', tag: 'three-days-later' },
        ]),
        'Slow flow',
      );
      const [contactId] = await insertContacts(database, api.orgId, 1, { prefix: 'slow-' });
      const res = await api.post(`/api/v1/automations/${automationId}/enrol`, { contactIds: [contactId] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const waiting = await waitRunState(database, automationId, contactId!, 'waiting');
      expect(waiting.current_node).toBe('wait');
      expect(await first.stop('SIGTERM'), first.stderr()).toBe(0);
      expect((await runsOf1()).state).toBe('waiting');

      // A new process whose clock is 3 days (and a minute) on.
      const second = start({ CLOCK_OFFSET_MS: String(3 * DAY_MS + 60_000) });
      await second.waitHealthy(port);
      const done = await waitRunState(database, automationId, contactId!, 'completed');
      expect((await stepsOf(database, done.id)).map((s) => [s.node_id, s.state, s.attempts])).toEqual([
        ['wait', 'done', 1],
        ['tag', 'done', 1],
      ]);
      expect(await tagsOf(database, contactId!)).toEqual(['three-days-later']);
      expect(await second.stop('SIGTERM'), second.stderr()).toBe(0);

      async function runsOf1() {
        const [r] = await q<{ state: string }>(
          database,
          `select state from automation_runs where automation_id = $1`,
          [automationId],
        );
        return r!;
      }
    });
  },
);
