import { TZDate } from '@date-fns/tz';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Trigger, WaitEvent } from '../../../common/automations.js';
import type { StoredContactEvent } from '../../../common/events.js';
import { clock } from '../../lib/clock.js';
import { defineSubscriber } from '../../lib/events.js';
import { defineJob, type JobDeps } from '../../lib/jobs.js';
import { pgArray, rows } from '../../lib/sql.js';
import { buildWhere } from '../contacts/contacts.query.js';
import { automationCtx, enqueueRuns, enrol, STEP_QUEUE } from './engine.js';

/**
 * Triggers: contact and email events from the event bus enrol contacts (set-based: one statement
 * per workflow per delivered batch of up to 1,000 events) and end "wait for an event" steps;
 * periodic jobs diff segment membership and fire date triggers.
 */

interface ActiveAutomation {
  id: string;
  org_id: string;
  name: string;
  active_version: number;
  trigger: Trigger;
}

const EVENT_TRIGGERS: Record<string, Trigger['type'][]> = {
  'contact.created': ['contact.created'],
  'contact.updated': ['contact.updated'],
  'tag.added': ['tag.added'],
  'tag.removed': ['tag.removed'],
  'email.delivered': ['email.delivered'],
  'email.opened': ['email.opened'],
  'email.clicked': ['email.clicked'],
  'email.bounced': ['email.bounced'],
  'email.complained': ['email.complained'],
  'email.unsubscribed': ['email.unsubscribed'],
  'event.custom': ['event'],
};

const same = (a: unknown, b: unknown) => String(a ?? '') === String(b ?? '');
const lower = (s: string) => s.trim().toLowerCase();

/** Does the event fire this trigger? */
export function triggerMatches(t: Trigger, e: StoredContactEvent): boolean {
  const d = e.data as Record<string, unknown>;
  switch (t.type) {
    case 'contact.created':
      return e.type === 'contact.created';
    case 'contact.updated': {
      if (e.type !== 'contact.updated') return false;
      const changes = (d.changes as Array<{ field: string; before: unknown; after: unknown }>) ?? [];
      if (!t.field) return changes.length > 0;
      return changes.some(
        (c) =>
          c.field === t.field &&
          (t.from === undefined || same(c.before, t.from)) &&
          (t.to === undefined || same(c.after, t.to)),
      );
    }
    case 'tag.added':
    case 'tag.removed':
      return e.type === t.type && ((d.tags as string[]) ?? []).some((x) => lower(x) === lower(t.tag));
    case 'event':
      return e.type === 'event.custom' && d.name === t.name;
    case 'segment.entered':
    case 'segment.left':
    case 'date':
    case 'manual':
      return false;
    default:
      if (e.type !== t.type) return false;
      if (d.machine && !t.includeMachine) return false;
      if (t.campaignId && d.campaignId !== t.campaignId) return false;
      if ('url' in t && t.url && !String(d.url ?? '').includes(t.url)) return false;
      return true;
  }
}

export function waitMatches(w: WaitEvent, e: StoredContactEvent): boolean {
  const d = e.data as Record<string, unknown>;
  switch (w.type) {
    case 'event':
      return e.type === 'event.custom' && d.name === w.name;
    case 'tag.added':
      return e.type === 'tag.added' && ((d.tags as string[]) ?? []).some((x) => lower(x) === lower(w.tag));
    default:
      if (e.type !== w.type || d.machine) return false;
      if (w.campaignId && d.campaignId !== w.campaignId) return false;
      if (w.url && !String(d.url ?? '').includes(w.url)) return false;
      return true;
  }
}

/** Imports started with "do not trigger automations" (their events enrol nobody). */
async function silentImports(deps: JobDeps, events: StoredContactEvent[]): Promise<Set<string>> {
  const ids = [
    ...new Set(events.map((e) => (e.data as { importId?: string }).importId).filter((x): x is string => !!x)),
  ];
  if (ids.length === 0) return new Set();
  const found = await rows<{ id: string }>(
    deps.database.db,
    sql`select id from imports where id = any(${pgArray(ids)}::uuid[])
      and coalesce(options ->> 'triggerAutomations', 'true') = 'false'`,
  );
  return new Set(found.map((f) => f.id));
}

export const triggerSubscriber = defineSubscriber({
  name: 'automations.trigger',
  types: Object.keys(EVENT_TRIGGERS) as StoredContactEvent['type'][],
  async handler(all, deps) {
    const silent = await silentImports(deps, all);
    const byOrg = new Map<string, StoredContactEvent[]>();
    for (const e of all) byOrg.set(e.orgId, [...(byOrg.get(e.orgId) ?? []), e]);
    for (const [orgId, events] of byOrg) {
      await resumeWaits(deps, orgId, events);
      const types = [...new Set(events.flatMap((e) => EVENT_TRIGGERS[e.type] ?? []))];
      const autos = await rows<ActiveAutomation>(
        deps.database.db,
        sql`select id, org_id, name, active_version, trigger from automations
          where org_id = ${orgId} and status = 'active' and trigger_type = any(${pgArray(types)}::text[])`,
      );
      let enrolled = 0;
      for (const a of autos) {
        const hits = events.filter(
          (e) =>
            triggerMatches(a.trigger, e) &&
            !silent.has((e.data as { importId?: string }).importId ?? '') &&
            // A workflow's own changes do not enrol contacts in itself again.
            !(e.actor.type === 'automation' && e.actor.id === a.id),
        );
        if (hits.length === 0) continue;
        const payload = JSON.stringify(
          hits.map((e) => ({
            c: e.contactId,
            k: `event:${e.id}`,
            x: { event: { type: e.type, data: e.data, id: e.id } },
          })),
        );
        enrolled += await deps.database.db.transaction(async (tx) =>
          enrol(
            tx,
            { orgId, automationId: a.id, version: a.active_version, name: a.name },
            sql`select (v ->> 'c')::uuid as contact_id, v -> 'x' as context, v ->> 'k' as trigger_key
              from jsonb_array_elements(${payload}::jsonb) v`,
          ),
        );
      }
      if (enrolled) deps.jobs?.wake(STEP_QUEUE);
    }
  },
});

/** Ends "wait for an event" steps whose event arrived. */
async function resumeWaits(deps: JobDeps, orgId: string, events: StoredContactEvent[]) {
  const relevant = events.filter((e) =>
    ['email.opened', 'email.clicked', 'event.custom', 'tag.added'].includes(e.type),
  );
  if (relevant.length === 0) return;
  const contactIds = [...new Set(relevant.map((e) => e.contactId))];
  const waiting = await rows<{ id: string; contact_id: string; waiting_for: WaitEvent }>(
    deps.database.db,
    sql`select id, contact_id, waiting_for from automation_runs
      where org_id = ${orgId} and state = 'waiting' and waiting_for is not null
        and contact_id = any(${pgArray(contactIds)}::uuid[])`,
  );
  const matched: Array<{ id: string; m: { type: string; data: unknown } }> = [];
  for (const r of waiting) {
    const e = relevant.find((x) => x.contactId === r.contact_id && waitMatches(r.waiting_for, x));
    if (e) matched.push({ id: r.id, m: { type: e.type, data: e.data } });
  }
  if (matched.length === 0) return;
  await deps.database.db.transaction(async (tx) => {
    const payload = JSON.stringify(matched);
    await tx.execute(sql`update automation_runs r set waiting_for = r.waiting_for || jsonb_build_object('matched', v.value -> 'm'),
        updated_at = now()
      from jsonb_array_elements(${payload}::jsonb) v
      where r.id = (v.value ->> 'id')::uuid and r.state = 'waiting' and r.waiting_for is not null
        and not (r.waiting_for ? 'matched')`);
    await enqueueRuns(tx, sql`select (v ->> 'id')::uuid from jsonb_array_elements(${payload}::jsonb) v`);
  });
  deps.jobs?.wake(STEP_QUEUE);
}

// ---- segments ---------------------------------------------------------------------------------

/** Diffs the members of segments watched by active workflows; enrols who entered (or left). */
export async function checkSegments(deps: JobDeps): Promise<number> {
  const autos = await rows<ActiveAutomation>(
    deps.database.db,
    sql`select id, org_id, name, active_version, trigger from automations
      where status = 'active' and trigger_type in ('segment.entered', 'segment.left')`,
  );
  let total = 0;
  for (const a of autos) {
    const t = a.trigger as Extract<Trigger, { segmentId: string }>;
    const ctx = automationCtx(
      {
        config: deps.config,
        database: deps.database,
        jobs: deps.jobs!,
        keys: deps.keys,
        events: deps.events,
      },
      a.org_id,
      a.id,
    );
    let where: ReturnType<typeof sql>[];
    try {
      where = await buildWhere(ctx, { segmentId: t.segmentId });
    } catch {
      continue; // the segment was deleted: nothing to watch
    }
    const cond = where.length ? sql` and ${sql.join(where, sql` and `)}` : sql``;
    const stamp = clock.now().toISOString();
    total += await deps.database.db.transaction(async (tx) => {
      const entered = sql`select c.id from contacts c where c.org_id = ${a.org_id} ${cond}
        and not exists (select 1 from automation_segment_members m where m.automation_id = ${a.id} and m.contact_id = c.id)`;
      const left = sql`select m.contact_id as id from automation_segment_members m where m.automation_id = ${a.id}
        and not exists (select 1 from contacts c where c.id = m.contact_id and c.org_id = ${a.org_id} ${cond})`;
      const changed = await rows<{ id: string; entered: boolean }>(
        tx,
        sql`select id, true as entered from (${entered}) e union all select id, false from (${left}) l`,
      );
      if (changed.length === 0) return 0;
      const inIds = changed.filter((c) => c.entered).map((c) => c.id);
      const outIds = changed.filter((c) => !c.entered).map((c) => c.id);
      if (inIds.length)
        await tx.execute(sql`insert into automation_segment_members (automation_id, org_id, contact_id)
          select ${a.id}, ${a.org_id}, unnest(${pgArray(inIds)}::uuid[]) on conflict do nothing`);
      if (outIds.length)
        await tx.execute(sql`delete from automation_segment_members where automation_id = ${a.id}
          and contact_id = any(${pgArray(outIds)}::uuid[])`);
      const fire = t.type === 'segment.entered' ? inIds : outIds;
      if (fire.length === 0) return 0;
      return enrol(
        tx,
        { orgId: a.org_id, automationId: a.id, version: a.active_version, name: a.name },
        sql`select id as contact_id, jsonb_build_object('event', jsonb_build_object('type', ${t.type}::text,
            'data', jsonb_build_object('segmentId', ${t.segmentId}::text))) as context,
            ${`${t.type}:${stamp}`}::text || ':' || id as trigger_key
          from unnest(${pgArray(fire)}::uuid[]) as id`,
      );
    });
  }
  return total;
}

export const segmentsJob = defineJob({
  name: 'automations.segments',
  schema: z.object({}).passthrough(),
  cron: '* * * * *',
  queue: { retryLimit: 1, expireInSeconds: 300 },
  async handler(_data, deps) {
    await checkSegments(deps);
  },
});

// ---- dates ------------------------------------------------------------------------------------

/** Fires date triggers whose moment (date field + offset at a local time) has come today. */
export async function checkDates(deps: JobDeps): Promise<number> {
  const autos = await rows<ActiveAutomation & { time_zone: string | null }>(
    deps.database.db,
    sql`select a.id, a.org_id, a.name, a.active_version, a.trigger, s.time_zone from automations a
      left join email_settings s on s.org_id = a.org_id
      where a.status = 'active' and a.trigger_type = 'date'`,
  );
  let total = 0;
  const now = clock.now();
  for (const a of autos) {
    const t = a.trigger as Extract<Trigger, { type: 'date' }>;
    const tz = a.time_zone ?? 'UTC';
    const local = new TZDate(now.getTime(), tz);
    const [h, m] = t.time.split(':').map(Number) as [number, number];
    if (local.getHours() * 60 + local.getMinutes() < h * 60 + m) continue;
    // The field's date that fires today: today minus the offset (3 days before → today + 3).
    const d = new TZDate(
      local.getFullYear(),
      local.getMonth(),
      local.getDate() - t.offsetDays,
      12,
      0,
      0,
      0,
      tz,
    );
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const key = t.field.slice('custom.'.length);
    total += await deps.database.db.transaction((tx) =>
      enrol(
        tx,
        { orgId: a.org_id, automationId: a.id, version: a.active_version, name: a.name },
        sql`select c.id as contact_id, jsonb_build_object('event', jsonb_build_object('type', 'date',
            'data', jsonb_build_object('field', ${t.field}::text, 'date', ${day}::text))) as context,
            ${`date:${day}`}::text as trigger_key
          from contacts c where c.org_id = ${a.org_id} and left(c.custom ->> ${key}, 10) = ${day}`,
      ),
    );
  }
  return total;
}

export const datesJob = defineJob({
  name: 'automations.dates',
  schema: z.object({}).passthrough(),
  cron: '*/5 * * * *',
  queue: { retryLimit: 1, expireInSeconds: 300 },
  async handler(_data, deps) {
    await checkDates(deps);
  },
});
