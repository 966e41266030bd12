import { sql } from 'drizzle-orm';
import {
  describeNode,
  durationSeconds,
  nextNode,
  type WorkflowDefinition,
  type WorkflowNode,
} from '../../../common/automations.js';
import { clock } from '../../lib/clock.js';
import type { Db } from '../../lib/db.js';
import type { JobDeps } from '../../lib/jobs.js';
import { pgArray, rows } from '../../lib/sql.js';
import { recordAutomationTimelineMany } from '../contacts/write/automation.js';
import { applyBulkChange, type BulkChange } from '../contacts/write/sets.js';
import { ensureTags } from '../tags/tags.repo.js';
import {
  automationCtx,
  depsOf,
  type EmailRecipient,
  emailRecipients,
  emailSkipReason,
  emailStepOutcome,
  emailStepSetup,
  fieldChange,
  insertEmailSends,
  insertStepJobs,
  type Performed,
  runStep,
  STEP_QUEUE,
  versionDef,
} from './engine.js';

/**
 * Set-based steps (decision 011). Workers fetch step jobs in batches; jobs of one batch that stand
 * at the same simple node of the same workflow version (add/remove tag, update field, send email,
 * the start or end of a wait) run together in one transaction: one statement for the action on all their
 * contacts, one for the ledger rows, one for the timeline events, one for the runs and one for
 * the next jobs — the same records, in the same transaction, as the one-by-one path, which runs
 * everything else (and a group whose transaction failed).
 */

const SET_BASED = new Set<WorkflowNode['type']>([
  'add_tag',
  'remove_tag',
  'update_field',
  'wait',
  'send_email',
]);
/** Smaller groups are not worth a set-based transaction. */
const MIN_GROUP = 2;

interface Item {
  id: string;
  data: { runId: string; node: string };
}

export async function runStepBatch(
  items: Item[],
  deps: JobDeps,
): Promise<Array<{ id: string; error: unknown }>> {
  const db = deps.database.db;
  const ids = [...new Set(items.map((i) => i.data.runId))];
  const info = await rows<{
    id: string;
    automation_id: string;
    version: number;
    current_node: string;
    state: string;
  }>(
    db,
    sql`select id, automation_id, version, current_node, state from automation_runs where id = any(${pgArray(ids)}::uuid[])`,
  );
  const byId = new Map(info.map((r) => [r.id, r]));
  const groups = new Map<string, Item[]>();
  const single: Item[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const r = byId.get(item.data.runId);
    // Duplicates of a run in one batch, and anything not simply "active at this node", go one by one.
    if (
      !r ||
      (r.state !== 'active' && r.state !== 'waiting') ||
      r.current_node !== item.data.node ||
      seen.has(r.id)
    ) {
      single.push(item);
      continue;
    }
    seen.add(r.id);
    const key = `${r.automation_id}:${r.version}:${r.current_node}:${r.state}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  for (const [key, group] of groups) {
    const [automationId, version, nodeId, runState] = key.split(':') as [string, string, string, string];
    const waking = runState === 'waiting';
    let def: WorkflowDefinition;
    try {
      def = await versionDef(db, automationId, Number(version));
    } catch {
      single.push(...group);
      continue;
    }
    const node = def.nodes.find((n) => n.id === nodeId);
    if (
      !node ||
      !SET_BASED.has(node.type) ||
      (waking && node.type !== 'wait') ||
      def.settings?.goal ||
      group.length < MIN_GROUP
    ) {
      single.push(...group);
      continue;
    }
    try {
      const done = await db.transaction((tx) =>
        runGroup(
          tx,
          deps,
          automationId,
          Number(version),
          def,
          node,
          group.map((g) => g.data.runId),
          waking,
        ),
      );
      // Runs the group left out (restricted contacts, another state by now) take the usual path.
      const left = new Set(done.skipped);
      single.push(...group.filter((g) => left.has(g.data.runId)));
    } catch {
      single.push(...group);
    }
  }
  deps.events?.kick();
  deps.jobs?.wake(STEP_QUEUE);
  const failed: Array<{ id: string; error: unknown }> = [];
  await Promise.all(
    single.map((item) =>
      runStep(deps, item.data.runId, item.data.node).catch((error: unknown) => {
        failed.push({ id: item.id, error });
      }),
    ),
  );
  return failed;
}

async function runGroup(
  tx: Db,
  deps: JobDeps,
  automationId: string,
  version: number,
  def: WorkflowDefinition,
  node: WorkflowNode,
  runIds: string[],
  /** The end of a wait (runs "waiting" at a wait node whose time has come), not its start. */
  waking = false,
): Promise<{ skipped: string[] }> {
  // Only the ids in the condition: the planner then locks by the primary key whatever the
  // statistics say. With `automation_id = … and state = …` beside them, statistics taken before a
  // 100,000-run enrolment made it read every open run of the workflow for each batch.
  const candidates = await rows<{
    id: string;
    org_id: string;
    contact_id: string;
    priority: number;
    automation_id: string;
    version: number;
    state: string;
    current_node: string | null;
    wake_at: Date | null;
    status: string;
    name: string;
    restricted: boolean;
  }>(
    tx,
    sql`select r.id, r.org_id, r.contact_id, r.priority, r.automation_id, r.version, r.state, r.current_node,
        r.wake_at, a.status, a.name, c.restricted
      from automation_runs r join automations a on a.id = r.automation_id join contacts c on c.id = r.contact_id
      where r.id = any(${pgArray(runIds)}::uuid[])
      order by r.id for update of r`,
  );
  const nowMs = clock.now().getTime();
  const locked = candidates.filter(
    (r) =>
      r.automation_id === automationId &&
      r.version === version &&
      r.state === (waking ? 'waiting' : 'active') &&
      r.current_node === node.id &&
      (!waking || (r.wake_at !== null && new Date(r.wake_at).getTime() <= nowMs)),
  );
  const runs = locked.filter((r) => r.status === 'active' && !r.restricted);
  const taken = new Set(runs.map((r) => r.id));
  const skipped = runIds.filter((id) => !taken.has(id));
  if (runs.length === 0) return { skipped };
  const orgId = runs[0]!.org_id;
  const name = runs[0]!.name;
  const ids = runs.map((r) => r.id);
  const contactIds = runs.map((r) => r.contact_id);
  const ctx = automationCtx(depsOf(deps), orgId, automationId);
  const now = clock.now();

  let summary: string;
  let state: 'done' | 'waiting' = 'done';
  if (waking) {
    // Restricted contacts and goals are checked by the next step (the one-by-one path checks them
    // at the start of every step; the end of a wait only moves the run on).
    summary = `${describeNode(node)}: done`;
    await tx.execute(sql`update automation_steps set state = 'done', outcome = 'next', finished_at = now()
      where run_id = any(${pgArray(ids)}::uuid[]) and node_id = ${node.id}`);
    await recordAutomationTimelineMany(tx, {
      orgId,
      automationId,
      type: 'automation.step',
      items: runs.map((r) => ({
        contactId: r.contact_id,
        data: {
          automationId,
          automationName: name,
          runId: r.id,
          nodeId: node.id,
          nodeType: node.type,
          summary,
        },
      })),
    });
    await advanceAll(tx, def, node.id, ids, runs, { orgId, automationId, name });
    return { skipped };
  }
  let result: Record<string, unknown> = {};
  /** Outcomes that differ per run (a send step: queued or skipped, each with its ledger row). */
  let perRun: Map<string, Performed> | undefined;
  let delayMs = 0;
  switch (node.type) {
    case 'add_tag':
    case 'remove_tag': {
      const [tag] = await ensureTags(tx, orgId, [node.tag]);
      const change: BulkChange = {
        type: node.type === 'add_tag' ? 'add_tags' : 'remove_tags',
        tagIds: [tag!.id],
        tagNames: [tag!.name],
      };
      await applyBulkChange(tx, ctx, change, sql`c.id = any(${pgArray(contactIds)}::uuid[])`);
      summary = `${node.type === 'add_tag' ? 'Added' : 'Removed'} tag "${tag!.name}"`;
      break;
    }
    case 'update_field': {
      const change = fieldChange(node);
      await applyBulkChange(tx, ctx, change, sql`c.id = any(${pgArray(contactIds)}::uuid[])`);
      summary = `Set ${node.field} to "${node.value ?? ''}"`;
      break;
    }
    case 'wait': {
      delayMs = durationSeconds(node.duration) * 1000;
      const until = new Date(now.getTime() + delayMs);
      state = 'waiting';
      result = { until: until.toISOString() };
      summary = `${describeNode(node)} (until ${until.toISOString()})`;
      await tx.execute(sql`update automation_runs set state = 'waiting', wake_at = ${until}, updated_at = now()
        where id = any(${pgArray(ids)}::uuid[])`);
      break;
    }
    case 'send_email': {
      // As the one-by-one step does (sendEmailStep), for every run at once.
      const setup = await emailStepSetup(tx, deps, orgId, automationId, node);
      const recipients = new Map(
        (await rows<EmailRecipient>(tx, emailRecipients(contactIds))).map((c) => [c.id, c]),
      );
      const items = runs.map((r) => {
        const c = recipients.get(r.contact_id);
        return {
          run_id: r.id,
          contact_id: r.contact_id,
          email: c?.email ?? null,
          reason: emailSkipReason(c),
        };
      });
      const sent = await rows<{ id: string; contact_id: string }>(
        tx,
        insertEmailSends(
          setup,
          orgId,
          items.filter((i) => i.reason !== 'no_email'),
        ),
      );
      // One open run per contact and workflow: the contact names the run's ledger row.
      const sendIds = new Map(sent.map((x) => [x.contact_id, x.id]));
      perRun = new Map(
        items.map((i) => [i.run_id, emailStepOutcome(setup, i.reason, sendIds.get(i.contact_id))]),
      );
      summary = '';
      break;
    }
    default:
      throw new Error(`not a set-based step: ${node.type}`);
  }

  if (perRun) {
    const ledger = runs.map((r) => {
      const p = perRun.get(r.id)!;
      return { run_id: r.id, state: p.state ?? 'done', outcome: p.outcome, result: p.result ?? null };
    });
    await tx.execute(sql`insert into automation_steps (org_id, run_id, automation_id, node_id, node_type, state, outcome,
        result, finished_at)
      select ${orgId}, t.run_id, ${automationId}, ${node.id}, ${node.type}, t.state, t.outcome, t.result, now()
      from jsonb_to_recordset(${JSON.stringify(ledger)}::jsonb) as t(run_id uuid, state text, outcome text, result jsonb)
      on conflict (run_id, node_id) do update set state = excluded.state, outcome = excluded.outcome,
        result = excluded.result, finished_at = excluded.finished_at, attempts = automation_steps.attempts + 1`);
  } else {
    await tx.execute(sql`insert into automation_steps (org_id, run_id, automation_id, node_id, node_type, state, outcome,
        result, finished_at)
      select ${orgId}, id, ${automationId}, ${node.id}, ${node.type}, ${state}, ${state === 'done' ? 'next' : null},
        ${JSON.stringify(result)}::jsonb, ${state === 'done' ? sql`now()` : null}
      from unnest(${pgArray(ids)}::uuid[]) as id
      on conflict (run_id, node_id) do update set state = excluded.state, outcome = excluded.outcome,
        result = excluded.result, finished_at = excluded.finished_at, attempts = automation_steps.attempts + 1`);
  }
  const stepData = (r: (typeof runs)[number]) => ({
    automationId,
    automationName: name,
    runId: r.id,
    nodeId: node.id,
    nodeType: node.type,
    summary: perRun?.get(r.id)?.summary ?? summary,
  });
  await recordAutomationTimelineMany(tx, {
    orgId,
    automationId,
    type: 'automation.step',
    items: runs.map((r) => ({ contactId: r.contact_id, data: stepData(r) })),
  });

  if (state === 'waiting') {
    await tx.execute(
      insertStepJobs(sql`select id as run_id, ${node.id}::text as node, priority,
          now() + make_interval(secs => ${delayMs / 1000}) as start_after
        from automation_runs where id = any(${pgArray(ids)}::uuid[])`),
    );
    return { skipped };
  }
  await advanceAll(tx, def, node.id, ids, runs, { orgId, automationId, name });
  return { skipped };
}

/** Moves runs past `from` (its "next" exit): to the next node with its job, or to the end. */
async function advanceAll(
  tx: Db,
  def: WorkflowDefinition,
  from: string,
  ids: string[],
  runs: Array<{ id: string; contact_id: string }>,
  a: { orgId: string; automationId: string; name: string },
) {
  const next = nextNode(def, from, 'next');
  if (next) {
    await tx.execute(sql`update automation_runs set current_node = ${next}, state = 'active', wake_at = null,
        waiting_for = null, updated_at = now() where id = any(${pgArray(ids)}::uuid[])`);
    await tx.execute(
      insertStepJobs(sql`select id as run_id, current_node as node, priority, null::timestamptz as start_after
        from automation_runs where id = any(${pgArray(ids)}::uuid[])`),
    );
    return;
  }
  await tx.execute(sql`update automation_runs set state = 'completed', exit_reason = 'completed', ended_at = now(),
      wake_at = null, waiting_for = null, updated_at = now() where id = any(${pgArray(ids)}::uuid[])`);
  await recordAutomationTimelineMany(tx, {
    orgId: a.orgId,
    automationId: a.automationId,
    type: 'automation.ended',
    items: runs.map((r) => ({
      contactId: r.contact_id,
      data: {
        automationId: a.automationId,
        automationName: a.name,
        runId: r.id,
        summary: 'Completed the workflow',
        outcome: 'completed',
      },
    })),
  });
}
