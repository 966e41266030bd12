import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../../lib/db.js';

/**
 * The automations side of the contacts write path: timeline events of workflow runs
 * (`automation.enrolled`, `automation.step`, `automation.ended`), acted by the automation. They
 * are recorded without an outbox row: nothing subscribes to them, and a large run would double
 * the bus traffic (decision 011).
 */
export type AutomationTimelineType = 'automation.enrolled' | 'automation.step' | 'automation.ended';

/** One run event, in the caller's transaction. */
export async function recordAutomationTimeline(
  tx: Db,
  e: { orgId: string; contactId: string; automationId: string; type: AutomationTimelineType; data: object },
): Promise<void> {
  await tx.execute(sql`insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
    values (${e.orgId}, ${e.contactId}, ${e.type}, 'automation', ${e.automationId}::uuid, ${JSON.stringify(e.data)}::jsonb)`);
}

/**
 * A CTE (to put after `with …,`) recording one run event per row of CTE `source` (its
 * `contact_id` column), with `data` SQL over that row: set-based enrolment writes them in the
 * statement that creates the runs.
 */
export function automationTimelineFrom(
  name: string,
  o: { source: string; orgId: string; automationId: string; type: AutomationTimelineType; data: SQL },
): SQL {
  const src = sql.raw(o.source);
  return sql`${sql.raw(name)} as (
    insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
    select ${o.orgId}::uuid, ${src}.contact_id, ${o.type}, 'automation', ${o.automationId}::uuid, ${o.data}
    from ${src})`;
}

/** Run events of many contacts of one organisation and workflow, in one statement. */
export async function recordAutomationTimelineMany(
  tx: Db,
  e: {
    orgId: string;
    automationId: string;
    type: AutomationTimelineType;
    items: Array<{ contactId: string; data: object }>;
  },
): Promise<void> {
  if (e.items.length === 0) return;
  const payload = JSON.stringify(e.items.map((i) => ({ contact_id: i.contactId, data: i.data })));
  await tx.execute(sql`insert into contact_events (org_id, contact_id, type, actor_type, actor_id, data)
    select ${e.orgId}::uuid, t.contact_id, ${e.type}, 'automation', ${e.automationId}::uuid, t.data
    from jsonb_to_recordset(${payload}::jsonb) as t(contact_id uuid, data jsonb)`);
}
