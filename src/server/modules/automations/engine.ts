import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  describeNode,
  durationSeconds,
  type GraphIssue,
  graphIssues,
  type NodeOf,
  nextNode,
  type PropertyRule,
  triggerOf,
  WEEKDAYS,
  type WorkflowDefinition,
  type WorkflowNode,
} from '../../../common/automations.js';
import type { FilterNode } from '../../../common/filters.js';
import { workflowNotificationEmail } from '../../emails/system.js';
import { clock } from '../../lib/clock.js';
import { type Ctx, type Deps, orgDeps } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { defineJob, type JobDeps } from '../../lib/jobs.js';
import { OutboundError, postWebhook, webhookSecretFor } from '../../lib/outbound.js';
import { pgArray, rows } from '../../lib/sql.js';
import { buildWhere } from '../contacts/contacts.query.js';
import { automationTimelineFrom, recordAutomationTimeline } from '../contacts/write/automation.js';
import { recordEvents } from '../contacts/write/events.js';
import { applyBulkChange, type BulkChange } from '../contacts/write/sets.js';
import type { TransactionalPayload } from '../email/runner.js';
import { defaultFrom } from '../email/transport.js';
import { sendMailJob } from '../mail/mail.jobs.js';
import { ensureTags } from '../tags/tags.repo.js';
import { runStepBatch } from './engine-batch.js';

/**
 * The automation engine (decision 011). A run is one contact going through one version of a
 * workflow; each step is a pg-boss job ('automations.step' {runId, node}). The handler locks the
 * run, checks that the run still stands at that node (a duplicate or stale job does nothing),
 * performs the node and records it in the step ledger (unique per run and node) in the same
 * transaction as its database side effects and the job for the next node: a retried job never
 * repeats a side effect. Waits are delayed jobs; the watchdog wakes waits that are due by the
 * engine clock (tests move it) and requeues runs whose job was lost.
 * Outgoing webhooks are the one side effect outside the database: the step is marked running,
 * the call is made (signed, SSRF-safe), then the result is recorded; a crash between them calls
 * again with the same webhook-id, which receivers use to deduplicate.
 */

export interface RunContext {
  event?: { type: string; data: Record<string, unknown>; id?: string };
  /** wait_event: the event that ended the wait. */
  matched?: { type: string; data: Record<string, unknown> };
}

export const STEP_QUEUE = 'automations.step';
/** Webhook attempts before the run fails. */
export const WEBHOOK_ATTEMPTS = 5;
/** Open runs at which a new enrolment's priority drops by one (fairness between organisations). */
const PRIORITY_STEP = 100;

// ---- jobs -----------------------------------------------------------------------------------

/**
 * Inserts one step job per row of `source` (columns run_id, node, priority, start_after) in one
 * statement, with the queue's own retry and expiry settings (what pg-boss's send would do).
 */
export function insertStepJobs(source: SQL): SQL {
  return sql`insert into pgboss.job (id, name, data, priority, start_after, expire_in, keep_until,
      retry_limit, retry_delay, retry_backoff, policy)
    select gen_random_uuid(), q.name, jsonb_build_object('runId', s.run_id, 'node', s.node), s.priority,
      coalesce(s.start_after, now()), make_interval(secs => coalesce(q.expire_seconds, 900)),
      coalesce(s.start_after, now()) + make_interval(mins => coalesce(q.retention_minutes, 1440)),
      q.retry_limit, q.retry_delay, q.retry_backoff, q.policy
    from (${source}) s cross join pgboss.queue q where q.name = ${STEP_QUEUE}`;
}

/** (Re)queues a step job for each run id of `runIds` (SQL yielding `id`) at its current node. */
export async function enqueueRuns(tx: Db, runIds: SQL): Promise<void> {
  await tx.execute(
    insertStepJobs(sql`select r.id as run_id, r.current_node as node, r.priority, null::timestamptz as start_after
      from automation_runs r where r.id in (${runIds}) and r.state in ('active','waiting') and r.current_node is not null`),
  );
}

async function enqueueOne(tx: Db, runId: string, node: string, priority: number, delayMs = 0) {
  await tx.execute(
    insertStepJobs(
      sql`select ${runId}::uuid as run_id, ${node}::text as node, ${priority}::int as priority,
        now() + make_interval(secs => ${Math.max(0, delayMs) / 1000}) as start_after`,
    ),
  );
}

// ---- versions -------------------------------------------------------------------------------

/** Published versions never change: cached per process. */
const versionCache = new Map<string, WorkflowDefinition>();

export async function versionDef(db: Db, automationId: string, version: number): Promise<WorkflowDefinition> {
  const key = `${automationId}:${version}`;
  const hit = versionCache.get(key);
  if (hit) return hit;
  const [v] = await rows<{ definition: WorkflowDefinition; published_at: Date | null }>(
    db,
    sql`select definition, published_at from automation_versions where automation_id = ${automationId} and version = ${version}`,
  );
  if (!v) throw new Error('automation version not found');
  if (v.published_at) {
    if (versionCache.size > 500) versionCache.clear();
    versionCache.set(key, v.definition);
  }
  return v.definition;
}

// ---- enrolment ------------------------------------------------------------------------------

export interface EnrolTarget {
  orgId: string;
  automationId: string;
  version: number;
  name: string;
}

/**
 * Enrols the contacts of `source` (a SELECT of contact_id uuid, context jsonb, trigger_key text)
 * in one statement: runs, their 'automation.enrolled' timeline events and their first step jobs.
 * Skips restricted contacts, contacts with an open run in this workflow, and — unless the
 * workflow allows re-entry — contacts that went through it before; a trigger key enrols once.
 */
export async function enrol(
  tx: Db,
  a: EnrolTarget,
  source: SQL,
  opts: { priorityBase?: number } = {},
): Promise<number> {
  const def = await versionDef(tx, a.automationId, a.version);
  const trigger = def.nodes.find((n) => n.type === 'trigger');
  const first = trigger && nextNode(def, trigger.id);
  if (!first) return 0;
  const reentry = def.settings?.reentry ?? false;
  const summary = describeNode(def.nodes.find((n) => n.id === first)!);
  const [r] = await rows<{ n: number }>(
    tx,
    sql`with src as (${source}),
      load as (select count(*)::int as n from automation_runs where org_id = ${a.orgId} and state = 'active'),
      pick as (
        select distinct on (src.contact_id) src.contact_id, src.context, src.trigger_key
        from src join contacts c on c.id = src.contact_id and c.org_id = ${a.orgId} and not c.restricted
        where not exists (select 1 from automation_runs r where r.automation_id = ${a.automationId}
            and r.contact_id = src.contact_id
            and (r.state in ('active','waiting') ${reentry ? sql`` : sql`or true`}
              or (src.trigger_key is not null and r.trigger_key = src.trigger_key)))
        order by src.contact_id),
      ins as (
        insert into automation_runs (org_id, automation_id, version, contact_id, state, current_node, context, priority, trigger_key)
        select ${a.orgId}, ${a.automationId}, ${a.version}, p.contact_id, 'active', ${first},
          coalesce(p.context, '{}'::jsonb),
          ${opts.priorityBase ?? 0} - least(1000000, ((select n from load) + row_number() over ()) / ${PRIORITY_STEP})::int,
          p.trigger_key
        from pick p
        on conflict do nothing
        returning id, contact_id, current_node, priority),
      ${automationTimelineFrom('ev', {
        source: 'ins',
        orgId: a.orgId,
        automationId: a.automationId,
        type: 'automation.enrolled',
        data: sql`jsonb_build_object('automationId', ${a.automationId}::text, 'automationName', ${a.name}::text,
            'runId', ins.id, 'summary', ${`Enrolled; next: ${summary}`}::text)`,
      })},
      jobs as (${insertStepJobs(sql`select id as run_id, current_node as node, priority, null::timestamptz as start_after from ins`)})
      select count(*)::int as n from ins`,
  );
  return r?.n ?? 0;
}

// ---- conditions -----------------------------------------------------------------------------

export function automationCtx(deps: Deps, orgId: string, automationId: string): Ctx {
  return {
    orgId,
    userId: '',
    email: '',
    name: 'Automation',
    role: 'owner',
    actor: { type: 'automation', id: automationId },
    deps: orgDeps(deps, orgId),
  };
}

export function depsOf(j: JobDeps): Deps {
  return { config: j.config, database: j.database, jobs: j.jobs!, keys: j.keys, events: j.events };
}

async function matchesFilter(db: Db, ctx: Ctx, contactId: string, filter: FilterNode): Promise<boolean> {
  const where = await buildWhere(ctx, { filter });
  const [r] = await rows<{ ok: boolean }>(
    db,
    sql`select exists(select 1 from contacts c where c.org_id = ${ctx.orgId} and c.id = ${contactId}
      ${where.length ? sql` and ${sql.join(where, sql` and `)}` : sql``}) as ok`,
  );
  return !!r?.ok;
}

function lookup(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function ruleHolds(rule: PropertyRule, data: unknown): boolean {
  const v = lookup(data, rule.path);
  switch (rule.op) {
    case 'exists':
      return v !== undefined && v !== null;
    case 'not_exists':
      return v === undefined || v === null;
    case 'eq':
      return v !== undefined && String(v) === String(rule.value);
    case 'neq':
      return v === undefined || String(v) !== String(rule.value);
    case 'contains':
      return typeof v === 'string' && v.toLowerCase().includes(String(rule.value ?? '').toLowerCase());
    case 'gt':
      return Number(v) > Number(rule.value);
    case 'lt':
      return Number(v) < Number(rule.value);
  }
}

export async function evaluateCondition(
  db: Db,
  ctxOrOrgId: Ctx | string,
  contactId: string,
  node: NodeOf<'condition'>,
  context: RunContext,
): Promise<boolean> {
  // The filter compiler reads the organisation's fields through ctx.deps.database.
  const ctx =
    typeof ctxOrOrgId === 'string'
      ? automationCtx(
          { database: { db } } as unknown as Deps,
          ctxOrOrgId,
          '00000000-0000-0000-0000-000000000000',
        )
      : ctxOrOrgId;
  const data = { ...(context.event?.data ?? {}), event: context.event?.type };
  if (node.rules?.some((r) => !ruleHolds(r, data))) return false;
  if (node.filter) return matchesFilter(db, ctx, contactId, node.filter);
  return true;
}

/** Deterministic split: the same run always takes the same branch. */
export function pickSplit(seed: string, node: NodeOf<'split'>): string {
  const h = createHash('sha256').update(`${seed}:${node.id}`).digest().readUInt32BE(0) % 100;
  let acc = 0;
  for (const b of node.branches) {
    acc += b.percent;
    if (h < acc) return b.label;
  }
  return node.branches[node.branches.length - 1]!.label;
}

// ---- time -----------------------------------------------------------------------------------

async function orgTimeZone(db: Db, orgId: string): Promise<string> {
  const [s] = await rows<{ time_zone: string | null }>(
    db,
    sql`select time_zone from email_settings where org_id = ${orgId}`,
  );
  return s?.time_zone ?? 'UTC';
}

/** The next instant inside a weekly window (now when inside it), in the organisation's zone. */
export function nextInWindow(
  now: Date,
  window: { days: (typeof WEEKDAYS)[number][]; from: string; to: string },
  timeZone: string,
): Date {
  const local = new TZDate(now.getTime(), timeZone);
  const [fh, fm] = window.from.split(':').map(Number) as [number, number];
  const [th, tm] = window.to.split(':').map(Number) as [number, number];
  for (let d = 0; d <= 7; d++) {
    const day = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + d, 0, 0, 0, 0, timeZone);
    // getDay(): 0 = Sunday; WEEKDAYS starts on Monday.
    const name = WEEKDAYS[(day.getDay() + 6) % 7]!;
    if (!window.days.includes(name)) continue;
    const start = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), fh, fm, 0, 0, timeZone);
    const end = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), th, tm, 0, 0, timeZone);
    if (now.getTime() < start.getTime()) return new Date(start.getTime());
    if (now.getTime() < end.getTime()) return now;
  }
  return now;
}

// ---- the step handler -----------------------------------------------------------------------

interface RunRow {
  id: string;
  org_id: string;
  automation_id: string;
  version: number;
  contact_id: string;
  state: string;
  current_node: string;
  wake_at: Date | null;
  waiting_for: (Record<string, unknown> & { matched?: RunContext['matched'] }) | null;
  context: RunContext;
  priority: number;
  automation_status: string;
  automation_name: string;
}

type StepResult =
  | { kind: 'done' }
  | { kind: 'webhook'; run: RunRow; node: NodeOf<'webhook'>; stepId: string; attempts: number };

export const stepJob = defineJob({
  name: STEP_QUEUE,
  schema: z.object({ runId: z.uuid(), node: z.string().max(64) }),
  // Retries cover database errors; webhook failures are retried by the engine with its own backoff.
  queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 300, retentionDays: 1 },
  batchSize: (config) => config.automationStepBatch,
  // 100,000 enrolled at once are 100,000 ready jobs: fetch them in priority order by an index.
  fetchIndex: true,
  async handler(data, deps) {
    await runStep(deps, data.runId, data.node);
  },
  // Jobs at the same simple step run set-based; the rest one by one (engine-batch.ts).
  batchHandler: (items, deps) => runStepBatch(items, deps),
});

export async function runStep(deps: JobDeps, runId: string, nodeId: string): Promise<void> {
  const db = deps.database.db;
  const res = await db.transaction(async (tx) => stepInTx(tx, deps, runId, nodeId));
  deps.events?.kick();
  deps.jobs?.wake(STEP_QUEUE);
  if (res.kind === 'webhook') await callWebhook(deps, res);
}

async function stepInTx(tx: Db, deps: JobDeps, runId: string, nodeId: string): Promise<StepResult> {
  const [run] = await rows<RunRow>(
    tx,
    sql`select r.id, r.org_id, r.automation_id, r.version, r.contact_id, r.state, r.current_node, r.wake_at,
        r.waiting_for, r.context, r.priority, a.status as automation_status, a.name as automation_name
      from automation_runs r join automations a on a.id = r.automation_id
      where r.id = ${runId} for update of r`,
  );
  // Ended, moved on (a duplicate or stale job), or paused (activation requeues open runs).
  if (!run || (run.state !== 'active' && run.state !== 'waiting') || run.current_node !== nodeId)
    return { kind: 'done' };
  if (run.automation_status !== 'active') return { kind: 'done' };
  const def = await versionDef(tx, run.automation_id, run.version);
  const node = def.nodes.find((n) => n.id === nodeId);
  if (!node) {
    await failRun(tx, run, nodeId, 'The step no longer exists in this version');
    return { kind: 'done' };
  }
  const ctx = automationCtx(depsOf(deps), run.org_id, run.automation_id);
  const now = clock.now();

  // Waiting: only the end of the wait (by time or by the awaited event) moves the run on.
  if (run.state === 'waiting') {
    const matched = run.waiting_for?.matched;
    const due = run.wake_at && new Date(run.wake_at).getTime() <= now.getTime();
    if (!matched && !due) return { kind: 'done' };
    const outcome = node.type === 'wait_event' ? (matched ? 'event' : 'timeout') : 'next';
    const summary =
      node.type === 'wait_event'
        ? matched
          ? `The awaited ${matched.type.replace('event.custom', 'event')} happened`
          : 'Waiting timed out'
        : `${describeNode(node)}: done`;
    await tx.execute(sql`update automation_steps set state = 'done', outcome = ${outcome}, finished_at = now(),
        result = coalesce(result, '{}'::jsonb) || ${JSON.stringify(matched ? { matched } : {})}::jsonb
      where run_id = ${run.id} and node_id = ${node.id}`);
    await timeline(tx, run, node, summary, outcome);
    await advance(tx, run, def, node.id, outcome, matched ? { ...run.context, matched } : undefined);
    return { kind: 'done' };
  }

  // Goal reached, or the contact restricted since enrolment: the run ends here.
  const [contact] = await rows<{ restricted: boolean }>(
    tx,
    sql`select restricted from contacts where id = ${run.contact_id}`,
  );
  if (!contact) return { kind: 'done' };
  if (contact.restricted) {
    await endRun(tx, run, 'exited', 'restricted');
    return { kind: 'done' };
  }
  if (def.settings?.goal && (await matchesFilter(tx, ctx, run.contact_id, def.settings.goal))) {
    await endRun(tx, run, 'exited', 'goal');
    return { kind: 'done' };
  }

  switch (node.type) {
    case 'wait':
    case 'wait_until':
    case 'wait_event': {
      let until: Date;
      if (node.type === 'wait') until = new Date(now.getTime() + durationSeconds(node.duration) * 1000);
      else if (node.type === 'wait_event')
        until = new Date(now.getTime() + durationSeconds(node.timeout) * 1000);
      else if (node.at) until = new Date(node.at);
      else until = nextInWindow(now, node.window!, await orgTimeZone(tx, run.org_id));
      if (until.getTime() <= now.getTime() && node.type !== 'wait_event') {
        await ledger(tx, run, node, 'done', 'next', { until: until.toISOString(), immediate: true });
        await timeline(tx, run, node, `${describeNode(node)}: already passed`, 'next');
        await advance(tx, run, def, node.id, 'next');
        return { kind: 'done' };
      }
      await ledger(tx, run, node, 'waiting', null, { until: until.toISOString() });
      await tx.execute(sql`update automation_runs set state = 'waiting', wake_at = ${until},
          waiting_for = ${node.type === 'wait_event' ? JSON.stringify(node.event) : null}::jsonb, updated_at = now()
        where id = ${run.id}`);
      await timeline(tx, run, node, `${describeNode(node)} (until ${until.toISOString()})`);
      await enqueueOne(tx, run.id, node.id, run.priority, until.getTime() - now.getTime());
      return { kind: 'done' };
    }
    case 'webhook': {
      const [step] = await rows<{ id: string; attempts: number }>(
        tx,
        sql`insert into automation_steps (org_id, run_id, automation_id, node_id, node_type, state)
          values (${run.org_id}, ${run.id}, ${run.automation_id}, ${node.id}, 'webhook', 'running')
          on conflict (run_id, node_id) do update set attempts = automation_steps.attempts + 1
          returning id, attempts`,
      );
      await tx.execute(sql`update automation_runs set updated_at = now() where id = ${run.id}`);
      return { kind: 'webhook', run, node, stepId: step!.id, attempts: step!.attempts };
    }
    default: {
      const { outcome, summary, result, state } = await perform(tx, deps, ctx, run, node, def);
      await ledger(tx, run, node, state ?? 'done', outcome, result);
      await timeline(tx, run, node, summary, outcome === 'next' ? undefined : outcome);
      if (node.type === 'exit') await endRun(tx, run, 'exited', 'exit_step');
      else await advance(tx, run, def, node.id, outcome);
      return { kind: 'done' };
    }
  }
}

async function ledger(
  tx: Db,
  run: RunRow,
  node: WorkflowNode,
  state: 'done' | 'waiting' | 'failed' | 'skipped',
  outcome: string | null,
  result?: unknown,
  error?: string,
) {
  await tx.execute(sql`insert into automation_steps (org_id, run_id, automation_id, node_id, node_type, state, outcome,
      result, error, finished_at)
    values (${run.org_id}, ${run.id}, ${run.automation_id}, ${node.id}, ${node.type}, ${state}, ${outcome},
      ${result === undefined ? null : JSON.stringify(result)}::jsonb, ${error ?? null},
      ${state === 'waiting' ? null : sql`now()`})
    on conflict (run_id, node_id) do update set state = excluded.state, outcome = excluded.outcome,
      result = excluded.result, error = excluded.error, finished_at = excluded.finished_at,
      attempts = automation_steps.attempts + 1`);
}

/** The step on the contact's timeline (no bus: nothing subscribes to these). */
async function timeline(tx: Db, run: RunRow, node: WorkflowNode | null, summary: string, outcome?: string) {
  await recordAutomationTimeline(tx, {
    orgId: run.org_id,
    contactId: run.contact_id,
    automationId: run.automation_id,
    type: 'automation.step',
    data: {
      automationId: run.automation_id,
      automationName: run.automation_name,
      runId: run.id,
      ...(node ? { nodeId: node.id, nodeType: node.type } : {}),
      summary,
      ...(outcome ? { outcome } : {}),
    },
  });
}

async function advance(
  tx: Db,
  run: RunRow,
  def: WorkflowDefinition,
  from: string,
  exit: string,
  context?: RunContext,
) {
  const next = nextNode(def, from, exit);
  if (!next) {
    if (context)
      await tx.execute(
        sql`update automation_runs set context = ${JSON.stringify(context)}::jsonb where id = ${run.id}`,
      );
    await endRun(tx, run, 'completed', 'completed');
    return;
  }
  await tx.execute(sql`update automation_runs set current_node = ${next}, state = 'active', wake_at = null,
      waiting_for = null, updated_at = now()
      ${context ? sql`, context = ${JSON.stringify(context)}::jsonb` : sql``}
    where id = ${run.id}`);
  await enqueueOne(tx, run.id, next, run.priority);
}

export async function endRun(
  tx: Db,
  run: Pick<RunRow, 'id' | 'org_id' | 'contact_id' | 'automation_id' | 'automation_name'>,
  state: 'completed' | 'exited' | 'failed' | 'canceled',
  reason: string,
  error?: string,
) {
  await tx.execute(sql`update automation_runs set state = ${state}, exit_reason = ${reason}, error = ${error ?? null},
      ended_at = ${state === 'failed' ? null : sql`now()`}, wake_at = null, waiting_for = null, updated_at = now()
    where id = ${run.id}`);
  const words: Record<string, string> = {
    completed: 'Completed the workflow',
    goal: 'Reached the goal; left the workflow',
    exit_step: 'Left the workflow (exit step)',
    restricted: 'Left the workflow (contact restricted)',
    canceled: 'Run canceled',
  };
  await recordAutomationTimeline(tx, {
    orgId: run.org_id,
    contactId: run.contact_id,
    automationId: run.automation_id,
    type: 'automation.ended',
    data: {
      automationId: run.automation_id,
      automationName: run.automation_name,
      runId: run.id,
      summary: state === 'failed' ? `Failed: ${error ?? reason}` : (words[reason] ?? reason),
      outcome: state,
    },
  });
}

async function failRun(tx: Db, run: RunRow, nodeId: string, error: string) {
  await tx.execute(sql`insert into automation_steps (org_id, run_id, automation_id, node_id, node_type, state, error, finished_at)
    values (${run.org_id}, ${run.id}, ${run.automation_id}, ${nodeId}, 'unknown', 'failed', ${error}, now())
    on conflict (run_id, node_id) do update set state = 'failed', error = excluded.error, finished_at = now()`);
  await endRun(tx, run, 'failed', 'failed', error);
}

// ---- actions --------------------------------------------------------------------------------

/** The write-path change an "update field" step makes (one contact or a set-based group). */
export function fieldChange(node: NodeOf<'update_field'>): BulkChange {
  if (node.field.startsWith('custom.'))
    return { type: 'set_custom', key: node.field.slice(7), value: node.value };
  if (node.field === 'jobTitle' || node.field === 'source')
    return { type: 'set_column', field: node.field, value: String(node.value ?? '') };
  throw new Error(`field ${node.field} cannot be set by a workflow`);
}

export interface Performed {
  outcome: string;
  summary: string;
  result?: Record<string, unknown>;
  state?: 'done' | 'skipped';
}

async function perform(
  tx: Db,
  deps: JobDeps,
  ctx: Ctx,
  run: RunRow,
  node: WorkflowNode,
  _def: WorkflowDefinition,
): Promise<Performed> {
  const target = sql`c.id = ${run.contact_id}`;
  switch (node.type) {
    case 'condition': {
      const yes = await evaluateCondition(tx, ctx, run.contact_id, node, run.context);
      return { outcome: yes ? 'yes' : 'no', summary: `Condition: ${yes ? 'yes' : 'no'}` };
    }
    case 'split': {
      const label = pickSplit(run.id, node);
      return { outcome: label, summary: `Split: ${label}` };
    }
    case 'add_tag':
    case 'remove_tag': {
      const [tag] = await ensureTags(tx, run.org_id, [node.tag]);
      const change: BulkChange = {
        type: node.type === 'add_tag' ? 'add_tags' : 'remove_tags',
        tagIds: [tag!.id],
        tagNames: [tag!.name],
      };
      const n = await applyBulkChange(tx, ctx, change, target);
      return {
        outcome: 'next',
        summary: `${node.type === 'add_tag' ? 'Added' : 'Removed'} tag "${tag!.name}"${n ? '' : ' (no change)'}`,
        result: { changed: n > 0 },
      };
    }
    case 'update_field': {
      const change = fieldChange(node);
      const n = await applyBulkChange(tx, ctx, change, target);
      return {
        outcome: 'next',
        summary: `Set ${node.field} to "${node.value ?? ''}"${n ? '' : ' (no change)'}`,
        result: { changed: n > 0 },
      };
    }
    case 'note': {
      const [row] = await rows<{ id: string }>(
        tx,
        sql`insert into notes (org_id, contact_id, body) values (${run.org_id}, ${run.contact_id}, ${node.body}) returning id`,
      );
      await recordEvents(tx, ctx, [
        {
          contactId: run.contact_id,
          type: 'note.added',
          data: { noteId: row!.id, excerpt: node.body.slice(0, 140) },
        },
      ]);
      return { outcome: 'next', summary: 'Added a note', result: { noteId: row!.id } };
    }
    case 'notify':
      return notify(tx, deps, run, node);
    case 'send_email':
      return sendEmailStep(tx, deps, run, node);
    case 'exit':
      return { outcome: 'next', summary: 'Exit' };
    default:
      throw new Error(`unexpected node type ${node.type}`);
  }
}

async function notify(tx: Db, deps: JobDeps, run: RunRow, node: NodeOf<'notify'>): Promise<Performed> {
  const [c] = await rows<{ owner_id: string | null; name: string; email: string | null }>(
    tx,
    sql`select owner_id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) as name, email
      from contacts where id = ${run.contact_id}`,
  );
  const userId = node.userId ?? c?.owner_id ?? null;
  const [u] = userId
    ? await rows<{ id: string; email: string; name: string }>(
        tx,
        sql`select u.id, u.email, u.name from members m join users u on u.id = m.user_id
          where m.org_id = ${run.org_id} and m.user_id = ${userId}`,
      )
    : [];
  if (!u)
    return { outcome: 'next', summary: 'Nobody to notify (no owner or not a member)', state: 'skipped' };
  const who = c?.name || c?.email || 'a contact';
  const title = `${run.automation_name}: ${who}`;
  await tx.execute(sql`insert into notifications (org_id, user_id, title, body, link)
    values (${run.org_id}, ${u.id}, ${title.slice(0, 300)}, ${node.message}, ${`/contacts/${run.contact_id}`})`);
  await deps.jobs!.send(
    sendMailJob,
    {
      // Fixed subject: the workflow's name and the message are typed by users (emails/system.ts).
      ...workflowNotificationEmail(u.email, {
        workflowName: run.automation_name,
        message: node.message,
        contact: who,
        url: `${deps.config.baseUrl}/contacts/${run.contact_id}`,
      }),
      kind: `automation-notify-${run.id}-${node.id}`.slice(0, 64),
    },
    { tx },
  );
  return { outcome: 'next', summary: `Notified ${u.name || u.email}`, result: { userId: u.id } };
}

async function sendEmailStep(
  tx: Db,
  deps: JobDeps,
  run: RunRow,
  node: NodeOf<'send_email'>,
): Promise<Performed> {
  const setup = await emailStepSetup(tx, deps, run.org_id, run.automation_id, node);
  const [c] = await rows<EmailRecipient>(tx, emailRecipients([run.contact_id]));
  const reason = emailSkipReason(c);
  if (reason === 'no_email') return emailStepOutcome(setup, reason);
  const [row] = await rows<{ id: string }>(
    tx,
    insertEmailSends(setup, run.org_id, [
      { run_id: run.id, contact_id: run.contact_id, email: c!.email, reason },
    ]),
  );
  return emailStepOutcome(setup, reason, row!.id);
}

/** What every "send email" of one step shares: the template, the sender, the postal address. */
export interface EmailStepSetup {
  templateName: string;
  host: string;
  payload: TransactionalPayload & { automationId: string };
}

export async function emailStepSetup(
  tx: Db,
  deps: JobDeps,
  orgId: string,
  automationId: string,
  node: NodeOf<'send_email'>,
): Promise<EmailStepSetup> {
  const [t] = await rows<{
    name: string;
    subject: string;
    format: 'html' | 'mjml';
    body: string;
    text: string | null;
    updated_at: Date;
  }>(
    tx,
    sql`select name, subject, format, body, text, updated_at from templates where org_id = ${orgId} and id = ${node.templateId}`,
  );
  if (!t) throw new Error('the template of this step was deleted');
  let from: TransactionalPayload['from'];
  if (node.senderId) {
    const [s] = await rows<{ name: string; email: string; reply_to: string | null }>(
      tx,
      sql`select name, email, reply_to from senders where org_id = ${orgId} and id = ${node.senderId}`,
    );
    if (!s) throw new Error('the sender of this step was deleted');
    from = { name: s.name, address: s.email, replyTo: s.reply_to };
  } else {
    const d = await defaultFrom(depsOf(deps), orgId, tx);
    from = { name: d.name, address: d.address, replyTo: d.replyTo };
  }
  const [settings] = await rows<{ postal_address: string }>(
    tx,
    sql`select postal_address from email_settings where org_id = ${orgId}`,
  );
  return {
    templateName: t.name,
    host: new URL(deps.config.baseUrl).hostname,
    payload: {
      templateId: node.templateId,
      templateVersion: new Date(t.updated_at).toISOString(),
      content: { subject: t.subject, format: t.format, body: t.body, text: t.text },
      data: {},
      from,
      postalAddress: settings?.postal_address ?? '',
      subject: t.subject.slice(0, 200),
      automationId,
    },
  };
}

export interface EmailRecipient {
  id: string;
  email: string | null;
  subscription_status: string;
  suppressed: boolean;
}

export function emailRecipients(contactIds: string[]): SQL {
  return sql`select c.id, c.email, c.subscription_status, exists(select 1 from suppressions x where x.org_id = c.org_id
      and lower(x.email) = lower(c.email) and x.removed_at is null) as suppressed
    from contacts c where c.id = any(${pgArray(contactIds)}::uuid[])`;
}

/** Why a workflow email is not sent to this contact (null: it is queued). */
export function emailSkipReason(c: EmailRecipient | undefined): string | null {
  if (!c?.email) return 'no_email';
  if (c.suppressed) return 'suppressed';
  if (c.subscription_status === 'subscribed') return null;
  return ['unsubscribed', 'bounced', 'complained'].includes(c.subscription_status)
    ? c.subscription_status
    : 'not_subscribed';
}

/**
 * Rows of the send ledger (queued, or skipped with the reason: the runner re-checks at send time),
 * one statement for any number of runs. Returns each row's id with its contact.
 */
export function insertEmailSends(
  setup: EmailStepSetup,
  orgId: string,
  items: Array<{ run_id: string; contact_id: string; email: string | null; reason: string | null }>,
): SQL {
  return sql`with t as materialized (
      select uuid_v7() as id, t.* from jsonb_to_recordset(${JSON.stringify(items)}::jsonb)
        as t(run_id uuid, contact_id uuid, email text, reason text))
    insert into email_sends (id, org_id, contact_id, kind, email, state, reason, message_id, payload, next_attempt_at)
    select t.id, ${orgId}, t.contact_id, 'automation', t.email, case when t.reason is null then 'queued' else 'skipped' end,
      t.reason, '<' || t.id || '@' || ${setup.host} || '>',
      ${JSON.stringify(setup.payload)}::jsonb || jsonb_build_object('runId', t.run_id), now()
    from t returning id, contact_id`;
}

export function emailStepOutcome(setup: EmailStepSetup, reason: string | null, sendId?: string): Performed {
  const name = setup.templateName;
  if (reason === 'no_email')
    return {
      outcome: 'next',
      summary: `Email "${name}" not sent: no address`,
      state: 'skipped',
      result: { reason },
    };
  return reason
    ? {
        outcome: 'next',
        summary: `Email "${name}" not sent: ${reason.replace('_', ' ')}`,
        state: 'skipped',
        result: { sendId, reason },
      }
    : { outcome: 'next', summary: `Sent email "${name}"`, result: { sendId } };
}

// ---- outgoing webhooks ----------------------------------------------------------------------

async function callWebhook(deps: JobDeps, s: Extract<StepResult, { kind: 'webhook' }>): Promise<void> {
  const db = deps.database.db;
  const { run, node } = s;
  const [c] = await rows<Record<string, unknown>>(
    db,
    sql`select id, email, first_name, last_name, company_name, job_title, tag_ids, custom, subscription_status
      from contacts where id = ${run.contact_id}`,
  );
  const body = {
    type: 'automation.webhook',
    timestamp: clock.now().toISOString(),
    data: {
      automation: { id: run.automation_id, name: run.automation_name, version: run.version },
      run: { id: run.id, step: node.id },
      contact: c
        ? {
            id: c.id,
            email: c.email,
            firstName: c.first_name,
            lastName: c.last_name,
            companyName: c.company_name,
            jobTitle: c.job_title,
            custom: c.custom,
            subscriptionStatus: c.subscription_status,
          }
        : null,
      trigger: run.context.event ? { type: run.context.event.type, data: run.context.event.data } : null,
      ...(node.payload ? { payload: node.payload } : {}),
    },
  };
  let outcome:
    | { ok: true; status: number; ms: number }
    | { ok: false; error: string; retryable: boolean; status?: number };
  try {
    const r = await postWebhook({
      url: node.url,
      body,
      secret: webhookSecretFor(deps.keys, run.org_id),
      msgId: s.stepId,
      timeoutMs: deps.config.webhookTimeoutMs,
      allowCidrs: deps.config.outboundAllowCidrs,
    });
    outcome = { ok: true, status: r.status, ms: r.ms };
  } catch (err) {
    const e = err instanceof OutboundError ? err : new OutboundError((err as Error).message, true);
    outcome = { ok: false, error: e.message.slice(0, 500), retryable: e.retryable, status: e.status };
  }
  await db.transaction(async (tx) => {
    const [cur] = await rows<{ state: string; current_node: string }>(
      tx,
      sql`select state, current_node from automation_runs where id = ${run.id} for update`,
    );
    if (!cur || cur.state !== 'active' || cur.current_node !== node.id) return;
    const def = await versionDef(tx, run.automation_id, run.version);
    if (outcome.ok) {
      // The attempt was counted when the step was claimed: record the result without counting again.
      await tx.execute(sql`update automation_steps set state = 'done', outcome = 'next', error = null, finished_at = now(),
          result = ${JSON.stringify({ status: outcome.status, ms: outcome.ms, attempts: s.attempts })}::jsonb
        where run_id = ${run.id} and node_id = ${node.id}`);
      await timeline(tx, run, node, `Called webhook (HTTP ${outcome.status})`);
      await advance(tx, run, def, node.id, 'next');
      return;
    }
    const detail = `${outcome.error}${outcome.status ? ` (HTTP ${outcome.status})` : ''}`;
    if (outcome.retryable && s.attempts < WEBHOOK_ATTEMPTS) {
      const delay = deps.config.automationRetryMs * 2 ** (s.attempts - 1);
      await tx.execute(sql`update automation_steps set error = ${detail}, result = ${JSON.stringify({ status: outcome.status ?? null, nextAttemptInMs: delay })}::jsonb
        where run_id = ${run.id} and node_id = ${node.id}`);
      await tx.execute(sql`update automation_runs set updated_at = now() where id = ${run.id}`);
      await enqueueOne(tx, run.id, node.id, run.priority, delay);
      return;
    }
    await tx.execute(sql`update automation_steps set state = 'failed', error = ${detail}, finished_at = now()
      where run_id = ${run.id} and node_id = ${node.id}`);
    await timeline(
      tx,
      run,
      node,
      `Webhook failed after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}: ${detail}`,
      'failed',
    );
    await endRun(tx, run, 'failed', 'webhook_failed', `Webhook failed: ${detail}`);
  });
}

// ---- watchdog -------------------------------------------------------------------------------

/**
 * Wakes waits that are due by the engine clock (their delayed job fires by the wall clock; a
 * moved clock or a lost job needs this) and requeues active runs untouched for longer than
 * AUTOMATION_STUCK_SECONDS (their job was lost). Returns the runs requeued.
 */
export async function runWatchdog(deps: Pick<Deps, 'database' | 'config'>): Promise<number> {
  const now = clock.now();
  // With a moved clock (tests) due waits are woken at once; otherwise their delayed job fires on
  // time and the watchdog only steps in when it is late by a minute (or by the stuck threshold
  // when shorter): the job was lost, e.g. fetched by a process that died.
  const moved = clock.offsetMs() !== 0;
  const lateSeconds = Math.min(60, deps.config.automationStuckSeconds);
  return deps.database.db.transaction(async (tx) => {
    const [lock] = await rows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(7420117) as ok`);
    if (!lock?.ok) return 0;
    const [r] = await rows<{ n: number }>(
      tx,
      sql`with due as (
          select id from automation_runs
          where state = 'waiting' and wake_at <= ${now}
            and (${moved} or (wake_at < ${now}::timestamptz - make_interval(secs => ${lateSeconds})
              and updated_at < now() - make_interval(secs => ${lateSeconds})))
          order by wake_at limit 10000 for update skip locked),
        stuck as (
          select r.id from automation_runs r
          where r.state = 'active' and r.updated_at < now() - make_interval(secs => ${deps.config.automationStuckSeconds})
            -- A run still queued behind a backlog has its job waiting (created or retry): not lost.
            -- An "active" job may belong to a dead process (pg-boss retries it only at expiry).
            and not exists (select 1 from pgboss.job j where j.name = ${STEP_QUEUE} and j.state < 'active'
              and j.data ->> 'runId' = r.id::text)
          order by r.updated_at limit 10000 for update of r skip locked),
        picked as (
          update automation_runs r set updated_at = now() where r.id in (select id from due union select id from stuck)
          returning r.id, r.current_node, r.priority),
        jobs as (${insertStepJobs(sql`select id as run_id, current_node as node, priority, null::timestamptz as start_after from picked`)})
        select count(*)::int as n from picked`,
    );
    return r?.n ?? 0;
  });
}

// ---- activation -----------------------------------------------------------------------------

const SETTABLE_STANDARD = ['jobTitle', 'source'];

/** Graph issues plus references that must exist in this organisation before activation. */
export async function activationProblems(ctx: Ctx, def: WorkflowDefinition): Promise<GraphIssue[]> {
  const issues = graphIssues(def);
  const db = ctx.deps.database.db;
  const ids = async (table: 'templates' | 'segments' | 'campaigns' | 'senders', list: string[]) => {
    if (list.length === 0) return new Set<string>();
    const found = await rows<{ id: string }>(
      db,
      sql`select id from ${sql.raw(table)} where org_id = ${ctx.orgId} and id = any(${pgArray(list)}::uuid[])`,
    );
    return new Set(found.map((f) => f.id));
  };
  const want = {
    templates: [] as string[],
    segments: [] as string[],
    campaigns: [] as string[],
    senders: [] as string[],
  };
  for (const n of def.nodes) {
    if (n.type === 'send_email') {
      want.templates.push(n.templateId);
      if (n.senderId) want.senders.push(n.senderId);
    }
    if (n.type === 'trigger' && 'segmentId' in n.trigger) want.segments.push(n.trigger.segmentId);
    if (n.type === 'trigger' && 'campaignId' in n.trigger && n.trigger.campaignId)
      want.campaigns.push(n.trigger.campaignId);
    if (n.type === 'wait_event' && 'campaignId' in n.event && n.event.campaignId)
      want.campaigns.push(n.event.campaignId);
  }
  const found = {
    templates: await ids('templates', want.templates),
    segments: await ids('segments', want.segments),
    campaigns: await ids('campaigns', want.campaigns),
    senders: await ids('senders', want.senders),
  };
  const fields = await rows<{ key: string; type: string }>(
    db,
    sql`select key, type from field_definitions where org_id = ${ctx.orgId} and entity = 'contact'`,
  );
  const fieldType = new Map(fields.map((f) => [f.key, f.type]));
  const label = (n: WorkflowNode) => n.label ?? describeNode(n);
  for (const [i, n] of def.nodes.entries()) {
    const at = ['nodes', i];
    if (n.type === 'send_email') {
      if (!found.templates.has(n.templateId))
        issues.push({ path: [...at, 'templateId'], message: `${label(n)}: the template does not exist` });
      if (n.senderId && !found.senders.has(n.senderId))
        issues.push({ path: [...at, 'senderId'], message: `${label(n)}: the sender does not exist` });
    }
    if (n.type === 'trigger') {
      const t = n.trigger;
      if ('segmentId' in t && !found.segments.has(t.segmentId))
        issues.push({ path: [...at, 'trigger', 'segmentId'], message: 'The trigger segment does not exist' });
      if ('campaignId' in t && t.campaignId && !found.campaigns.has(t.campaignId))
        issues.push({
          path: [...at, 'trigger', 'campaignId'],
          message: 'The trigger campaign does not exist',
        });
      if (t.type === 'date') {
        const key = t.field.startsWith('custom.') ? t.field.slice(7) : '';
        if (fieldType.get(key) !== 'date')
          issues.push({
            path: [...at, 'trigger', 'field'],
            message: `${t.field} is not a date field of contacts`,
          });
      }
    }
    if (
      n.type === 'wait_event' &&
      'campaignId' in n.event &&
      n.event.campaignId &&
      !found.campaigns.has(n.event.campaignId)
    )
      issues.push({
        path: [...at, 'event', 'campaignId'],
        message: `${label(n)}: the campaign does not exist`,
      });
    if (n.type === 'update_field') {
      const ok = n.field.startsWith('custom.')
        ? fieldType.has(n.field.slice(7))
        : SETTABLE_STANDARD.includes(n.field);
      if (!ok)
        issues.push({
          path: [...at, 'field'],
          message: `${n.field} cannot be set by a workflow (a custom field, jobTitle or source)`,
        });
    }
    if (n.type === 'notify' && n.userId) {
      const [m] = await rows(
        db,
        sql`select 1 from members where org_id = ${ctx.orgId} and user_id = ${n.userId}`,
      );
      if (!m)
        issues.push({ path: [...at, 'userId'], message: `${label(n)}: not a member of this organisation` });
    }
    const filters: Array<[FilterNode | null | undefined, (string | number)[]]> = [];
    if (n.type === 'condition') filters.push([n.filter, [...at, 'filter']]);
    for (const [f, path] of filters) {
      if (!f) continue;
      try {
        await buildWhere(ctx, { filter: f });
      } catch (err) {
        issues.push({ path, message: (err as Error).message });
      }
    }
  }
  if (def.settings?.goal) {
    try {
      await buildWhere(ctx, { filter: def.settings.goal });
    } catch (err) {
      issues.push({ path: ['settings', 'goal'], message: (err as Error).message });
    }
  }
  return issues;
}

/** On activation: a segment trigger starts from the segment's members now (only later entries count). */
export async function onActivate(
  tx: Db,
  ctx: Ctx,
  automationId: string,
  def: WorkflowDefinition,
): Promise<void> {
  const t = triggerOf(def);
  await tx.execute(sql`delete from automation_segment_members where automation_id = ${automationId}`);
  if (t.type !== 'segment.entered' && t.type !== 'segment.left') return;
  const where = await buildWhere(ctx, { segmentId: t.segmentId });
  await tx.execute(sql`insert into automation_segment_members (automation_id, org_id, contact_id)
    select ${automationId}, ${ctx.orgId}, c.id from contacts c where c.org_id = ${ctx.orgId}
      ${where.length ? sql` and ${sql.join(where, sql` and `)}` : sql``}
    on conflict do nothing`);
}

/** On resume after a pause: every open run of the workflow gets its step job again. */
export async function onResume(tx: Db, automationId: string): Promise<void> {
  await enqueueRuns(
    tx,
    sql`select id from automation_runs where automation_id = ${automationId} and state in ('active','waiting')`,
  );
}
