import { type SQL, sql } from 'drizzle-orm';
import { SUBSCRIPTION_STATUSES } from '../../../common/contacts.js';
import {
  EMAIL_ACTIVITY_EVENTS,
  EMAIL_ACTIVITY_FIELD,
  type EmailActivityEvent,
  EmailActivityValue,
  FILTER_LIMITS,
  type FieldType,
  type FilterField,
  type FilterNode,
  OPERATORS_BY_TYPE,
  type Operator,
} from '../../../common/filters.js';
import { AppError } from '../../lib/errors.js';
import { escapeLike } from '../../lib/sql.js';
import { isValidDate } from '../fields/field-values.js';
import type { FieldDef } from '../fields/fields.repo.js';

export type { FieldDef };

/** How a filterable field reads in SQL (the contacts table is aliased `c`). */
interface ResolvedField {
  type: FieldType;
  expr: SQL;
  options?: string[];
  /** Set for custom fields: the key in `contacts.custom`. */
  customKey?: string;
}

const STANDARD: Record<string, { label: string; type: FieldType; expr: SQL; options?: string[] }> = {
  firstName: { label: 'First name', type: 'text', expr: sql`c.first_name` },
  lastName: { label: 'Last name', type: 'text', expr: sql`c.last_name` },
  email: { label: 'Email', type: 'email', expr: sql`c.email` },
  phone: { label: 'Phone', type: 'phone', expr: sql`array_to_string(c.phones, ' ')` },
  jobTitle: { label: 'Job title', type: 'text', expr: sql`c.job_title` },
  source: { label: 'Source', type: 'text', expr: sql`c.source` },
  subscriptionStatus: {
    label: 'Subscription status',
    type: 'single_select',
    expr: sql`c.subscription_status`,
    options: [...SUBSCRIPTION_STATUSES],
  },
  restricted: { label: 'Processing restricted', type: 'boolean', expr: sql`c.restricted` },
  owner: { label: 'Owner', type: 'member', expr: sql`c.owner_id` },
  tags: { label: 'Tags', type: 'tags', expr: sql`c.tag_ids` },
  createdAt: { label: 'Created', type: 'datetime', expr: sql`c.created_at` },
  // Not a column: compiled by emailActivity() below; options are the events it knows.
  [EMAIL_ACTIVITY_FIELD]: {
    label: 'Email activity',
    type: 'email_activity',
    expr: sql`c.id`,
    options: [...EMAIL_ACTIVITY_EVENTS],
  },
  updatedAt: { label: 'Updated', type: 'datetime', expr: sql`c.updated_at` },
  'company.name': { label: 'Company name', type: 'text', expr: sql`c.company_name` },
  'company.domain': {
    label: 'Company domain',
    type: 'text',
    expr: sql`(select co.domain from companies co where co.id = c.company_id and co.org_id = c.org_id)`,
  },
  'company.industry': {
    label: 'Company industry',
    type: 'text',
    expr: sql`(select co.industry from companies co where co.id = c.company_id and co.org_id = c.org_id)`,
  },
  'company.size': {
    label: 'Company size',
    type: 'text',
    expr: sql`(select co.size from companies co where co.id = c.company_id and co.org_id = c.org_id)`,
  },
};

export function customExpr(def: FieldDef): SQL {
  const key = def.key;
  switch (def.type) {
    case 'number':
      return sql`(case when jsonb_typeof(c.custom -> ${key}::text) = 'number' then (c.custom ->> ${key}::text)::numeric end)`;
    case 'boolean':
      return sql`(case when jsonb_typeof(c.custom -> ${key}::text) = 'boolean' then (c.custom ->> ${key}::text)::boolean end)`;
    case 'multi_select':
      return sql`(c.custom -> ${key}::text)`;
    default:
      return sql`(c.custom ->> ${key}::text)`;
  }
}

/** The fields the filter builder offers, for this organisation. */
export function filterFields(defs: FieldDef[]): FilterField[] {
  const standard = Object.entries(STANDARD).map(([field, f]) => ({
    field,
    label: f.label,
    type: f.type,
    operators: OPERATORS_BY_TYPE[f.type],
    ...(f.options ? { options: f.options } : {}),
  }));
  const custom = defs
    .filter((d) => d.entity === 'contact')
    .map((d) => ({
      field: `custom.${d.key}`,
      label: d.label,
      type: d.type as FieldType,
      operators: OPERATORS_BY_TYPE[d.type as FieldType],
      ...(d.options.length ? { options: d.options } : {}),
    }));
  return [...standard, ...custom];
}

export interface FilterContext {
  defs: FieldDef[];
  /** Resolves tag names to ids (lower-cased name → id) for this organisation. */
  tagIds: Map<string, string>;
}

function invalid(path: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', `${path}: ${message}`, {
    issues: [{ path: path.split(/[.[\]]+/).filter(Boolean), message }],
  });
}

function resolve(field: string, ctx: FilterContext, path: string): ResolvedField {
  // Own keys only: "constructor" or "toString" are not fields.
  if (Object.hasOwn(STANDARD, field)) return STANDARD[field]!;
  if (field.startsWith('custom.')) {
    const def = ctx.defs.find((d) => d.entity === 'contact' && d.key === field.slice(7));
    if (def)
      return { type: def.type as FieldType, expr: customExpr(def), options: def.options, customKey: def.key };
  }
  invalid(path, `unknown field ${field}`);
}

const MAX_TEXT = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** ISO 8601 date or date-time, years 0001–9999 (PostgreSQL's timestamptz and JS's Date both hold them). */
const ISO_DATETIME =
  /^(\d{4})-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function isoDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATETIME.exec(value.trim());
  if (!m || m[1] === '0000') return undefined;
  const t = Date.parse(value.trim());
  if (Number.isNaN(t)) return undefined;
  const iso = new Date(t).toISOString();
  // An offset can move 0001-01-01 into year 0, or 9999-12-31 into 10000.
  return /^\d{4}-/.test(iso) && !iso.startsWith('0000') ? iso : undefined;
}

function scalar(type: FieldType, value: unknown, path: string): unknown {
  switch (type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, 'value must be a number');
      return value;
    case 'date':
      if (typeof value !== 'string' || !isValidDate(value))
        invalid(path, 'value must be a date like 2024-12-31');
      return value;
    case 'datetime': {
      const iso = isoDateTime(value);
      if (!iso)
        invalid(
          path,
          'value must be an ISO date/time like 2024-12-31 or 2024-12-31T23:59:00Z (years 0001–9999)',
        );
      return iso;
    }
    case 'boolean':
      if (typeof value !== 'boolean') invalid(path, 'value must be true or false');
      return value;
    case 'member':
      if (typeof value !== 'string' || !UUID.test(value)) invalid(path, 'value must be a member id (a UUID)');
      return value;
    default:
      if (typeof value !== 'string' || value.length > MAX_TEXT)
        invalid(path, `value must be text (at most ${MAX_TEXT} characters)`);
      return value;
  }
}

function list(type: FieldType, value: unknown, path: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 1000) {
    invalid(path, 'value must be a non-empty list (at most 1000 items)');
  }
  return value.map((v, i) =>
    scalar(type === 'tags' || type === 'multi_select' ? 'text' : type, v, `${path}.value[${i}]`),
  );
}

function castFor(type: FieldType): SQL {
  switch (type) {
    case 'number':
      return sql.raw('numeric');
    case 'datetime':
      return sql.raw('timestamptz');
    case 'boolean':
      return sql.raw('boolean');
    case 'member':
      return sql.raw('uuid');
    default:
      return sql.raw('text');
  }
}

/** The ledger column of each email activity event: opens and clicks are the human ones only. */
const ACTIVITY_COLUMN: Record<EmailActivityEvent, string> = {
  opened: 'opened_at',
  clicked: 'clicked_at',
  sent: 'sent_at',
  delivered: 'delivered_at',
  bounced: 'bounced_at',
};

/**
 * `{ field: 'emailActivity', op: 'happened' | 'not_happened', value: { event, campaignId?, withinDays? } }`:
 * whether a message of the send ledger to the contact has the event (of the campaign, in the last
 * N days). The ledger row must be the contact's organisation's, so another organisation's campaign
 * id matches nothing. Answered by the index email_sends (org_id, contact_id, …).
 */
function emailActivity(node: { op: Operator; value?: unknown }, path: string): SQL {
  const parsed = EmailActivityValue.safeParse(node.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `value.${issue.path.join('.')}: ` : '';
    invalid(
      path,
      `${where}${issue?.message ?? 'invalid'} (value is { event: ${EMAIL_ACTIVITY_EVENTS.join(' | ')}, campaignId?: uuid, withinDays?: 1–3650 })`,
    );
  }
  const v = parsed.data;
  const col = sql.raw(`s.${ACTIVITY_COLUMN[v.event]}`);
  const parts: SQL[] = [sql`s.org_id = c.org_id`, sql`s.contact_id = c.id`, sql`${col} is not null`];
  if (v.campaignId) parts.push(sql`s.campaign_id = ${v.campaignId}::uuid`);
  if (v.withinDays) parts.push(sql`${col} >= now() - make_interval(days => ${v.withinDays}::int)`);
  const found = sql`exists (select 1 from email_sends s where ${sql.join(parts, sql` and `)})`;
  return node.op === 'happened' ? found : sql`not ${found}`;
}

function condition(
  node: { field: string; op: Operator; value?: unknown },
  ctx: FilterContext,
  path: string,
): SQL {
  const f = resolve(node.field, ctx, path);
  if (!OPERATORS_BY_TYPE[f.type].includes(node.op)) {
    invalid(
      path,
      `operator ${node.op} does not fit ${node.field} (${f.type}); use one of ${OPERATORS_BY_TYPE[f.type].join(', ')}`,
    );
  }
  const e = f.expr;
  const textual = !['number', 'date', 'datetime', 'boolean', 'member', 'tags', 'multi_select'].includes(
    f.type,
  );
  switch (node.op) {
    case 'happened':
    case 'not_happened':
      return emailActivity(node, path);
    case 'is_empty':
      if (f.type === 'tags') return sql`cardinality(${e}) = 0`;
      if (f.type === 'multi_select') return sql`coalesce(jsonb_array_length(${e}), 0) = 0`;
      return textual ? sql`coalesce(${e}, '') = ''` : sql`${e} is null`;
    case 'is_not_empty':
      if (f.type === 'tags') return sql`cardinality(${e}) > 0`;
      if (f.type === 'multi_select') return sql`coalesce(jsonb_array_length(${e}), 0) > 0`;
      return textual ? sql`coalesce(${e}, '') <> ''` : sql`${e} is not null`;
    case 'has_any':
    case 'has_all':
    case 'has_none': {
      const values = list(f.type, node.value, path) as string[];
      if (f.type === 'tags') {
        const ids = values.map((n) => ctx.tagIds.get(n.toLowerCase())).filter((x): x is string => Boolean(x));
        if (node.op === 'has_all' && ids.length < values.length) return sql`false`;
        if (ids.length === 0) return node.op === 'has_none' ? sql`true` : sql`false`;
        const arr = sql`${`{${ids.join(',')}}`}::uuid[]`;
        if (node.op === 'has_any') return sql`${e} && ${arr}`;
        if (node.op === 'has_all') return sql`${e} @> ${arr}`;
        return sql`not (${e} && ${arr})`;
      }
      const arr = sql`${JSON.stringify(values)}::jsonb`;
      if (node.op === 'has_all') return sql`coalesce(${e}, '[]'::jsonb) @> ${arr}`;
      const any = sql`exists (select 1 from jsonb_array_elements_text(coalesce(${e}, '[]'::jsonb)) v where v = any(array(select jsonb_array_elements_text(${arr}))))`;
      return node.op === 'has_any' ? any : sql`not ${any}`;
    }
    case 'in':
    case 'not_in': {
      const values = list(f.type, node.value, path);
      const lowered = textual ? values.map((v) => String(v).toLowerCase()) : values;
      const lhs = textual ? sql`lower(${e})` : e;
      const arr = sql`array[${sql.join(
        lowered.map((v) => sql`${v}::${castFor(f.type)}`),
        sql`, `,
      )}]`;
      return node.op === 'in'
        ? sql`${lhs} = any(${arr})`
        : sql`(${lhs} is null or not (${lhs} = any(${arr})))`;
    }
    case 'between': {
      if (!Array.isArray(node.value) || node.value.length !== 2) invalid(path, 'value must be [from, to]');
      const [a, b] = node.value.map((v, i) => scalar(f.type, v, `${path}.value[${i}]`));
      return sql`${e} between ${a}::${castFor(f.type)} and ${b}::${castFor(f.type)}`;
    }
    case 'contains':
    case 'not_contains':
    case 'starts_with': {
      const v = escapeLike(scalar('text', node.value, path) as string);
      const pattern = node.op === 'starts_with' ? `${v}%` : `%${v}%`;
      if (node.op === 'not_contains') return sql`coalesce(${e}, '') not ilike ${pattern}`;
      return sql`${e} ilike ${pattern}`;
    }
    case 'eq':
    case 'neq': {
      const v = scalar(f.type, node.value, path);
      if (f.customKey && (f.type === 'single_select' || f.type === 'number' || f.type === 'boolean')) {
        // Containment, so the GIN (jsonb_path_ops) index on custom can answer it.
        const eq = sql`c.custom @> ${JSON.stringify({ [f.customKey]: v })}::jsonb`;
        return node.op === 'eq' ? eq : sql`not (${eq})`;
      }
      const eq = textual ? sql`lower(${e}) = lower(${v}::text)` : sql`${e} = ${v}::${castFor(f.type)}`;
      return node.op === 'eq' ? eq : sql`not coalesce(${eq}, false)`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = scalar(f.type, node.value, path);
      const op = sql.raw({ gt: '>', gte: '>=', lt: '<', lte: '<=' }[node.op]);
      return sql`${e} ${op} ${v}::${castFor(f.type)}`;
    }
  }
}

/** Compiles a filter expression into a SQL boolean over `contacts c`. Throws a 400 naming the bad condition. */
export function compileFilter(node: FilterNode, ctx: FilterContext, path = 'filter'): SQL {
  let count = 0;
  const walk = (n: FilterNode, p: string, depth: number): SQL => {
    if (depth > FILTER_LIMITS.depth) {
      invalid(p, `groups are nested too deeply (at most ${FILTER_LIMITS.depth} levels)`);
    }
    if ('and' in n || 'or' in n) {
      const key = 'and' in n ? 'and' : 'or';
      const children = (n as Record<string, FilterNode[]>)[key]!;
      if (children.length === 0) return key === 'and' ? sql`true` : sql`false`;
      const parts = children.map((c, i) => walk(c, `${p}.${key}[${i}]`, depth + 1));
      return sql`(${sql.join(parts, sql.raw(key === 'and' ? ' and ' : ' or '))})`;
    }
    if (++count > FILTER_LIMITS.conditions) {
      invalid(p, `too many conditions (at most ${FILTER_LIMITS.conditions})`);
    }
    return sql`(${condition(n, ctx, p)})`;
  };
  return walk(node, path, 0);
}

/** Tag names referenced by `has_*` conditions on tags (to resolve them in one query). */
export function tagNamesIn(node: FilterNode | undefined): string[] {
  if (!node) return [];
  if ('and' in node) return node.and.flatMap(tagNamesIn);
  if ('or' in node) return node.or.flatMap(tagNamesIn);
  if (node.field === 'tags' && Array.isArray(node.value))
    return node.value.filter((v): v is string => typeof v === 'string');
  return [];
}
