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
const GAP_Y = 190;

/**
 * Positions for nodes without one: a tidy tree from the trigger, top to bottom, each exit of a
 * branching node to its own column (children in exit order: yes before no, A before B), a join
 * below the deepest of its parents. Nodes that have a position keep it.
 */
export function autoLayout(def: WorkflowDefinition): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const n of def.nodes) {
    const exits = nodeExits(n);
    const kids = def.edges
      .filter((e) => e.from === n.id && byId.has(e.to))
      .sort((a, b) => exits.indexOf(a.exit) - exits.indexOf(b.exit))
      .map((e) => e.to);
    children.set(n.id, kids);
  }
  const trigger = def.nodes.find((n) => n.type === 'trigger');
  // Depth: longest path from the trigger (bounded, in case of a cycle).
  const depth = new Map<string, number>();
  if (trigger) {
    depth.set(trigger.id, 0);
    const queue = [trigger.id];
    let guard = 0;
    while (queue.length && guard++ < 20_000) {
      const id = queue.shift()!;
      for (const c of children.get(id) ?? []) {
        const d = (depth.get(id) ?? 0) + 1;
        if (d > (depth.get(c) ?? -1) && d <= def.nodes.length) {
          depth.set(c, d);
          queue.push(c);
        }
      }
    }
  }
  // Each node belongs to the first parent that reaches it (a spanning tree); widths in columns.
  const owner = new Map<string, string>();
  const treeKids = new Map<string, string[]>();
  const visit = (id: string) => {
    const kids: string[] = [];
    for (const c of children.get(id) ?? []) {
      if (c === trigger?.id || owner.has(c)) continue;
      owner.set(c, id);
      kids.push(c);
    }
    treeKids.set(id, kids);
    for (const k of kids) visit(k);
  };
  const width = new Map<string, number>();
  const measure = (id: string): number => {
    const kids = treeKids.get(id) ?? [];
    const w = Math.max(
      1,
      kids.reduce((s, k) => s + measure(k), 0),
    );
    width.set(id, w);
    return w;
  };
  const col = new Map<string, number>();
  const place = (id: string, left: number) => {
    col.set(id, left + (width.get(id)! - 1) / 2);
    let x = left;
    for (const k of treeKids.get(id) ?? []) {
      place(k, x);
      x += width.get(k)!;
    }
  };
  if (trigger) {
    owner.set(trigger.id, '');
    visit(trigger.id);
    measure(trigger.id);
    place(trigger.id, 0);
  }
  const center = trigger ? (col.get(trigger.id) ?? 0) : 0;
  const step = NODE_WIDTH + GAP_X;
  let loose = 0;
  const maxCol = Math.max(0, ...col.values());
  for (const n of def.nodes) {
    if (n.position) continue;
    if (col.has(n.id)) {
      out[n.id] = { x: Math.round((col.get(n.id)! - center) * step), y: (depth.get(n.id) ?? 0) * GAP_Y };
    } else {
      // Not reachable from the trigger: a column to the right.
      out[n.id] = { x: Math.round((maxCol + 1 - center) * step), y: loose++ * GAP_Y };
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
