import { z } from 'zod';

/**
 * The filter expression shared by the API, the UI and (later) campaigns and automations:
 * and/or groups of conditions. Fields: standard contact fields, `company.<field>`, `tags`,
 * and `custom.<key>` for custom fields.
 */
export const OPERATORS = [
  'eq',
  'neq',
  'contains',
  'not_contains',
  'starts_with',
  'is_empty',
  'is_not_empty',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'not_in',
  'has_any',
  'has_all',
  'has_none',
  'happened',
  'not_happened',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const FIELD_TYPES = [
  'text',
  'long_text',
  'number',
  'date',
  'boolean',
  'single_select',
  'multi_select',
  'url',
  'email',
  'phone',
  'tags',
  'member',
  'datetime',
  'email_activity',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Which operators fit each field type. */
export const OPERATORS_BY_TYPE: Record<FieldType, Operator[]> = {
  text: ['eq', 'neq', 'contains', 'not_contains', 'starts_with', 'is_empty', 'is_not_empty', 'in', 'not_in'],
  long_text: ['contains', 'not_contains', 'is_empty', 'is_not_empty'],
  url: ['eq', 'neq', 'contains', 'not_contains', 'starts_with', 'is_empty', 'is_not_empty'],
  email: ['eq', 'neq', 'contains', 'not_contains', 'starts_with', 'is_empty', 'is_not_empty', 'in', 'not_in'],
  phone: ['eq', 'neq', 'contains', 'starts_with', 'is_empty', 'is_not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty'],
  datetime: ['gt', 'gte', 'lt', 'lte', 'between'],
  boolean: ['eq', 'is_empty', 'is_not_empty'],
  single_select: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  multi_select: ['has_any', 'has_all', 'has_none', 'is_empty', 'is_not_empty'],
  tags: ['has_any', 'has_all', 'has_none', 'is_empty', 'is_not_empty'],
  member: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  email_activity: ['happened', 'not_happened'],
};

/**
 * Email activity conditions, one more field of the same language (so groups, segments, URLs and
 * campaign audiences take them unchanged):
 *
 *   { field: 'emailActivity', op: 'happened' | 'not_happened',
 *     value: { event: 'opened' | 'clicked' | 'sent' | 'delivered' | 'bounced',
 *              campaignId?: uuid, withinDays?: 1..3650 } }
 *
 * reads "has opened campaign X in the last 30 days" / "has not opened …": whether a message of the
 * send ledger (email_sends) to the contact has that event, optionally of one campaign and within
 * the last N days. Opens and clicks are human ones only (machine opens and clicks, e.g. mailbox
 * link scanners and image proxies, never count).
 */
export const EMAIL_ACTIVITY_FIELD = 'emailActivity';
export const EMAIL_ACTIVITY_EVENTS = ['opened', 'clicked', 'sent', 'delivered', 'bounced'] as const;
export type EmailActivityEvent = (typeof EMAIL_ACTIVITY_EVENTS)[number];
export const EMAIL_ACTIVITY_MAX_DAYS = 3650;

export const EmailActivityValue = z
  .object({
    event: z.enum(EMAIL_ACTIVITY_EVENTS),
    campaignId: z.uuid('must be a campaign id (a UUID)').optional(),
    withinDays: z.number().int().min(1).max(EMAIL_ACTIVITY_MAX_DAYS).optional(),
  })
  .strict();
export type EmailActivityValue = z.infer<typeof EmailActivityValue>;

export interface FilterCondition {
  field: string;
  op: Operator;
  value?: unknown;
}
export type FilterNode = { and: FilterNode[] } | { or: FilterNode[] } | FilterCondition;

export const FilterCondition = z.object({
  field: z.string().min(1).max(100),
  op: z.enum(OPERATORS),
  value: z.unknown().optional(),
});

/** How big a filter expression may be: group nesting (the root is level 0) and conditions. */
export const FILTER_LIMITS = { depth: 6, conditions: 100, nodes: 1000 } as const;

/**
 * Measures a filter before it is parsed, without recursion: a body nested thousands of levels
 * deep is refused with a 400 naming the filter instead of overflowing the parser's stack.
 * Returns the problem, or undefined when the size is fine (the shape is checked afterwards).
 */
export function filterSizeProblem(value: unknown): string | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  let conditions = 0;
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) continue;
    if (++nodes > FILTER_LIMITS.nodes)
      return `too many groups and conditions (at most ${FILTER_LIMITS.nodes})`;
    if (depth > FILTER_LIMITS.depth) {
      return `groups are nested too deeply (at most ${FILTER_LIMITS.depth} levels)`;
    }
    const children = Object.hasOwn(node, 'and')
      ? (node as { and: unknown }).and
      : Object.hasOwn(node, 'or')
        ? (node as { or: unknown }).or
        : undefined;
    if (Array.isArray(children)) {
      for (const child of children) stack.push({ node: child, depth: depth + 1 });
    } else if (children === undefined && ++conditions > FILTER_LIMITS.conditions) {
      return `too many conditions (at most ${FILTER_LIMITS.conditions})`;
    }
  }
  return undefined;
}

/** A NUL character or an unpaired UTF-16 surrogate: text PostgreSQL can neither compare nor store in jsonb. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character refused
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Finds text in a filter (a field, a value, a key of an object value, at any depth) that
 * PostgreSQL refuses: a NUL character or an unpaired surrogate made every query or segment save
 * holding one fail with a 500. Without recursion, so a deeply nested value is walked safely.
 * Returns the problem, or undefined when all text is fine.
 */
export function filterTextProblem(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE_TEXT.test(v)) {
        return 'text in a filter cannot hold NUL characters or unpaired surrogates (invalid Unicode)';
      }
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) stack.push(k, child);
    }
  }
  return undefined;
}

// Named, so the OpenAPI document defines the recursive tree once (components.schemas.FilterNode…)
// and refers to it; unnamed, the recursion was a $ref to nothing.
const FilterTree: z.ZodType<FilterNode> = z
  .lazy(() =>
    z.union([
      z.object({ and: z.array(FilterTree).max(50) }).strict(),
      z.object({ or: z.array(FilterTree).max(50) }).strict(),
      FilterCondition.strict(),
    ]),
  )
  .meta({
    id: 'FilterNode',
    description:
      'A filter: a group `{ and: [...] }` or `{ or: [...] }`, or a condition `{ field, op, value? }`. Email activity: `{ field: "emailActivity", op: "happened" | "not_happened", value: { event: "opened" | "clicked" | "sent" | "delivered" | "bounced", campaignId?, withinDays? } }` (human opens and clicks only).',
  });

/** A filter expression as the API accepts it: size-checked first, then parsed. */
export const FilterNode: z.ZodType<FilterNode> = z.preprocess((value, ctx) => {
  const problem = filterSizeProblem(value) ?? filterTextProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
  return value;
}, FilterTree);

/** Description of a filterable field, served to the UI's filter builder. */
export interface FilterField {
  field: string;
  label: string;
  type: FieldType;
  operators: Operator[];
  options?: string[];
}

/** True when a filter holds at least one condition (a filter of empty groups narrows nothing). */
export function filterHasCondition(node: FilterNode | undefined): boolean {
  const stack = node ? [node] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ('and' in n) stack.push(...n.and);
    else if ('or' in n) stack.push(...n.or);
    else return true;
  }
  return false;
}

/**
 * True when a bulk selection narrows nothing (no ids, no filter condition, a blank search, no
 * segment): it would act on every contact, which must be asked for with `all: true`.
 * One rule for the request schema and the web's confirmation.
 */
export function selectsEverything(selection: {
  ids?: unknown;
  filter?: FilterNode;
  search?: string;
  segmentId?: string;
}): boolean {
  if (selection.ids !== undefined) return false;
  return !filterHasCondition(selection.filter) && !selection.search?.trim() && !selection.segmentId;
}
