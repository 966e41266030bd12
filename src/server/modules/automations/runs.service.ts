import { sql } from 'drizzle-orm';
import {
  describeNode,
  OPEN_RUN_STATES,
  type RunState,
  type WorkflowDefinition,
} from '../../../common/automations.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { pgArray, pgCode, rows } from '../../lib/sql.js';
import { iso, loadAutomation, nameLookup, type StepState } from './automations.service.js';
import { endRun, enqueueRuns } from './engine.js';

/**
 * Runs of an automation (one per enrolment of a contact): the list, one run with its steps, and
 * what a user may do to one (cancel an open run, retry a failed one).
 */

interface RunRow {
  id: string;
  automation_id: string;
  version: number;
  contact_id: string;
  contact_name: string;
  contact_email: string | null;
  state: RunState;
  current_node: string | null;
  wake_at: Date | null;
  enrolled_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  exit_reason: string | null;
  error: string | null;
}

const RUN_COLUMNS = sql`r.id, r.automation_id, r.version, r.contact_id,
  coalesce(nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), ''), c.email, '') as contact_name,
  c.email as contact_email, r.state, r.current_node, r.wake_at, r.enrolled_at, r.updated_at, r.ended_at,
  r.exit_reason, r.error`;

function presentRun(r: RunRow) {
  return {
    id: r.id,
    automationId: r.automation_id,
    version: r.version,
    contact: { id: r.contact_id, name: r.contact_name, email: r.contact_email },
    state: r.state,
    currentNode: r.current_node,
    wakeAt: iso(r.wake_at),
    enrolledAt: iso(r.enrolled_at)!,
    updatedAt: iso(r.updated_at)!,
    endedAt: iso(r.ended_at),
    exitReason: r.exit_reason,
    error: r.error,
  };
}

export async function listRuns(
  ctx: Ctx,
  automationId: string,
  q: { state?: RunState; contactId?: string; limit: number; cursor?: string },
) {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  await loadAutomation(db, ctx.orgId, automationId);
  const list = await rows<RunRow>(
    db,
    sql`select ${RUN_COLUMNS} from automation_runs r join contacts c on c.id = r.contact_id
      where r.org_id = ${ctx.orgId} and r.automation_id = ${automationId}
        ${q.state ? sql`and r.state = ${q.state}` : sql``}
        ${q.contactId ? sql`and r.contact_id = ${q.contactId}` : sql``}
        ${q.cursor ? sql`and r.id < ${q.cursor}` : sql``}
      order by r.id desc limit ${q.limit + 1}`,
  );
  const more = list.length > q.limit;
  const page = list.slice(0, q.limit);
  return { items: page.map(presentRun), nextCursor: more ? page[page.length - 1]!.id : null };
}

async function loadRun(db: Db, orgId: string, id: string, forUpdate = false) {
  const [r] = await rows<RunRow & { automation_name: string; context: Record<string, unknown> }>(
    db,
    sql`select ${RUN_COLUMNS}, r.context, a.name as automation_name
      from automation_runs r join contacts c on c.id = r.contact_id join automations a on a.id = r.automation_id
      where r.org_id = ${orgId} and r.id = ${id} ${forUpdate ? sql`for update of r` : sql``}`,
  );
  if (!r) throw new AppError('NOT_FOUND', 'Run not found');
  return r;
}

export async function getRun(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  const r = await loadRun(db, ctx.orgId, id);
  const [[v], steps] = await Promise.all([
    rows<{ definition: WorkflowDefinition }>(
      db,
      sql`select definition from automation_versions where automation_id = ${r.automation_id} and version = ${r.version}`,
    ),
    rows<{
      node_id: string;
      node_type: string;
      state: StepState;
      outcome: string | null;
      result: unknown;
      error: string | null;
      attempts: number;
      started_at: Date;
      finished_at: Date | null;
    }>(
      db,
      sql`select node_id, node_type, state, outcome, result, error, attempts, started_at, finished_at
        from automation_steps where org_id = ${ctx.orgId} and run_id = ${id} order by started_at, id`,
    ),
  ]);
  const nodes = new Map((v?.definition.nodes ?? []).map((n) => [n.id, n]));
  const [names, said] = await Promise.all([
    nameLookup(db, ctx.orgId, v?.definition.nodes ?? []),
    // What the timeline said about each step (its latest word: "Sent email …", "Condition: yes").
    rows<{ node_id: string; summary: string }>(
      db,
      sql`select distinct on (data ->> 'nodeId') data ->> 'nodeId' as node_id, data ->> 'summary' as summary
        from contact_events
        where org_id = ${ctx.orgId} and contact_id = ${r.contact_id} and type = 'automation.step'
          and data ->> 'runId' = ${id} and data ? 'nodeId' and data ? 'summary'
        order by data ->> 'nodeId', seq desc`,
    ),
  ]);
  const summaries = new Map(said.map((s) => [s.node_id, s.summary]));
  return {
    ...presentRun(r),
    automation: { id: r.automation_id, name: r.automation_name },
    context: r.context ?? {},
    steps: steps.map((s) => {
      const node = nodes.get(s.node_id);
      return {
        nodeId: s.node_id,
        nodeType: s.node_type,
        summary: summaries.get(s.node_id) ?? (node ? describeNode(node, names) : s.node_type),
        state: s.state,
        outcome: s.outcome,
        result: s.result ?? null,
        error: s.error,
        attempts: s.attempts,
        startedAt: iso(s.started_at)!,
        finishedAt: iso(s.finished_at),
      };
    }),
  };
}

/** Ends an open run now (its pending step job finds it ended and does nothing). */
export async function cancelRun(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:write');
  await ctx.deps.database.db.transaction(async (tx) => {
    const r = await loadRun(tx, ctx.orgId, id, true);
    if (!OPEN_RUN_STATES.includes(r.state))
      throw new AppError('CONFLICT', `The run is ${r.state}: only an active or waiting run can be canceled`);
    // A wait that will never end is closed; so is a call in flight (its answer is then ignored).
    await tx.execute(sql`update automation_steps set state = 'skipped', outcome = 'canceled', finished_at = now()
      where run_id = ${id} and state in ('waiting', 'running')`);
    await endRun(
      tx,
      {
        id,
        org_id: ctx.orgId,
        contact_id: r.contact_id,
        automation_id: r.automation_id,
        automation_name: r.automation_name,
      },
      'canceled',
      'canceled',
    );
  });
  return getRun(ctx, id);
}

/** Resumes a failed run at the step that failed (its ledger row goes, so the step runs again). */
export async function retryRun(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:write');
  const db = ctx.deps.database.db;
  try {
    await db.transaction(async (tx) => {
      const r = await loadRun(tx, ctx.orgId, id, true);
      if (r.state !== 'failed')
        throw new AppError('CONFLICT', `The run is ${r.state}: only a failed run can be retried`);
      if (!r.current_node) throw new AppError('CONFLICT', 'The run has no step to retry');
      await tx.execute(sql`delete from automation_steps
        where run_id = ${id} and node_id = ${r.current_node} and state = 'failed'`);
      await tx.execute(sql`update automation_runs set state = 'active', error = null, ended_at = null,
          exit_reason = null, wake_at = null, updated_at = now()
        where id = ${id}`);
      await enqueueRuns(tx, sql`select id from automation_runs where id = any(${pgArray([id])}::uuid[])`);
    });
  } catch (err) {
    if (pgCode(err) === '23505')
      throw new AppError('CONFLICT', 'The contact is in another run of this automation: cancel it first');
    throw err;
  }
  return getRun(ctx, id);
}
