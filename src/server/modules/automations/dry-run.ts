import { sql } from 'drizzle-orm';
import {
  describeNode,
  type NodeOf,
  nextNode,
  type WorkflowDefinition,
  type WorkflowNode,
} from '../../../common/automations.js';
import { assertCan, type Ctx } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { rows } from '../../lib/sql.js';
import { exclusionReason } from '../campaigns/audience.js';
import { buildWhere } from '../contacts/contacts.query.js';
import { nameLookup } from './automations.service.js';
import { evaluateCondition, pickSplit, type RunContext } from './engine.js';

/**
 * Dry run: the path one contact would take through an automation (its active version, else the
 * latest), with the actions that would happen, without writing anything. Conditions are
 * evaluated for real against the contact (and the given trigger event), splits take a
 * deterministic branch per contact, waits are listed, a wait for an event takes its timeout
 * exit unless the given event is the one it waits for.
 */

export interface DryRunStep {
  nodeId: string;
  type: WorkflowNode['type'];
  label?: string;
  summary: string;
  outcome?: string;
  note?: string;
}
export interface DryRun {
  steps: DryRunStep[];
  end: 'completed' | 'exit' | 'goal' | 'not_enrolled';
  reason?: string;
}

const SKIP_NOTES: Record<string, string> = {
  no_email: 'no email',
  restricted: 'restricted',
  suppressed: 'suppressed',
  complained: 'complained',
  bounced: 'bounced',
  unsubscribed: 'unsubscribed',
  not_subscribed: 'not subscribed',
};

/** Does the given event end a "wait for an event" step? */
function waitedEventMatches(node: NodeOf<'wait_event'>, event: RunContext['event']): boolean {
  if (!event) return false;
  const w = node.event;
  const data = event.data ?? {};
  if (w.type === 'event')
    return (event.type === 'event.custom' || event.type === 'event') && data.name === w.name;
  if (w.type === 'tag.added') {
    if (event.type !== 'tag.added') return false;
    const tags = Array.isArray(data.tags) ? (data.tags as unknown[]) : [data.tag];
    return tags.some((t) => typeof t === 'string' && t.toLowerCase() === w.tag.toLowerCase());
  }
  if (event.type !== w.type) return false;
  if (w.campaignId && data.campaignId !== w.campaignId) return false;
  if (w.url && !(typeof data.url === 'string' && data.url.includes(w.url))) return false;
  return true;
}

export async function dryRun(
  ctx: Ctx,
  automationId: string,
  input: { contactId: string; event?: { type: string; data: Record<string, unknown> } },
): Promise<DryRun> {
  assertCan(ctx, 'automations:read');
  const db = ctx.deps.database.db;
  const [a] = await rows<{ id: string; definition: WorkflowDefinition; version: number }>(
    db,
    sql`select a.id, v.definition, v.version from automations a
      join automation_versions v on v.automation_id = a.id and v.version = coalesce(a.active_version, a.latest_version)
      where a.org_id = ${ctx.orgId} and a.id = ${automationId}`,
  );
  if (!a) throw new AppError('NOT_FOUND', 'Automation not found');
  const [contact] = await rows<{
    id: string;
    restricted: boolean;
    skip: string | null;
    open_run: boolean;
    earlier_run: boolean;
  }>(
    db,
    sql`select c.id, c.restricted, ${exclusionReason} as skip,
        exists (select 1 from automation_runs r where r.automation_id = ${automationId} and r.contact_id = c.id
          and r.state in ('active', 'waiting')) as open_run,
        exists (select 1 from automation_runs r where r.automation_id = ${automationId} and r.contact_id = c.id)
          as earlier_run
      from contacts c where c.org_id = ${ctx.orgId} and c.id = ${input.contactId}`,
  );
  if (!contact) throw new AppError('NOT_FOUND', 'Contact not found');

  const def = a.definition;
  const names = await nameLookup(db, ctx.orgId, def.nodes);
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const trigger = def.nodes.find((n) => n.type === 'trigger');
  if (!trigger) return { steps: [], end: 'not_enrolled', reason: 'The workflow has no trigger' };
  const step = (n: WorkflowNode, extra: Partial<DryRunStep> = {}): DryRunStep => ({
    nodeId: n.id,
    type: n.type,
    ...(n.label ? { label: n.label } : {}),
    summary: describeNode(n, names),
    ...extra,
  });
  const steps: DryRunStep[] = [step(trigger)];

  if (contact.restricted)
    return {
      steps,
      end: 'not_enrolled',
      reason: 'The contact is restricted (processing restricted on request): automations never enrol it',
    };
  if (contact.open_run)
    return { steps, end: 'not_enrolled', reason: 'The contact is already in a run of this automation' };
  if (contact.earlier_run && !def.settings?.reentry)
    return {
      steps,
      end: 'not_enrolled',
      reason: 'The contact went through this automation before and re-entry is off',
    };
  if (def.settings?.goal) {
    const where = await buildWhere(ctx, { filter: def.settings.goal });
    const [hit] = await rows(
      db,
      sql`select 1 from contacts c where c.org_id = ${ctx.orgId} and c.id = ${contact.id}
        ${where.length ? sql`and ${sql.join(where, sql` and `)}` : sql``}`,
    );
    if (hit) return { steps, end: 'goal', reason: 'The contact already meets the goal' };
  }

  const context: RunContext = input.event ? { event: input.event } : {};
  const seen = new Set<string>([trigger.id]);
  let at = nextNode(def, trigger.id);
  while (at) {
    const node = byId.get(at);
    if (!node || seen.has(at)) break;
    seen.add(at);
    let outcome: string | undefined;
    let note: string | undefined;
    switch (node.type) {
      case 'condition':
        outcome = (await evaluateCondition(db, ctx, contact.id, node, context)) ? 'yes' : 'no';
        break;
      case 'split':
        outcome = pickSplit(`dry-${contact.id}`, node);
        break;
      case 'wait_event':
        outcome = waitedEventMatches(node, context.event) ? 'event' : 'timeout';
        if (outcome === 'timeout') note = 'Follows the timeout: no matching event was given';
        break;
      case 'send_email':
        if (contact.skip) note = `Would be skipped: ${SKIP_NOTES[contact.skip] ?? contact.skip}`;
        else if (!names.templates?.[node.templateId]) note = 'The template does not exist';
        break;
      case 'exit':
        steps.push(step(node));
        return { steps, end: 'exit' };
    }
    steps.push(step(node, { ...(outcome ? { outcome } : {}), ...(note ? { note } : {}) }));
    at = nextNode(def, node.id, outcome ?? 'next');
  }
  return { steps, end: 'completed' };
}
