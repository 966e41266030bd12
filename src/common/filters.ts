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
] as const;
export type Operator = (typeof OPERATORS)[number];

export type FieldType =
  | 'text'
  | 'long_text'
  | 'number'
  | 'date'
  | 'boolean'
  | 'single_select'
  | 'multi_select'
  | 'url'
  | 'email'
  | 'phone'
  | 'tags'
  | 'member'
  | 'datetime';

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
};

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

export const FilterNode: z.ZodType<FilterNode> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(FilterNode).max(50) }).strict(),
    z.object({ or: z.array(FilterNode).max(50) }).strict(),
    FilterCondition.strict(),
  ]),
);

/** Description of a filterable field, served to the UI's filter builder. */
export interface FilterField {
  field: string;
  label: string;
  type: FieldType;
  operators: Operator[];
  options?: string[];
}
