import { type SQL, sql } from 'drizzle-orm';
import {
  type AutomationStatus,
  describeTrigger,
  type GraphIssue,
  type NameLookup,
  RUN_STATES,
  type RunState,
  type Trigger,
  triggerOf,
  type WorkflowDefinition,
  type WorkflowNode,
} from '../../../common/automations.js';
import { assertCan, type Ctx, userIdOf } from '../../lib/context.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { pgArray, rows } from '../../lib/sql.js';
import { buildWhere } from '../contacts/contacts.query.js';
import { activationProblems, enrol, onActivate, onResume } from './engine.js';

/**
 * Automations: the workflows, their versions and counts (use-cases behind
 * /api/v1/automations). A version is edited in place until it is first activated; from then on a
 * change of the graph makes version+1, and running enrolments finish on the version they started.
 * Runs are in runs.service.ts, the dry run in dry-run.ts, execution in engine.ts.
 */

export type StepState = 'done' | 'waiting' | 'running' | 'failed' | 'skipped';
const STEP_STATES: StepState[] = ['done', 'waiting', 'running', 'failed', 'skipped'];
export type RunCounts = Record<RunState, number> & { enrolled: number };

interface AutomationRow {
  id: string;
  name: string;
  description: string;
  status: AutomationStatus;
  latest_version: number;
  active_version: number | null;
  created_at: Date;
  updated_at: Date;
}

export const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

const COLUMNS = sql`a.id, a.name, a.description, a.status, a.latest_version, a.active_version, a.created_at,
  a.updated_at`;

function emptyCounts(): RunCounts {
  return { enrolled: 0, active: 0, waiting: 0, completed: 0, exited: 0, failed: 0, canceled: 0 };
}

/** The names of what the graphs refer to (templates, segments, campaigns, members), for summaries. */
export async function nameLookup(db: Db, orgId: string, nodes: WorkflowNode[]): Promise<NameLookup> {
  const templates = new Set<string>();
  const segments = new Set<string>();
  const campaigns = new Set<string>();
  const members = new Set<string>();
  const addTrigger = (t: Trigger) => {
    if ((t.type === 'segment.entered' || t.type === 'segment.left') && t.segmentId) segments.add(t.segmentId);
    if ('campaignId' in t && t.campaignId) campaigns.add(t.campaignId);
  };
  for (const n of nodes) {
    if (n.type === 'trigger') addTrigger(n.trigger);
    if (n.type === 'send_email') templates.add(n.templateId);
    if (n.type === 'wait_event' && 'campaignId' in n.event && n.event.campaignId)
      campaigns.add(n.event.campaignId);
    if (n.type === 'notify' && n.userId) members.add(n.userId);
  }
  const uuids = (s: Set<string>) => pgArray([...s].filter((id) => UUID.test(id)));
  const byId = (list: { id: string; name: string }[]) => Object.fromEntries(list.map((r) => [r.id, r.name]));
  const [t, s, c, m] = await Promise.all([
    templates.size
      ? rows<{ id: string; name: string }>(
          db,
          sql`select id, name from templates where org_id = ${orgId} and id = any(${uuids(templates)}::uuid[])`,
        )
      : [],
    segments.size
      ? rows<{ id: string; name: string }>(
          db,
          sql`select id, name from segments where org_id = ${orgId} and id = any(${uuids(segments)}::uuid[])`,
        )
      : [],
    campaigns.size
      ? rows<{ id: string; name: string }>(
          db,
          sql`select id, name from campaigns where org_id = ${orgId} and id = any(${uuids(campaigns)}::uuid[])`,
        )
      : [],
    members.size
      ? rows<{ id: string; name: string }>(
          db,
          sql`select u.id, u.name from members m join users u on u.id = m.user_id
            where m.org_id = ${orgId} and u.id::text = any(${pgArray([...members])}::text[])`,
        )
      : [],
  ]);
  return { templates: byId(t), segments: byId(s), campaigns: byId(c), members: byId(m) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run counts per automation (one grouped query for any number of them). */
async function runCounts(db: Db, orgId: string, ids: string[]): Promise<Map<string, RunCounts>> {
  const out = new Map<string, RunCounts>();
  if (ids.length === 0) return out;
  const list = await rows<{ automation_id: string; state: RunState; n: number }>(
    db,
    sql`select automation_id, state, count(*)::int as n from automation_runs
      where org_id = ${orgId} and automation_id = any(${pgArray(ids)}::uuid[])
      group by automation_id, state`,
  );
  for (const r of list) {
    const c = out.get(r.automation_id) ?? emptyCounts();
    if ((RUN_STATES as readonly string[]).includes(r.state)) c[r.state] += r.n;
    c.enrolled += r.n;
    out.set(r.automation_id, c);
  }
  return out;
}

async function stepCounts(db: Db, orgId: string, id: string) {
  const list = await rows<{ node_id: string; state: StepState; n: number }>(
    db,
    sql`select node_id, state, count(*)::int as n from automation_steps
      where org_id = ${orgId} and automation_id = ${id} group by node_id, state`,
  );
  const out: Record<string, Record<StepState, number>> = {};
  for (const r of list) {
    const c = out[r.node_id] ?? { done: 0, waiting: 0, running: 0, failed: 0, skipped: 0 };
    out[r.node_id] = c;
    if (STEP_STATES.includes(r.state)) c[r.state] += r.n;
  }
  return out;
}

function summary(r: AutomationRow, trigger: Trigger | null, counts: RunCounts, names: NameLookup) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    status: r.status,
    latestVersion: r.latest_version,
    activeVersion: r.active_version,
    trigger,
    triggerSummary: trigger ? describeTrigger(trigger, names) : 'No trigger',
    counts,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

function safeTrigger(def: WorkflowDefinition): Trigger | null {
  try {
    return triggerOf(def);
  } catch {
    return null;
  }
}

export async function listAutomations(ctx: Ctx) {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  const list = await rows<AutomationRow & { trigger: Trigger | null }>(
    db,
    sql`select ${COLUMNS},
        (select n -> 'trigger' from jsonb_array_elements(v.definition -> 'nodes') n
          where n ->> 'type' = 'trigger' limit 1) as trigger
      from automations a
      left join automation_versions v on v.automation_id = a.id and v.version = a.latest_version
      where a.org_id = ${ctx.orgId} order by a.created_at desc, a.id limit 1000`,
  );
  const counts = await runCounts(
    db,
    ctx.orgId,
    list.map((r) => r.id),
  );
  const triggers = list.map((r) => r.trigger).filter((t): t is Trigger => !!t);
  const names = await nameLookup(
    db,
    ctx.orgId,
    triggers.map((trigger, i) => ({ id: `t${i}`, type: 'trigger', trigger })),
  );
  return list.map((r) => summary(r, r.trigger, counts.get(r.id) ?? emptyCounts(), names));
}

/** The automation (this organisation's only) with its latest version's definition. */
export async function loadAutomation(
  db: Db,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<AutomationRow & { definition: WorkflowDefinition; published_at: Date | null; trigger: unknown }> {
  const [r] = await rows<
    AutomationRow & { definition: WorkflowDefinition; published_at: Date | null; trigger: unknown }
  >(
    db,
    sql`select ${COLUMNS}, v.definition, v.published_at, a.trigger
      from automations a
      join automation_versions v on v.automation_id = a.id and v.version = a.latest_version
      where a.org_id = ${orgId} and a.id = ${id} ${forUpdate ? sql`for update of a` : sql``}`,
  );
  if (!r) throw new AppError('NOT_FOUND', 'Automation not found');
  return r;
}

export async function getAutomation(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  const r = await loadAutomation(db, ctx.orgId, id);
  return present(ctx, r);
}

async function present(ctx: Ctx, r: AutomationRow & { definition: WorkflowDefinition }) {
  const db = ctx.deps.database.db;
  const [counts, steps, names, issues] = await Promise.all([
    runCounts(db, ctx.orgId, [r.id]),
    stepCounts(db, ctx.orgId, r.id),
    nameLookup(db, ctx.orgId, r.definition.nodes),
    problemsOf(ctx, r.definition),
  ]);
  return {
    ...summary(r, safeTrigger(r.definition), counts.get(r.id) ?? emptyCounts(), names),
    definition: r.definition,
    issues,
    stepCounts: steps,
  };
}

/** What stands between this graph and activation: its graph issues and missing references. */
const problemsOf = (ctx: Ctx, def: WorkflowDefinition): Promise<GraphIssue[]> => activationProblems(ctx, def);

export async function createAutomation(
  ctx: Ctx,
  input: { name: string; description?: string; definition: WorkflowDefinition },
) {
  assertCan(ctx, 'automations:write');
  const db = ctx.deps.database.db;
  const id = await db.transaction(async (tx) => {
    const [a] = await rows<{ id: string }>(
      tx,
      sql`insert into automations (org_id, name, description, created_by)
        values (${ctx.orgId}, ${input.name}, ${input.description ?? ''}, ${userIdOf(ctx)}) returning id`,
    );
    await tx.execute(sql`insert into automation_versions (automation_id, org_id, version, definition, created_by)
      values (${a!.id}, ${ctx.orgId}, 1, ${JSON.stringify(input.definition)}::jsonb, ${userIdOf(ctx)})`);
    return a!.id;
  });
  return getAutomation(ctx, id);
}

/** JSON with sorted keys: two definitions are the same graph when these are equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function refuse(issues: GraphIssue[], what: string): never {
  throw new AppError(
    'VALIDATION_FAILED',
    `${what}: ${issues[0]?.message ?? 'the workflow has problems'}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    { issues },
  );
}

/**
 * Makes `version` the one new enrolments start on (it must have no activation problems). The
 * trigger's starting state (a segment's members) is taken again unless the automation was
 * already running on the same trigger (an edit of an active automation keeps its continuity).
 */
async function publish(
  tx: Db,
  ctx: Ctx,
  id: string,
  version: number,
  def: WorkflowDefinition,
  was: { status: AutomationStatus; trigger: unknown },
) {
  const trigger = triggerOf(def);
  await tx.execute(sql`update automation_versions set published_at = coalesce(published_at, now())
    where automation_id = ${id} and version = ${version}`);
  await tx.execute(sql`update automations set status = 'active', active_version = ${version},
      trigger_type = ${trigger.type}, trigger = ${JSON.stringify(trigger)}::jsonb, updated_at = now()
    where id = ${id} and org_id = ${ctx.orgId}`);
  if (was.status !== 'active' || canonical(was.trigger) !== canonical(trigger))
    await onActivate(tx, ctx, id, def);
}

export async function updateAutomation(
  ctx: Ctx,
  id: string,
  input: { name?: string; description?: string; definition?: WorkflowDefinition },
) {
  assertCan(ctx, 'automations:write');
  const db = ctx.deps.database.db;
  // Checked before the transaction (reads only); re-checked against the locked row below.
  const current = await loadAutomation(db, ctx.orgId, id);
  const changed =
    input.definition !== undefined && canonical(input.definition) !== canonical(current.definition);
  if (changed && current.status === 'active') {
    const problems = await problemsOf(ctx, input.definition!);
    if (problems.length > 0) refuse(problems, 'The automation is active and this version cannot run');
  }
  await db.transaction(async (tx) => {
    const a = await loadAutomation(tx, ctx.orgId, id, true);
    if (a.latest_version !== current.latest_version || a.status !== current.status)
      throw new AppError('CONFLICT', 'The automation was changed meanwhile: reload it and try again');
    await tx.execute(sql`update automations set
        name = coalesce(${input.name ?? null}, name),
        description = coalesce(${input.description ?? null}, description),
        updated_at = now()
      where id = ${id} and org_id = ${ctx.orgId}`);
    if (!changed) return;
    const def = JSON.stringify(input.definition);
    if (a.published_at === null) {
      await tx.execute(sql`update automation_versions set definition = ${def}::jsonb, created_by = ${userIdOf(ctx)},
          created_at = now()
        where automation_id = ${id} and version = ${a.latest_version}`);
      if (a.status === 'active') await publish(tx, ctx, id, a.latest_version, input.definition!, a);
      return;
    }
    const version = a.latest_version + 1;
    await tx.execute(sql`insert into automation_versions (automation_id, org_id, version, definition, created_by)
      values (${id}, ${ctx.orgId}, ${version}, ${def}::jsonb, ${userIdOf(ctx)})`);
    await tx.execute(sql`update automations set latest_version = ${version} where id = ${id}`);
    // Active: the new version takes over new enrolments at once; running ones finish on theirs.
    if (a.status === 'active') await publish(tx, ctx, id, version, input.definition!, a);
  });
  return getAutomation(ctx, id);
}

export async function deleteAutomation(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:write');
  const [r] = await rows<{ id: string }>(
    ctx.deps.database.db,
    sql`delete from automations where org_id = ${ctx.orgId} and id = ${id} returning id`,
  );
  if (!r) throw new AppError('NOT_FOUND', 'Automation not found');
}

export async function activateAutomation(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:write');
  const db = ctx.deps.database.db;
  const current = await loadAutomation(db, ctx.orgId, id);
  if (current.status === 'active' && current.active_version === current.latest_version)
    return present(ctx, current);
  const problems = await problemsOf(ctx, current.definition);
  if (problems.length > 0) refuse(problems, 'The automation cannot be activated');
  await db.transaction(async (tx) => {
    const a = await loadAutomation(tx, ctx.orgId, id, true);
    if (
      a.latest_version !== current.latest_version ||
      canonical(a.definition) !== canonical(current.definition)
    )
      throw new AppError('CONFLICT', 'The automation was changed meanwhile: reload it and try again');
    await publish(tx, ctx, id, a.latest_version, a.definition, a);
    if (a.status === 'paused') await onResume(tx, id);
  });
  return getAutomation(ctx, id);
}

export async function pauseAutomation(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:write');
  await ctx.deps.database.db.transaction(async (tx) => {
    const a = await loadAutomation(tx, ctx.orgId, id, true);
    if (a.status === 'draft')
      throw new AppError('CONFLICT', 'A draft automation is not running: nothing to pause');
    if (a.status === 'paused') return;
    await tx.execute(sql`update automations set status = 'paused', updated_at = now()
      where id = ${id} and org_id = ${ctx.orgId}`);
  });
  return getAutomation(ctx, id);
}

export async function listVersions(ctx: Ctx, id: string) {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  const a = await loadAutomation(db, ctx.orgId, id);
  const list = await rows<{
    version: number;
    created_at: Date;
    created_by: string | null;
    user_name: string | null;
    published_at: Date | null;
  }>(
    db,
    sql`select v.version, v.created_at, v.created_by, u.name as user_name, v.published_at
      from automation_versions v left join users u on u.id = v.created_by
      where v.org_id = ${ctx.orgId} and v.automation_id = ${id} order by v.version desc`,
  );
  return {
    items: list.map((v) => ({
      version: v.version,
      createdAt: iso(v.created_at)!,
      createdBy: v.created_by ? { id: v.created_by, name: v.user_name ?? '' } : null,
      publishedAt: iso(v.published_at),
      active: a.status !== 'draft' && a.active_version === v.version,
    })),
  };
}

export async function getVersion(ctx: Ctx, id: string, version: string) {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  await loadAutomation(db, ctx.orgId, id);
  const n = /^\d{1,9}$/.test(version) ? Number(version) : Number.NaN;
  const [v] = Number.isFinite(n)
    ? await rows<{ version: number; definition: WorkflowDefinition }>(
        db,
        sql`select version, definition from automation_versions
          where org_id = ${ctx.orgId} and automation_id = ${id} and version = ${n}`,
      )
    : [];
  if (!v) throw new AppError('NOT_FOUND', 'Version not found');
  return { version: v.version, definition: v.definition };
}

/** Enrols contacts by hand (ids or a segment) into an active automation, on its active version. */
export async function enrolContacts(
  ctx: Ctx,
  id: string,
  input: { contactIds?: string[]; segmentId?: string },
) {
  assertCan(ctx, 'automations:write');
  const db = ctx.deps.database.db;
  if (!input.contactIds === !input.segmentId)
    throw new AppError('VALIDATION_FAILED', 'Give exactly one of contactIds and segmentId');
  const a = await loadAutomation(db, ctx.orgId, id);
  if (a.status !== 'active' || a.active_version === null)
    throw new AppError('CONFLICT', `The automation is ${a.status}: activate it before enrolling contacts`);
  let where: SQL;
  let requested: number;
  if (input.contactIds) {
    const ids = [...new Set(input.contactIds)];
    requested = ids.length;
    where = sql`c.id = any(${pgArray(ids)}::uuid[])`;
  } else {
    const parts = await buildWhere(ctx, { segmentId: input.segmentId! });
    where = parts.length ? sql.join(parts, sql` and `) : sql`true`;
    requested = -1;
  }
  const source = sql`select c.id as contact_id, '{}'::jsonb as context, null::text as trigger_key
    from contacts c where c.org_id = ${ctx.orgId} and ${where}`;
  const result = await db.transaction(async (tx) => {
    const [locked] = await rows<{ status: string; active_version: number | null; name: string }>(
      tx,
      sql`select status, active_version, name from automations where org_id = ${ctx.orgId} and id = ${id} for share`,
    );
    if (!locked) throw new AppError('NOT_FOUND', 'Automation not found');
    if (locked.status !== 'active' || locked.active_version === null)
      throw new AppError(
        'CONFLICT',
        `The automation is ${locked.status}: activate it before enrolling contacts`,
      );
    if (requested < 0) {
      const [c] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from (${source}) s`);
      requested = c!.n;
    }
    const enrolled = await enrol(
      tx,
      { orgId: ctx.orgId, automationId: id, version: locked.active_version, name: locked.name },
      source,
    );
    return { enrolled, skipped: Math.max(0, requested - enrolled) };
  });
  ctx.deps.events?.kick();
  return result;
}
