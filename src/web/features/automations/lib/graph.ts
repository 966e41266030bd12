import {
  type GraphIssue,
  graphIssues,
  nodeExits,
  type WorkflowDefinition,
  WorkflowDefinition as WorkflowDefinitionSchema,
  type WorkflowNode,
} from '@common/automations';

export const NODE_WIDTH = 260;
const GAP_X = 60;
const GAP_Y = 150;

/**
 * Positions for nodes without one: top to bottom by distance from the trigger, each exit of a
 * branching node to its own column. Nodes that have a position keep it.
 */
export function autoLayout(def: WorkflowDefinition): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const e of def.edges) {
    const from = byId.get(e.from);
    if (!from || !byId.has(e.to)) continue;
    const exits = nodeExits(from);
    const list = children.get(e.from) ?? [];
    list.push(e.to);
    // Children in exit order (yes before no, A before B).
    list.sort(
      (a, b) =>
        exits.indexOf(def.edges.find((x) => x.from === e.from && x.to === a)?.exit ?? '') -
        exits.indexOf(def.edges.find((x) => x.from === e.from && x.to === b)?.exit ?? ''),
    );
    children.set(e.from, list);
  }
  // Depth = longest path from the trigger (so joins sit below both branches).
  const depth = new Map<string, number>();
  const trigger = def.nodes.find((n) => n.type === 'trigger');
  const order: string[] = [];
  if (trigger) {
    const queue = [trigger.id];
    depth.set(trigger.id, 0);
    let guard = 0;
    while (queue.length && guard++ < 10_000) {
      const id = queue.shift()!;
      if (!order.includes(id)) order.push(id);
      for (const c of children.get(id) ?? []) {
        const d = (depth.get(id) ?? 0) + 1;
        if (d > (depth.get(c) ?? -1) && d < def.nodes.length + 1) {
          depth.set(c, d);
          queue.push(c);
        }
      }
    }
  }
  // Horizontal slot: a child inherits its parent's x, siblings spread around it.
  const xOf = new Map<string, number>();
  if (trigger) xOf.set(trigger.id, 0);
  for (const id of order) {
    const kids = children.get(id) ?? [];
    const px = xOf.get(id) ?? 0;
    kids.forEach((k, i) => {
      if (!xOf.has(k)) xOf.set(k, px + (i - (kids.length - 1) / 2) * (NODE_WIDTH + GAP_X));
    });
  }
  // Unconnected nodes: a column to the right.
  let loose = 0;
  const maxX = Math.max(0, ...xOf.values());
  for (const n of def.nodes) {
    if (n.position) continue;
    if (depth.has(n.id)) {
      out[n.id] = { x: xOf.get(n.id) ?? 0, y: (depth.get(n.id) ?? 0) * GAP_Y };
    } else {
      out[n.id] = { x: maxX + NODE_WIDTH + GAP_X, y: loose++ * GAP_Y };
    }
  }
  return out;
}

export interface NodeIssue {
  nodeId: string | null;
  message: string;
}

/** Zod's message for a field, in words the panel can show ("Choose a template"). */
function fieldMessage(
  node: WorkflowNode | undefined,
  key: string | number | undefined,
  message: string,
): string {
  if (!node) return message;
  const empty: Record<string, string> = {
    templateId: 'Choose a template',
    tag: 'Name the tag',
    url: 'Give the webhook URL (http or https)',
    message: 'Write the message',
    body: 'Write the note',
    field: 'Choose a field',
    segmentId: 'Choose a segment',
    name: 'Name the event (letters, digits, _ . : -)',
    at: 'Pick a date and time',
  };
  if (typeof key === 'string' && empty[key]) return empty[key];
  return message;
}

/**
 * Everything wrong with a draft: the schema (empty template, bad URL …) and the graph rules
 * (graphIssues), each tied to the node it concerns when it concerns one.
 */
export function draftIssues(def: WorkflowDefinition): NodeIssue[] {
  const out: NodeIssue[] = [];
  const parsed = WorkflowDefinitionSchema.safeParse(def);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [kind, index, ...rest] = issue.path;
      if (kind === 'nodes' && typeof index === 'number') {
        const node = def.nodes[index];
        // The trigger's own fields sit one level deeper (trigger.tag …).
        const key = rest[0] === 'trigger' || rest[0] === 'event' ? rest[1] : rest[0];
        out.push({
          nodeId: node?.id ?? null,
          message: fieldMessage(node, typeof key === 'symbol' ? undefined : key, issue.message),
        });
      } else if (kind === 'edges' && typeof index === 'number') {
        out.push({ nodeId: def.edges[index]?.from ?? null, message: issue.message });
      } else {
        out.push({ nodeId: null, message: issue.message });
      }
    }
  }
  for (const issue of graphIssues(def)) out.push(toNodeIssue(def, issue));
  // One message per node and text.
  const seen = new Set<string>();
  return out.filter((i) => {
    const k = `${i.nodeId}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A graph issue (client's or server's) tied to its node. */
export function toNodeIssue(def: WorkflowDefinition, issue: GraphIssue): NodeIssue {
  const [kind, index] = issue.path;
  if (kind === 'nodes' && typeof index === 'number')
    return { nodeId: def.nodes[index]?.id ?? null, message: issue.message };
  if (kind === 'edges' && typeof index === 'number')
    return { nodeId: def.edges[index]?.from ?? null, message: issue.message };
  return { nodeId: null, message: issue.message };
}

/** Whether the schema accepts the draft (the server refuses to save it otherwise). */
export function schemaValid(def: WorkflowDefinition): boolean {
  return WorkflowDefinitionSchema.safeParse(def).success;
}

/** The definition without positions, to tell a graph change from a node moved. */
export function sameDefinition(a: WorkflowDefinition, b: WorkflowDefinition): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
