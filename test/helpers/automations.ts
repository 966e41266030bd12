import { sql } from 'drizzle-orm';
import type { Trigger, WorkflowDefinition, WorkflowNode } from '../../src/common/automations.js';
import { pgArray } from '../../src/server/lib/sql.js';
import { enrol, STEP_QUEUE } from '../../src/server/modules/automations/engine.js';
import type { TestServer } from './server.js';
import { DEFAULT_WAIT_MS, waitFor } from './wait.js';

/**
 * Shared by the automation engine's tests: workflows straight into the tables (what activation
 * does), linear workflows in one line, and waits on the runs' states.
 */

/** Anything with a pg-style query (a test server's database, or one opened on a cloned database). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export async function q<T = Record<string, unknown>>(
  db: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  return (await db.query<T>(text, values)).rows;
}

/** A step of `linear`: a workflow node whose id may be left out. */
export type StepInput = WorkflowNode extends infer N
  ? N extends WorkflowNode
    ? Omit<N, 'id'> & { id?: string }
    : never
  : never;

/** "trigger → step 1 → step 2 …" (node ids s1, s2 … unless given). */
export function linear(
  trigger: Trigger,
  steps: StepInput[],
  settings: WorkflowDefinition['settings'] = { reentry: false },
): WorkflowDefinition {
  const nodes = [
    { id: 'trigger', type: 'trigger', trigger } as WorkflowNode,
    ...steps.map((s, i) => ({ ...s, id: s.id ?? `s${i + 1}` }) as WorkflowNode),
  ];
  const edges = nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id, exit: 'next' }));
  return { nodes, edges, settings };
}

/** Inserts an active automation with one published version (what activation does). */
export async function activeWorkflow(
  db: Queryable,
  orgId: string,
  definition: WorkflowDefinition,
  name = 'Flow',
): Promise<string> {
  const trigger = definition.nodes.find((n) => n.type === 'trigger');
  const t = trigger?.type === 'trigger' ? trigger.trigger : null;
  const [a] = await q<{ id: string }>(
    db,
    `insert into automations (org_id, name, status, latest_version, active_version, trigger_type, trigger)
     values ($1, $2, 'active', 1, 1, $3, $4) returning id`,
    [orgId, name, t?.type ?? null, JSON.stringify(t)],
  );
  await q(
    db,
    `insert into automation_versions (automation_id, org_id, version, definition, published_at) values ($1, $2, 1, $3, now())`,
    [a!.id, orgId, JSON.stringify(definition)],
  );
  return a!.id;
}

/** A tag (created if needed); returns its id. */
export async function tagId(db: Queryable, orgId: string, name: string): Promise<string> {
  const [t] = await q<{ id: string }>(
    db,
    `insert into tags (org_id, name) values ($1, $2) on conflict (org_id, lower(name)) do update set name = excluded.name returning id`,
    [orgId, name],
  );
  return t!.id;
}

/** `count` subscribed contacts (emails `<prefix><i>@example.com`), in one statement; their ids in order. */
export async function insertContacts(
  db: Queryable,
  orgId: string,
  count: number,
  opts: { prefix?: string; status?: string; restricted?: boolean; custom?: Record<string, unknown> } = {},
): Promise<string[]> {
  const rows = await q<{ id: string }>(
    db,
    `insert into contacts (org_id, first_name, email, subscription_status, restricted, custom)
     select $1, 'Person ' || i, $2 || i || '@example.com', $3, $4, $5::jsonb from generate_series(1, $6) i
     order by i returning id`,
    [
      orgId,
      opts.prefix ?? `p${Math.random().toString(36).slice(2, 8)}-`,
      opts.status ?? 'subscribed',
      opts.restricted ?? false,
      JSON.stringify(opts.custom ?? {}),
      count,
    ],
  );
  return rows.map((r) => r.id);
}

export type RunCounts = Record<string, number> & { total: number };

/** Runs of a workflow by state (plus total). */
export async function runCounts(db: Queryable, automationId: string): Promise<RunCounts> {
  const rows = await q<{ state: string; n: number }>(
    db,
    `select state, count(*)::int as n from automation_runs where automation_id = $1 group by state`,
    [automationId],
  );
  const out = { total: 0 } as RunCounts;
  for (const r of rows) {
    out[r.state] = r.n;
    out.total += r.n;
  }
  return out;
}

/** Waits until `probe(counts)` holds for the workflow's runs; returns the counts. */
export async function waitRuns(
  db: Queryable,
  automationId: string,
  probe: (c: RunCounts) => boolean,
  opts: { what: string; timeoutMs?: number; intervalMs?: number; abortIf?: () => string | undefined },
): Promise<RunCounts> {
  let last: RunCounts | undefined;
  try {
    return await waitFor(
      async () => {
        last = await runCounts(db, automationId);
        return probe(last) ? last : undefined;
      },
      { timeoutMs: DEFAULT_WAIT_MS, intervalMs: 100, ...opts },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; runs: ${JSON.stringify(last)}`);
  }
}

export interface RunRow {
  id: string;
  contact_id: string;
  state: string;
  current_node: string | null;
  exit_reason: string | null;
  error: string | null;
}

/** The runs of a workflow (optionally one contact's). */
export async function runsOf(db: Queryable, automationId: string, contactId?: string): Promise<RunRow[]> {
  return q<RunRow>(
    db,
    `select id, contact_id, state, current_node, exit_reason, error from automation_runs
     where automation_id = $1 and ($2::uuid is null or contact_id = $2) order by enrolled_at, id`,
    [automationId, contactId ?? null],
  );
}

/** Waits for the one run of a contact in a workflow to be in `state` (any of them). */
export async function waitRunState(
  db: Queryable,
  automationId: string,
  contactId: string,
  states: string | string[],
  timeoutMs?: number,
): Promise<RunRow> {
  const want = Array.isArray(states) ? states : [states];
  let last: RunRow[] = [];
  try {
    return await waitFor(
      async () => {
        last = await runsOf(db, automationId, contactId);
        return last.length === 1 && want.includes(last[0]!.state) ? last[0] : undefined;
      },
      { what: `the run to be ${want.join(' or ')}`, timeoutMs },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; runs: ${JSON.stringify(last)}`);
  }
}

/** The step ledger of a run, in order. */
export async function stepsOf(
  db: Queryable,
  runId: string,
): Promise<
  Array<{ node_id: string; state: string; outcome: string | null; error: string | null; attempts: number }>
> {
  return q(
    db,
    `select node_id, state, outcome, error, attempts from automation_steps where run_id = $1 order by started_at, node_id`,
    [runId],
  );
}

/** Names of the tags a contact has, sorted. */
export async function tagsOf(db: Queryable, contactId: string): Promise<string[]> {
  const [r] = await q<{ names: string[] }>(
    db,
    `select array(select t.name from tags t where t.id = any(c.tag_ids) order by lower(t.name)) as names
     from contacts c where c.id = $1`,
    [contactId],
  );
  return r?.names ?? [];
}

/** Enrols contacts by id through the engine's set-based enrol (as the API's manual enrolment does) and wakes the step workers. */
export async function enrolIds(
  server: TestServer,
  orgId: string,
  automationId: string,
  contactIds: string[],
): Promise<number> {
  const n = await server.runtime.database.db.transaction((tx) =>
    enrol(
      tx,
      { orgId, automationId, version: 1, name: 'Flow' },
      sql`select id as contact_id, '{}'::jsonb as context, null::text as trigger_key
        from unnest(${pgArray(contactIds)}::uuid[]) as id`,
    ),
  );
  server.runtime.jobs.wake(STEP_QUEUE);
  return n;
}

/** An open run standing at `node`, with no step job (for tests that run the step themselves). */
export async function insertRun(
  db: Queryable,
  orgId: string,
  automationId: string,
  contactId: string,
  node: string,
): Promise<string> {
  const [r] = await q<{ id: string }>(
    db,
    `insert into automation_runs (org_id, automation_id, version, contact_id, state, current_node, context, priority)
     values ($1, $2, 1, $3, 'active', $4, '{}'::jsonb, 0) returning id`,
    [orgId, automationId, contactId, node],
  );
  return r!.id;
}
