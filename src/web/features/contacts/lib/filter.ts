import { SUBSCRIPTION_STATUS_LABELS } from '@common/contacts';
import type {
  EmailActivityEvent,
  FieldType,
  FilterCondition,
  FilterField,
  FilterNode,
  Operator,
} from '@common/filters';

/** The filter builder's editable model: groups of conditions, each row with a stable id. */
export interface DraftCondition {
  kind: 'condition';
  id: string;
  field: string;
  op: Operator | '';
  value: unknown;
}
export interface DraftGroup {
  kind: 'group';
  id: string;
  combinator: 'and' | 'or';
  children: Array<DraftCondition | DraftGroup>;
}

let seq = 0;
export const newId = () => `f${++seq}`;

export const emptyCondition = (): DraftCondition => ({
  kind: 'condition',
  id: newId(),
  field: '',
  op: '',
  value: undefined,
});
export const emptyGroup = (
  combinator: 'and' | 'or' = 'and',
  children?: DraftGroup['children'],
): DraftGroup => ({
  kind: 'group',
  id: newId(),
  combinator,
  children: children ?? [emptyCondition()],
});

export const OPERATOR_LABELS: Record<Operator, string> = {
  eq: 'is',
  neq: 'is not',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  between: 'is between',
  in: 'is any of',
  not_in: 'is none of',
  has_any: 'has any of',
  has_all: 'has all of',
  has_none: 'has none of',
  happened: 'has',
  not_happened: 'has not',
};

/** Date-like operators read better as before/after. */
export function operatorLabel(op: Operator, type: FieldType | undefined): string {
  if (type === 'date' || type === 'datetime') {
    if (op === 'gt') return 'is after';
    if (op === 'gte') return 'is on or after';
    if (op === 'lt') return 'is before';
    if (op === 'lte') return 'is on or before';
  }
  return OPERATOR_LABELS[op] ?? op;
}

export type ValueShape = 'none' | 'single' | 'pair' | 'list' | 'activity';

export function valueShape(op: Operator | ''): ValueShape {
  if (op === '' || op === 'is_empty' || op === 'is_not_empty') return 'none';
  if (op === 'happened' || op === 'not_happened') return 'activity';
  if (op === 'between') return 'pair';
  if (op === 'in' || op === 'not_in' || op === 'has_any' || op === 'has_all' || op === 'has_none')
    return 'list';
  return 'single';
}

const filled = (v: unknown) =>
  v !== undefined && v !== null && v !== '' && !(typeof v === 'number' && Number.isNaN(v));

export function isComplete(c: DraftCondition): boolean {
  if (!c.field || !c.op) return false;
  const shape = valueShape(c.op);
  if (shape === 'none') return true;
  if (shape === 'pair') return Array.isArray(c.value) && c.value.length === 2 && c.value.every(filled);
  if (shape === 'list') return Array.isArray(c.value) && c.value.length > 0;
  if (shape === 'activity') return Boolean(activityValue(c.value).event);
  return filled(c.value);
}

/** The API filter for the complete conditions of a draft (undefined when there are none). */
export function toFilterNode(group: DraftGroup): FilterNode | undefined {
  const children: FilterNode[] = [];
  for (const child of group.children) {
    if (child.kind === 'group') {
      const node = toFilterNode(child);
      if (node) children.push(node);
    } else if (isComplete(child)) {
      const condition: FilterCondition = { field: child.field, op: child.op as Operator };
      const shape = valueShape(child.op);
      if (shape === 'activity') condition.value = activityValue(child.value);
      else if (shape !== 'none') condition.value = child.value;
      children.push(condition);
    }
  }
  if (children.length === 0) return undefined;
  return group.combinator === 'and' ? { and: children } : { or: children };
}

/** A draft for an existing filter (e.g. from the URL), so it can be edited. */
export function fromFilterNode(node: FilterNode | undefined): DraftGroup {
  if (!node) return emptyGroup();
  const convert = (n: FilterNode, depth: number): DraftCondition | DraftGroup => {
    if ('and' in n || 'or' in n) {
      const combinator = 'and' in n ? 'and' : 'or';
      const list = 'and' in n ? n.and : n.or;
      return {
        kind: 'group',
        id: newId(),
        combinator,
        children: list.map((c) => convert(c, depth + 1)),
      };
    }
    return { kind: 'condition', id: newId(), field: n.field, op: n.op, value: n.value };
  };
  const root = convert(node, 0);
  return root.kind === 'group' ? root : emptyGroup('and', [root]);
}

export function countConditions(node: FilterNode | undefined): number {
  if (!node) return 0;
  if ('and' in node) return node.and.reduce((n, c) => n + countConditions(c), 0);
  if ('or' in node) return node.or.reduce((n, c) => n + countConditions(c), 0);
  return 1;
}

/** Immutable update of the node with `id` anywhere in the tree. */
export function updateNode(
  group: DraftGroup,
  id: string,
  fn: (node: DraftCondition | DraftGroup) => DraftCondition | DraftGroup | null,
): DraftGroup {
  const children: DraftGroup['children'] = [];
  for (const child of group.children) {
    if (child.id === id) {
      const next = fn(child);
      if (next) children.push(next);
    } else if (child.kind === 'group') {
      const next = updateNode(child, id, fn);
      // A sub-group left without conditions goes away.
      if (next.children.length > 0) children.push(next);
    } else {
      children.push(child);
    }
  }
  return { ...group, children };
}

/** The value of an email activity condition, read loosely (a draft may be half filled). */
export interface ActivityDraft {
  event?: EmailActivityEvent;
  campaignId?: string;
  withinDays?: number;
}
export function activityValue(v: unknown): ActivityDraft {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const o = v as Record<string, unknown>;
  return {
    ...(typeof o.event === 'string' ? { event: o.event as EmailActivityEvent } : {}),
    ...(typeof o.campaignId === 'string' && o.campaignId ? { campaignId: o.campaignId } : {}),
    ...(typeof o.withinDays === 'number' && Number.isFinite(o.withinDays)
      ? { withinDays: o.withinDays }
      : {}),
  };
}

export const ACTIVITY_EVENT_LABELS: Record<EmailActivityEvent, string> = {
  opened: 'opened',
  clicked: 'clicked a link in',
  sent: 'was sent',
  delivered: 'had delivered',
  bounced: 'bounced on',
};
const ACTIVITY_NEGATED: Record<EmailActivityEvent, string> = {
  opened: 'has not opened',
  clicked: 'has not clicked a link in',
  sent: 'was not sent',
  delivered: 'had not delivered',
  bounced: 'did not bounce on',
};

/** "Opened “Spring sale” in the last 30 days", "Has not opened any campaign". */
export function describeActivity(
  op: Operator,
  value: unknown,
  campaignName: (id: string) => string = () => 'a campaign',
): string {
  const v = activityValue(value);
  const event = v.event ?? 'opened';
  const phrase = op === 'not_happened' ? ACTIVITY_NEGATED[event] : ACTIVITY_EVENT_LABELS[event];
  const target = v.campaignId ? `“${campaignName(v.campaignId)}”` : 'any email';
  const days = v.withinDays ? ` in the last ${v.withinDays} day${v.withinDays === 1 ? '' : 's'}` : '';
  const text = `${phrase} ${target}${days}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How an option of a select field reads (subscription statuses have labels). */
export function optionLabel(def: Pick<FilterField, 'field'> | undefined, value: string): string {
  if (def?.field === 'subscriptionStatus' && Object.hasOwn(SUBSCRIPTION_STATUS_LABELS, value))
    return SUBSCRIPTION_STATUS_LABELS[value as keyof typeof SUBSCRIPTION_STATUS_LABELS];
  return value;
}

/** A short text for one condition, e.g. "Tags has any of VIP, Lead". */
export function describeCondition(
  c: FilterCondition,
  fields: FilterField[],
  memberName: (id: string) => string,
  campaignName?: (id: string) => string,
): string {
  const def = fields.find((f) => f.field === c.field);
  if (def?.type === 'email_activity' || c.op === 'happened' || c.op === 'not_happened')
    return describeActivity(c.op, c.value, campaignName);
  const label = def?.label ?? c.field;
  const op = operatorLabel(c.op, def?.type);
  const fmt = (v: unknown): string => {
    if (def?.type === 'member' && typeof v === 'string') return memberName(v);
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v === 'string' && (def?.type === 'single_select' || def?.type === 'multi_select'))
      return optionLabel(def, v);
    if (def?.type === 'datetime' && typeof v === 'string') {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? v : d.toLocaleDateString();
    }
    return String(v);
  };
  const shape = valueShape(c.op);
  if (shape === 'none') return `${label} ${op}`;
  if (shape === 'pair' && Array.isArray(c.value))
    return `${label} ${op} ${fmt(c.value[0])} and ${fmt(c.value[1])}`;
  if (Array.isArray(c.value)) return `${label} ${op} ${c.value.map(fmt).join(', ')}`;
  return `${label} ${op} ${fmt(c.value)}`;
}

/** Top-level conditions for the summary chips (nested groups count as one "group" chip). */
export function summarize(
  node: FilterNode | undefined,
  fields: FilterField[],
  memberName: (id: string) => string,
  campaignName?: (id: string) => string,
): string[] {
  if (!node) return [];
  if ('and' in node || 'or' in node) {
    const list = 'and' in node ? node.and : node.or;
    const join = 'and' in node ? '' : 'or ';
    return list.map((child, i) => {
      const prefix = i > 0 ? join : '';
      if ('and' in child || 'or' in child) {
        const inner = 'and' in child ? child.and : child.or;
        const only = inner.length === 1 ? inner[0] : undefined;
        if (only && !('and' in only) && !('or' in only))
          return `${prefix}${describeCondition(only, fields, memberName, campaignName)}`;
        return `${prefix}(${'and' in child ? 'all' : 'any'} of ${countConditions(child)} conditions)`;
      }
      return `${prefix}${describeCondition(child, fields, memberName, campaignName)}`;
    });
  }
  return [describeCondition(node, fields, memberName, campaignName)];
}

/** Whether two filters select the same conditions, however they are nested or were written. */
export function sameFilter(a: FilterNode | undefined, b: FilterNode | undefined): boolean {
  const normal = (n: FilterNode | undefined) => JSON.stringify(toFilterNode(fromFilterNode(n)) ?? null);
  return normal(a) === normal(b);
}
