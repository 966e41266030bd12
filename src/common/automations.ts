import { z } from 'zod';
import { FilterNode } from './filters.js';

/**
 * Automations: one validated workflow graph shared by the API, the visual builder and the AI
 * builder. A workflow is one trigger node, then steps joined by edges; branching steps have
 * labelled exits. Graphs are acyclic (every node runs at most once per run), so the step ledger
 * is unique per (run, node).
 */

export const AUTOMATION_STATUSES = ['draft', 'active', 'paused'] as const;
export type AutomationStatus = (typeof AUTOMATION_STATUSES)[number];

/** active: a step is due or running; waiting: parked until a time or an event. */
export const RUN_STATES = ['active', 'waiting', 'completed', 'exited', 'failed', 'canceled'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const OPEN_RUN_STATES: RunState[] = ['active', 'waiting'];

export const EMAIL_TRIGGER_TYPES = [
  'email.delivered',
  'email.opened',
  'email.clicked',
  'email.bounced',
  'email.complained',
  'email.unsubscribed',
] as const;
export type EmailTriggerType = (typeof EMAIL_TRIGGER_TYPES)[number];

const uuid = z.uuid();
/** A contact property as the filter language names it: `firstName`, `custom.<key>` … */
const fieldName = z.string().min(1).max(100);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');
const tagName = z.string().trim().min(1).max(100);
/** Name of a custom event sent to POST /api/v1/events. */
export const EventName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

export const Trigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('contact.created') }),
  z.object({
    type: z.literal('contact.updated'),
    /** Only when this field changes (any field when omitted). */
    field: fieldName.optional(),
    /** And only from / to this value (compared as text). */
    from: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    to: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  }),
  z.object({ type: z.literal('tag.added'), tag: tagName }),
  z.object({ type: z.literal('tag.removed'), tag: tagName }),
  z.object({ type: z.literal('segment.entered'), segmentId: uuid }),
  z.object({ type: z.literal('segment.left'), segmentId: uuid }),
  z.object({
    type: z.enum(EMAIL_TRIGGER_TYPES),
    campaignId: uuid.optional(),
    /** email.clicked only: the link's URL contains this text. */
    url: z.string().max(2000).optional(),
    /** Count privacy-proxy opens and scanner clicks too (human events only by default). */
    includeMachine: z.boolean().optional(),
  }),
  z.object({ type: z.literal('event'), name: EventName }),
  z.object({
    type: z.literal('date'),
    /** A date field: a custom field of type date (`custom.renewal`). */
    field: fieldName,
    /** Days relative to the date: -3 = three days before. */
    offsetDays: z.number().int().min(-365).max(365),
    /** Local time in the organisation's time zone. */
    time: hhmm,
  }),
  z.object({ type: z.literal('manual') }),
]);
export type Trigger = z.infer<typeof Trigger>;
export type TriggerType = Trigger['type'];
export const TRIGGER_TYPES = Trigger.options.flatMap((o) =>
  'options' in o.shape.type ? (o.shape.type.options as string[]) : [o.shape.type.value as string],
) as TriggerType[];

export const DURATION_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export const Duration = z.object({
  amount: z.number().min(0).max(100_000),
  unit: z.enum(['seconds', ...DURATION_UNITS]),
});
export type Duration = z.infer<typeof Duration>;
const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 } as const;
export const MAX_WAIT_SECONDS = 366 * 86_400;
export function durationSeconds(d: Duration): number {
  return Math.round(d.amount * UNIT_SECONDS[d.unit]);
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A condition on the run's trigger event (custom event properties, clicked URL …). */
export const PropertyRule = z.object({
  /** Dot path into the trigger event's data: `properties.plan`, `url`. */
  path: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w-]+(\.[\w-]+)*$/),
  op: z.enum(['eq', 'neq', 'contains', 'exists', 'not_exists', 'gt', 'lt']),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type PropertyRule = z.infer<typeof PropertyRule>;

/** What a "wait for an event" step waits for. */
export const WaitEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.enum(['email.opened', 'email.clicked']),
    campaignId: uuid.optional(),
    url: z.string().max(2000).optional(),
  }),
  z.object({ type: z.literal('event'), name: EventName }),
  z.object({ type: z.literal('tag.added'), tag: tagName }),
]);
export type WaitEvent = z.infer<typeof WaitEvent>;

const position = z.object({ x: z.number(), y: z.number() }).optional();
const nodeId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
const base = { id: nodeId, label: z.string().max(200).optional(), position };

export const WorkflowNode = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('trigger'), trigger: Trigger }),
  z.object({
    ...base,
    type: z.literal('condition'),
    /** All must hold: a contact filter (fields, tags, segments, email activity) and event rules. */
    filter: FilterNode.optional(),
    rules: z.array(PropertyRule).max(20).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('split'),
    branches: z
      .array(z.object({ label: z.string().trim().min(1).max(40), percent: z.number().int().min(0).max(100) }))
      .min(2)
      .max(5),
  }),
  z.object({ ...base, type: z.literal('send_email'), templateId: uuid, senderId: uuid.optional() }),
  z.object({ ...base, type: z.literal('add_tag'), tag: tagName }),
  z.object({ ...base, type: z.literal('remove_tag'), tag: tagName }),
  z.object({
    ...base,
    type: z.literal('update_field'),
    field: fieldName,
    value: z.union([z.string().max(5000), z.number(), z.boolean(), z.null()]),
  }),
  z.object({ ...base, type: z.literal('wait'), duration: Duration }),
  z.object({
    ...base,
    type: z.literal('wait_until'),
    /** An instant (ISO 8601), or the next moment inside a weekly window (organisation's zone). */
    at: z.iso.datetime({ offset: true }).optional(),
    window: z.object({ days: z.array(z.enum(WEEKDAYS)).min(1).max(7), from: hhmm, to: hhmm }).optional(),
  }),
  z.object({ ...base, type: z.literal('wait_event'), event: WaitEvent, timeout: Duration }),
  z.object({
    ...base,
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    /** Extra JSON merged into the body (the contact and run are always sent). */
    payload: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('notify'),
    /** A member of the organisation; the contact's owner when omitted. */
    userId: uuid.optional(),
    message: z.string().trim().min(1).max(1000),
  }),
  z.object({ ...base, type: z.literal('note'), body: z.string().trim().min(1).max(10_000) }),
  z.object({ ...base, type: z.literal('exit') }),
]);
export type WorkflowNode = z.infer<typeof WorkflowNode>;
export type NodeType = WorkflowNode['type'];
export type NodeOf<T extends NodeType> = Extract<WorkflowNode, { type: T }>;
export const NODE_TYPES = WorkflowNode.options.map((o) => o.shape.type.value) as NodeType[];

export const WorkflowEdge = z.object({
  from: nodeId,
  to: nodeId,
  /** The exit of a branching node (`yes`/`no`, `event`/`timeout`, a split label); else `next`. */
  exit: z.string().min(1).max(40).default('next'),
});
export type WorkflowEdge = z.infer<typeof WorkflowEdge>;

export const WorkflowSettings = z.object({
  /** May a contact go through again after an earlier run ended? */
  reentry: z.boolean().default(false),
  /** Runs end early ("goal reached") as soon as the contact matches this filter. */
  goal: FilterNode.nullable().optional(),
});

export const WorkflowDefinition = z.object({
  nodes: z.array(WorkflowNode).min(1).max(200),
  edges: z.array(WorkflowEdge).max(400),
  settings: WorkflowSettings.default({ reentry: false }),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/** The exits a node offers. */
export function nodeExits(node: WorkflowNode): string[] {
  switch (node.type) {
    case 'condition':
      return ['yes', 'no'];
    case 'split':
      return node.branches.map((b) => b.label);
    case 'wait_event':
      return ['event', 'timeout'];
    case 'exit':
      return [];
    default:
      return ['next'];
  }
}

export interface GraphIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Checks what the schema cannot: one trigger, unique ids, edges between existing nodes through
 * existing exits (each exit used once), nothing into the trigger, no cycle, every node reachable,
 * split percentages adding up to 100, a wait_until with exactly one of at/window, wait bounds.
 */
export function graphIssues(def: WorkflowDefinition): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const byId = new Map<string, WorkflowNode>();
  def.nodes.forEach((n, i) => {
    if (byId.has(n.id)) issues.push({ path: ['nodes', i, 'id'], message: `Duplicate node id ${n.id}` });
    byId.set(n.id, n);
  });
  const triggers = def.nodes.filter((n) => n.type === 'trigger');
  if (triggers.length !== 1) issues.push({ path: ['nodes'], message: 'A workflow has exactly one trigger' });
  def.nodes.forEach((n, i) => {
    if (n.type === 'split') {
      const sum = n.branches.reduce((s, b) => s + b.percent, 0);
      if (sum !== 100)
        issues.push({ path: ['nodes', i, 'branches'], message: `Percentages add up to ${sum}, not 100` });
      if (new Set(n.branches.map((b) => b.label)).size !== n.branches.length)
        issues.push({ path: ['nodes', i, 'branches'], message: 'Branch labels must differ' });
    }
    if (n.type === 'wait_until' && !n.at === !n.window)
      issues.push({ path: ['nodes', i], message: 'Give either a date and time or a weekly window' });
    if (n.type === 'wait_until' && n.window && n.window.from >= n.window.to)
      issues.push({ path: ['nodes', i, 'window'], message: 'The window must end after it starts' });
    if (
      n.type === 'wait' &&
      (durationSeconds(n.duration) < 1 || durationSeconds(n.duration) > MAX_WAIT_SECONDS)
    )
      issues.push({ path: ['nodes', i, 'duration'], message: 'Wait between 1 second and 366 days' });
    if (
      n.type === 'wait_event' &&
      (durationSeconds(n.timeout) < 1 || durationSeconds(n.timeout) > MAX_WAIT_SECONDS)
    )
      issues.push({ path: ['nodes', i, 'timeout'], message: 'Time out between 1 second and 366 days' });
    if (n.type === 'condition' && !n.filter && !n.rules?.length)
      issues.push({ path: ['nodes', i], message: 'A condition needs a filter or a rule' });
  });
  const out = new Map<string, string[]>();
  const used = new Set<string>();
  def.edges.forEach((e, i) => {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (!from) issues.push({ path: ['edges', i, 'from'], message: `No node ${e.from}` });
    if (!to) issues.push({ path: ['edges', i, 'to'], message: `No node ${e.to}` });
    if (!from || !to) return;
    if (to.type === 'trigger')
      issues.push({ path: ['edges', i, 'to'], message: 'Nothing leads into the trigger' });
    if (!nodeExits(from).includes(e.exit))
      issues.push({
        path: ['edges', i, 'exit'],
        message: `${from.label ?? from.id} has no exit "${e.exit}" (exits: ${nodeExits(from).join(', ') || 'none'})`,
      });
    const key = `${e.from}\u0000${e.exit}`;
    if (used.has(key))
      issues.push({ path: ['edges', i], message: `Exit "${e.exit}" of ${e.from} is connected twice` });
    used.add(key);
    out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  });
  // Cycles (DFS colouring) and reachability from the trigger.
  const colour = new Map<string, 1 | 2>();
  let cyclic = false;
  const visit = (id: string) => {
    colour.set(id, 1);
    for (const next of out.get(id) ?? []) {
      const c = colour.get(next);
      if (c === 1) cyclic = true;
      else if (!c) visit(next);
    }
    colour.set(id, 2);
  };
  if (triggers[0]) visit(triggers[0].id);
  for (const n of def.nodes) if (!colour.has(n.id)) visit(n.id);
  if (cyclic)
    issues.push({ path: ['edges'], message: 'The workflow loops back on itself; loops are not allowed' });
  if (triggers.length === 1 && !cyclic) {
    const seen = new Set<string>();
    const stack = [triggers[0]!.id];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(out.get(id) ?? []));
    }
    def.nodes.forEach((n, i) => {
      if (!seen.has(n.id))
        issues.push({ path: ['nodes', i], message: `${n.label ?? n.id} is not connected to the trigger` });
    });
  }
  return issues;
}

/** The node an exit of `from` leads to, if any. */
export function nextNode(def: WorkflowDefinition, from: string, exit = 'next'): string | undefined {
  return def.edges.find((e) => e.from === from && e.exit === exit)?.to;
}

export function triggerOf(def: WorkflowDefinition): Trigger {
  const t = def.nodes.find((n) => n.type === 'trigger');
  if (!t || t.type !== 'trigger') throw new Error('workflow without trigger');
  return t.trigger;
}

// ---- API shapes -------------------------------------------------------------------------------

export const AutomationCreateBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  definition: WorkflowDefinition,
});
export const AutomationUpdateBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  definition: WorkflowDefinition.optional(),
});

/** Custom event (`POST /api/v1/events`): the contact by id or email. */
export const CustomEventBody = z.object({
  contact: z.union([z.object({ id: uuid }), z.object({ email: z.email().max(320) })]),
  name: EventName,
  properties: z.record(z.string(), z.unknown()).default({}),
});

function plural(n: number, unit: string) {
  const u = n === 1 ? unit.replace(/s$/, '') : unit;
  return `${n} ${u}`;
}
export function describeDuration(d: Duration): string {
  return plural(d.amount, d.unit);
}

/** Names the builder and the server know for ids (templates, segments, members). */
export interface NameLookup {
  templates?: Record<string, string>;
  segments?: Record<string, string>;
  campaigns?: Record<string, string>;
  members?: Record<string, string>;
}

export function describeTrigger(t: Trigger, names: NameLookup = {}): string {
  switch (t.type) {
    case 'contact.created':
      return 'When a contact is created';
    case 'contact.updated':
      return t.field
        ? `When ${t.field} changes${t.from !== undefined ? ` from "${t.from}"` : ''}${t.to !== undefined ? ` to "${t.to}"` : ''}`
        : 'When a contact is updated';
    case 'tag.added':
      return `When tag "${t.tag}" is added`;
    case 'tag.removed':
      return `When tag "${t.tag}" is removed`;
    case 'segment.entered':
      return `When a contact enters segment ${names.segments?.[t.segmentId] ?? t.segmentId}`;
    case 'segment.left':
      return `When a contact leaves segment ${names.segments?.[t.segmentId] ?? t.segmentId}`;
    case 'event':
      return `When event "${t.name}" is received`;
    case 'date': {
      const when =
        t.offsetDays === 0
          ? 'on'
          : `${Math.abs(t.offsetDays)} day${Math.abs(t.offsetDays) === 1 ? '' : 's'} ${t.offsetDays < 0 ? 'before' : 'after'}`;
      return `${when[0]!.toUpperCase()}${when.slice(1)} ${t.field} at ${t.time}`;
    }
    case 'manual':
      return 'When contacts are enrolled by hand';
    default: {
      const verb = t.type.slice('email.'.length);
      const campaign = t.campaignId ? ` in campaign ${names.campaigns?.[t.campaignId] ?? t.campaignId}` : '';
      const url = 'url' in t && t.url ? ` (link containing "${t.url}")` : '';
      return `When an email is ${verb}${campaign}${url}`;
    }
  }
}

/** One line saying what a node does ("Add tag engaged", "Wait 1 day"). */
export function describeNode(node: WorkflowNode, names: NameLookup = {}): string {
  switch (node.type) {
    case 'trigger':
      return describeTrigger(node.trigger, names);
    case 'condition':
      return 'If the contact matches the condition';
    case 'split':
      return `Split ${node.branches.map((b) => `${b.label} ${b.percent}%`).join(' / ')}`;
    case 'send_email':
      return `Send email "${names.templates?.[node.templateId] ?? node.templateId}"`;
    case 'add_tag':
      return `Add tag "${node.tag}"`;
    case 'remove_tag':
      return `Remove tag "${node.tag}"`;
    case 'update_field':
      return `Set ${node.field} to "${node.value ?? ''}"`;
    case 'wait':
      return `Wait ${describeDuration(node.duration)}`;
    case 'wait_until':
      return node.at
        ? `Wait until ${node.at}`
        : `Wait until ${node.window!.days.join(', ')} ${node.window!.from}–${node.window!.to}`;
    case 'wait_event': {
      const e = node.event;
      const what =
        e.type === 'event'
          ? `event "${e.name}"`
          : e.type === 'tag.added'
            ? `tag "${e.tag}"`
            : e.type.slice(6);
      return `Wait for ${what}, at most ${describeDuration(node.timeout)}`;
    }
    case 'webhook':
      return `Call webhook ${node.url}`;
    case 'notify':
      return `Notify ${node.userId ? (names.members?.[node.userId] ?? 'a teammate') : "the contact's owner"}`;
    case 'note':
      return 'Add a note';
    case 'exit':
      return 'Exit';
  }
}
