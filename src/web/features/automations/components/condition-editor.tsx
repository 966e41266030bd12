import type { PropertyRule } from '@common/automations';
import {
  EMAIL_ACTIVITY_EVENTS,
  EMAIL_ACTIVITY_FIELD,
  type FilterCondition,
  type FilterField,
  type FilterNode,
  type Operator,
} from '@common/filters';
import { Plus, Trash2 } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { type Choice, NONE } from './fields';

const OP_LABELS: Record<Operator, string> = {
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
  in: 'is one of',
  not_in: 'is none of',
  has_any: 'has any of',
  has_all: 'has all of',
  has_none: 'has none of',
  happened: 'has',
  not_happened: 'has not',
};

const NO_VALUE: Operator[] = ['is_empty', 'is_not_empty'];
const LIST: Operator[] = ['in', 'not_in', 'has_any', 'has_all', 'has_none'];

const RULE_OPS: Array<{ value: PropertyRule['op']; label: string }> = [
  { value: 'eq', label: 'is' },
  { value: 'neq', label: 'is not' },
  { value: 'contains', label: 'contains' },
  { value: 'exists', label: 'exists' },
  { value: 'not_exists', label: 'does not exist' },
  { value: 'gt', label: 'is greater than' },
  { value: 'lt', label: 'is less than' },
];

type Combinator = 'and' | 'or';

/** The flat list of conditions this editor can show, or null when the filter nests groups. */
export function flatConditions(
  filter: FilterNode | undefined,
): { combinator: Combinator; items: FilterCondition[] } | null {
  if (!filter) return { combinator: 'and', items: [] };
  if ('and' in filter || 'or' in filter) {
    const combinator: Combinator = 'and' in filter ? 'and' : 'or';
    const children = 'and' in filter ? filter.and : (filter as { or: FilterNode[] }).or;
    if (children.every((c) => !('and' in c) && !('or' in c)))
      return { combinator, items: children as FilterCondition[] };
    return null;
  }
  return { combinator: 'and', items: [filter] };
}

function toFilter(combinator: Combinator, items: FilterCondition[]): FilterNode | undefined {
  if (items.length === 0) return undefined;
  return combinator === 'and' ? { and: items } : { or: items };
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value === undefined || value === null) return '';
  return String(value);
}

function parseValue(field: FilterField | undefined, op: Operator, text: string): unknown {
  if (LIST.includes(op))
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (field?.type === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (field?.type === 'boolean') return text === 'true';
  return text;
}

function ConditionRow({
  index,
  condition,
  fields,
  campaigns,
  disabled,
  onChange,
  onRemove,
}: {
  index: number;
  condition: FilterCondition;
  fields: FilterField[];
  campaigns: Choice[];
  disabled: boolean;
  onChange: (c: FilterCondition) => void;
  onRemove: () => void;
}) {
  const field = fields.find((f) => f.field === condition.field);
  const ops = field?.operators ?? [];
  const n = index + 1;
  const activity = condition.field === EMAIL_ACTIVITY_FIELD;
  const act = (condition.value ?? {}) as { event?: string; campaignId?: string; withinDays?: number };
  return (
    <li className="grid gap-2 rounded-md border border-border p-2.5" data-testid="condition-row">
      <div className="flex items-end gap-2">
        <div className="grid min-w-0 flex-1 gap-1.5">
          <Label className="text-xs text-muted-foreground" htmlFor={`cond-field-${n}`}>
            Condition {n} field
          </Label>
          <Select
            value={condition.field || ''}
            disabled={disabled}
            onValueChange={(v) => {
              const f = fields.find((x) => x.field === v);
              const op = f?.operators[0] ?? 'eq';
              onChange({
                field: v,
                op,
                value:
                  v === EMAIL_ACTIVITY_FIELD ? { event: 'opened' } : NO_VALUE.includes(op) ? undefined : '',
              });
            }}
          >
            <SelectTrigger id={`cond-field-${n}`} size="sm">
              <SelectValue placeholder="Field…" />
            </SelectTrigger>
            <SelectContent>
              {fields.map((f) => (
                <SelectItem key={f.field} value={f.field}>
                  {f.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <Button
          variant="ghost"
          size="icon"
          aria-label={`Remove condition ${n}`}
          onClick={onRemove}
          disabled={disabled}
        >
          <Trash2 aria-hidden="true" />
        </Button>
      </div>
      {condition.field ? (
        <div className="grid grid-cols-2 gap-2">
          <div className="grid gap-1.5">
            <Label className="text-xs text-muted-foreground" htmlFor={`cond-op-${n}`}>
              Condition {n} operator
            </Label>
            <Select
              value={condition.op}
              disabled={disabled}
              onValueChange={(v) => {
                const op = v as Operator;
                onChange({
                  ...condition,
                  op,
                  value: activity
                    ? condition.value
                    : NO_VALUE.includes(op)
                      ? undefined
                      : parseValue(field, op, valueText(condition.value)),
                });
              }}
            >
              <SelectTrigger id={`cond-op-${n}`} size="sm">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {ops.map((op) => (
                  <SelectItem key={op} value={op}>
                    {OP_LABELS[op]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          {activity ? (
            <div className="grid gap-1.5">
              <Label className="text-xs text-muted-foreground" htmlFor={`cond-event-${n}`}>
                Condition {n} activity
              </Label>
              <Select
                value={act.event ?? 'opened'}
                disabled={disabled}
                onValueChange={(v) => onChange({ ...condition, value: { ...act, event: v } })}
              >
                <SelectTrigger id={`cond-event-${n}`} size="sm">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {EMAIL_ACTIVITY_EVENTS.map((e) => (
                    <SelectItem key={e} value={e}>
                      {e}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
          ) : NO_VALUE.includes(condition.op) ? null : field?.type === 'boolean' ? (
            <div className="grid gap-1.5">
              <Label className="text-xs text-muted-foreground" htmlFor={`cond-value-${n}`}>
                Condition {n} value
              </Label>
              <Select
                value={condition.value === true ? 'true' : 'false'}
                disabled={disabled}
                onValueChange={(v) => onChange({ ...condition, value: v === 'true' })}
              >
                <SelectTrigger id={`cond-value-${n}`} size="sm">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="true">Yes</SelectItem>
                  <SelectItem value="false">No</SelectItem>
                </SelectContent>
              </Select>
            </div>
          ) : condition.op === 'between' ? (
            <div className="grid gap-1.5">
              <Label className="text-xs text-muted-foreground" htmlFor={`cond-value-${n}`}>
                Condition {n} range (from, to)
              </Label>
              <Input
                id={`cond-value-${n}`}
                className="h-8"
                disabled={disabled}
                value={valueText(condition.value)}
                placeholder="from, to"
                onChange={(e) => {
                  const parts = e.target.value.split(',').map((s) => s.trim());
                  onChange({
                    ...condition,
                    value: parts.map((p) =>
                      field?.type === 'number' && p !== '' && Number.isFinite(Number(p)) ? Number(p) : p,
                    ),
                  });
                }}
              />
            </div>
          ) : (
            <div className="grid gap-1.5">
              <Label className="text-xs text-muted-foreground" htmlFor={`cond-value-${n}`}>
                Condition {n} value
              </Label>
              <Input
                id={`cond-value-${n}`}
                className="h-8"
                type={field?.type === 'date' ? 'date' : 'text'}
                disabled={disabled}
                list={field?.options?.length ? `cond-options-${n}` : undefined}
                placeholder={LIST.includes(condition.op) ? 'a, b, c' : undefined}
                value={valueText(condition.value)}
                onChange={(e) =>
                  onChange({ ...condition, value: parseValue(field, condition.op, e.target.value) })
                }
              />
              {field?.options?.length ? (
                <datalist id={`cond-options-${n}`}>
                  {field.options.map((o) => (
                    <option key={o} value={o} />
                  ))}
                </datalist>
              ) : null}
            </div>
          )}
        </div>
      ) : null}
      {activity ? (
        <div className="grid grid-cols-2 gap-2">
          <div className="grid gap-1.5">
            <Label className="text-xs text-muted-foreground" htmlFor={`cond-campaign-${n}`}>
              Condition {n} campaign
            </Label>
            <Select
              value={act.campaignId ?? NONE}
              disabled={disabled}
              onValueChange={(v) => {
                const { campaignId: _c, ...rest } = act;
                onChange({ ...condition, value: v === NONE ? rest : { ...rest, campaignId: v } });
              }}
            >
              <SelectTrigger id={`cond-campaign-${n}`} size="sm">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value={NONE}>Any email</SelectItem>
                {campaigns.map((c) => (
                  <SelectItem key={c.value} value={c.value}>
                    {c.label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <div className="grid gap-1.5">
            <Label className="text-xs text-muted-foreground" htmlFor={`cond-days-${n}`}>
              Condition {n} within days
            </Label>
            <Input
              id={`cond-days-${n}`}
              className="h-8"
              type="number"
              min={1}
              disabled={disabled}
              placeholder="any time"
              value={act.withinDays ?? ''}
              onChange={(e) => {
                const { withinDays: _w, ...rest } = act;
                const d = Number(e.target.value);
                onChange({
                  ...condition,
                  value: e.target.value && Number.isInteger(d) && d > 0 ? { ...rest, withinDays: d } : rest,
                });
              }}
            />
          </div>
        </div>
      ) : null}
    </li>
  );
}

/**
 * A condition: contact conditions (fields, tags, email activity) joined by all/any, and rules on the
 * trigger event's data (custom event properties, the clicked URL). Filters with nested groups (made
 * through the API) are shown as such and can be replaced.
 */
export function ConditionEditor({
  filter,
  rules,
  fields,
  campaigns,
  disabled,
  onChange,
  legend = 'Contact matches',
  withRules = true,
}: {
  filter: FilterNode | undefined;
  rules: PropertyRule[] | undefined;
  fields: FilterField[];
  campaigns: Choice[];
  disabled: boolean;
  onChange: (next: { filter: FilterNode | undefined; rules: PropertyRule[] | undefined }) => void;
  legend?: string;
  /** Rules on the trigger event's data (conditions have them, the goal does not). */
  withRules?: boolean;
}) {
  const flat = flatConditions(filter);
  const ruleList = rules ?? [];
  const setRules = (next: PropertyRule[]) => onChange({ filter, rules: next.length ? next : undefined });
  return (
    <div className="grid gap-4">
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">{legend}</legend>
        {flat === null ? (
          <div className="grid gap-2 rounded-md border border-border bg-subtle p-2.5 text-sm">
            <p>This condition has nested groups (made through the API); it is kept as it is.</p>
            <Button
              variant="secondary"
              size="sm"
              disabled={disabled}
              onClick={() => onChange({ filter: undefined, rules })}
            >
              Replace with simple conditions
            </Button>
          </div>
        ) : (
          <>
            {flat.items.length > 1 ? (
              <div className="grid gap-1.5">
                <Label htmlFor="cond-combinator" className="text-xs text-muted-foreground">
                  Match
                </Label>
                <Select
                  value={flat.combinator}
                  disabled={disabled}
                  onValueChange={(v) => onChange({ filter: toFilter(v as Combinator, flat.items), rules })}
                >
                  <SelectTrigger id="cond-combinator" size="sm">
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="and">All of the conditions</SelectItem>
                    <SelectItem value="or">Any of the conditions</SelectItem>
                  </SelectContent>
                </Select>
              </div>
            ) : null}
            <ul className="grid gap-2">
              {flat.items.map((c, i) => (
                <ConditionRow
                  key={i}
                  index={i}
                  condition={c}
                  fields={fields}
                  campaigns={campaigns}
                  disabled={disabled}
                  onChange={(next) =>
                    onChange({
                      filter: toFilter(
                        flat.combinator,
                        flat.items.map((x, j) => (j === i ? next : x)),
                      ),
                      rules,
                    })
                  }
                  onRemove={() =>
                    onChange({
                      filter: toFilter(
                        flat.combinator,
                        flat.items.filter((_x, j) => j !== i),
                      ),
                      rules,
                    })
                  }
                />
              ))}
            </ul>
            <div className="flex flex-wrap gap-2">
              <Button
                variant="secondary"
                size="sm"
                disabled={disabled}
                onClick={() =>
                  onChange({
                    filter: toFilter(flat.combinator, [...flat.items, { field: '', op: 'eq', value: '' }]),
                    rules,
                  })
                }
              >
                <Plus aria-hidden="true" />
                Add condition
              </Button>
              <Button
                variant="ghost"
                size="sm"
                disabled={disabled}
                onClick={() =>
                  onChange({
                    filter: toFilter(flat.combinator, [
                      ...flat.items,
                      { field: 'tags', op: 'has_any', value: [] },
                    ]),
                    rules,
                  })
                }
              >
                <Plus aria-hidden="true" />
                Has tag
              </Button>
            </div>
          </>
        )}
      </fieldset>
      {withRules ? (
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">Trigger event data</legend>
          <p className="-mt-1 text-[0.8125rem] text-muted-foreground">
            For custom events and clicks: a path such as <code>properties.plan</code> or <code>url</code>.
          </p>
          <ul className="grid gap-2">
            {ruleList.map((r, i) => {
              const n = i + 1;
              const update = (next: Partial<PropertyRule>) =>
                setRules(ruleList.map((x, j) => (j === i ? { ...x, ...next } : x)));
              return (
                <li
                  key={i}
                  className="grid grid-cols-[1fr_1fr_1fr_auto] items-end gap-2"
                  data-testid="rule-row"
                >
                  <div className="grid gap-1.5">
                    <Label className="text-xs text-muted-foreground" htmlFor={`rule-path-${n}`}>
                      Rule {n} path
                    </Label>
                    <Input
                      id={`rule-path-${n}`}
                      className="h-8"
                      value={r.path}
                      disabled={disabled}
                      onChange={(e) => update({ path: e.target.value })}
                    />
                  </div>
                  <div className="grid gap-1.5">
                    <Label className="text-xs text-muted-foreground" htmlFor={`rule-op-${n}`}>
                      Rule {n} operator
                    </Label>
                    <Select
                      value={r.op}
                      disabled={disabled}
                      onValueChange={(v) => update({ op: v as PropertyRule['op'] })}
                    >
                      <SelectTrigger id={`rule-op-${n}`} size="sm">
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        {RULE_OPS.map((o) => (
                          <SelectItem key={o.value} value={o.value}>
                            {o.label}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                  </div>
                  <div className="grid gap-1.5">
                    <Label className="text-xs text-muted-foreground" htmlFor={`rule-value-${n}`}>
                      Rule {n} value
                    </Label>
                    <Input
                      id={`rule-value-${n}`}
                      className="h-8"
                      disabled={disabled || r.op === 'exists' || r.op === 'not_exists'}
                      value={r.value === undefined ? '' : String(r.value)}
                      onChange={(e) => {
                        const t = e.target.value;
                        const num = Number(t);
                        update({
                          value:
                            (r.op === 'gt' || r.op === 'lt') && t !== '' && Number.isFinite(num) ? num : t,
                        });
                      }}
                    />
                  </div>
                  <Button
                    variant="ghost"
                    size="icon"
                    aria-label={`Remove rule ${n}`}
                    disabled={disabled}
                    onClick={() => setRules(ruleList.filter((_x, j) => j !== i))}
                  >
                    <Trash2 aria-hidden="true" />
                  </Button>
                </li>
              );
            })}
          </ul>
          <Button
            variant="ghost"
            size="sm"
            className="justify-self-start"
            disabled={disabled}
            onClick={() => setRules([...ruleList, { path: 'properties.', op: 'eq', value: '' }])}
          >
            <Plus aria-hidden="true" />
            Add event rule
          </Button>
        </fieldset>
      ) : null}
    </div>
  );
}
