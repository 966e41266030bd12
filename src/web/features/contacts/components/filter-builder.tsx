import {
  EMAIL_ACTIVITY_EVENTS,
  EMAIL_ACTIVITY_MAX_DAYS,
  type FilterField,
  type FilterNode,
  type Operator,
} from '@common/filters';
import { ChevronDown, ListFilter, Plus, Trash2, X } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/utils';
import type { CampaignOption } from '../api/list-campaign-options';
import {
  ACTIVITY_EVENT_LABELS,
  activityValue,
  type DraftCondition,
  type DraftGroup,
  emptyCondition,
  emptyGroup,
  fromFilterNode,
  isComplete,
  operatorLabel,
  optionLabel,
  toFilterNode,
  updateNode,
  valueShape,
} from '../lib/filter';
import { type MemberOption, useContactsEnv } from './contacts-env';

type Option = { value: string; label: string };

/** Picks several values from a list (tags, select options, members). */
function MultiPick({
  options,
  value,
  onChange,
  label,
}: {
  options: Option[];
  value: string[];
  onChange: (value: string[]) => void;
  label: string;
}) {
  const names = value.map((v) => options.find((o) => o.value === v)?.label ?? v);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="secondary"
          size="sm"
          className="h-8 w-full min-w-0 justify-between font-normal"
          aria-label={label}
        >
          <span className={cn('truncate', names.length === 0 && 'text-muted-foreground')}>
            {names.length > 0 ? names.join(', ') : 'Choose…'}
          </span>
          <ChevronDown aria-hidden="true" className="text-muted-foreground" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="max-h-72 overflow-y-auto">
        {options.length === 0 ? (
          <div className="px-2 py-1.5 text-sm text-muted-foreground">Nothing to choose</div>
        ) : null}
        {options.map((o) => (
          <DropdownMenuCheckboxItem
            key={o.value}
            checked={value.includes(o.value)}
            onSelect={(e) => e.preventDefault()}
            onCheckedChange={(on) => onChange(on ? [...value, o.value] : value.filter((v) => v !== o.value))}
          >
            {o.label}
          </DropdownMenuCheckboxItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function isoToDateInput(v: unknown): string {
  if (typeof v !== 'string' || !v) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A picked day as an instant: its first moment, or its last one for "up to and including" bounds. */
function dateInputToIso(v: string, endOfDay: boolean): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (endOfDay) d.setHours(23, 59, 59, 999);
  return d.toISOString();
}

/** One value control fitting the field's type. */
function SingleValue({
  def,
  value,
  onChange,
  members,
  label,
  endOfDay = false,
}: {
  def: FilterField;
  value: unknown;
  onChange: (v: unknown) => void;
  members: MemberOption[];
  label: string;
  /** For date-time fields: the day's last moment (upper bounds, "after"). */
  endOfDay?: boolean;
}) {
  switch (def.type) {
    case 'number':
      return (
        <Input
          aria-label={label}
          type="number"
          className="h-8"
          value={typeof value === 'number' ? String(value) : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />
      );
    case 'date':
      return (
        <Input
          aria-label={label}
          type="date"
          className="h-8"
          value={isoToDateInput(value)}
          onChange={(e) => onChange(e.target.value || undefined)}
        />
      );
    case 'datetime':
      return (
        <Input
          aria-label={label}
          type="date"
          className="h-8"
          value={isoToDateInput(value)}
          onChange={(e) => onChange(dateInputToIso(e.target.value, endOfDay))}
        />
      );
    case 'boolean':
      return (
        <Select
          value={value === true ? 'true' : value === false ? 'false' : ''}
          onValueChange={(v) => onChange(v === 'true')}
        >
          <SelectTrigger size="sm" aria-label={label}>
            <SelectValue placeholder="Choose…" />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="true">Yes</SelectItem>
            <SelectItem value="false">No</SelectItem>
          </SelectContent>
        </Select>
      );
    case 'single_select':
    case 'multi_select':
      return (
        <Select value={typeof value === 'string' ? value : ''} onValueChange={onChange}>
          <SelectTrigger size="sm" aria-label={label}>
            <SelectValue placeholder="Choose…" />
          </SelectTrigger>
          <SelectContent>
            {(def.options ?? []).map((o) => (
              <SelectItem key={o} value={o}>
                {optionLabel(def, o)}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      );
    case 'member':
      return (
        <Select value={typeof value === 'string' ? value : ''} onValueChange={onChange}>
          <SelectTrigger size="sm" aria-label={label}>
            <SelectValue placeholder="Choose a member…" />
          </SelectTrigger>
          <SelectContent>
            {members.map((m) => (
              <SelectItem key={m.userId} value={m.userId}>
                {m.name || m.email}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      );
    default:
      return (
        <Input
          aria-label={label}
          className="h-8"
          value={
            typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)
          }
          onChange={(e) => onChange(e.target.value)}
          placeholder="Value"
        />
      );
  }
}

const ANY = '__any__';

/** Email activity: which event, of which campaign (or any), in the last N days (or ever). */
function ActivityValue({
  value,
  onChange,
  campaigns,
}: {
  value: unknown;
  onChange: (v: unknown) => void;
  campaigns: CampaignOption[];
}) {
  const v = activityValue(value);
  const set = (patch: Partial<typeof v>) => {
    const next: Record<string, unknown> = { ...v, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    onChange(next);
  };
  const known = !v.campaignId || campaigns.some((c) => c.id === v.campaignId);
  return (
    <div className="grid grid-cols-[minmax(0,8rem)_minmax(0,1fr)_minmax(0,7.5rem)] items-center gap-2">
      <Select value={v.event ?? ''} onValueChange={(e) => set({ event: e as typeof v.event })}>
        <SelectTrigger size="sm" aria-label="Email event">
          <SelectValue placeholder="Event…" />
        </SelectTrigger>
        <SelectContent>
          {EMAIL_ACTIVITY_EVENTS.map((e) => (
            <SelectItem key={e} value={e}>
              {ACTIVITY_EVENT_LABELS[e]}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select
        value={v.campaignId ?? ANY}
        onValueChange={(id) => set({ campaignId: id === ANY ? undefined : id })}
      >
        <SelectTrigger size="sm" aria-label="Campaign">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ANY}>any email</SelectItem>
          {!known && v.campaignId ? <SelectItem value={v.campaignId}>another campaign</SelectItem> : null}
          {campaigns.map((c) => (
            <SelectItem key={c.id} value={c.id}>
              {c.name}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <div className="flex items-center gap-1.5">
        <Input
          aria-label="In the last N days (empty: ever)"
          type="number"
          min={1}
          max={EMAIL_ACTIVITY_MAX_DAYS}
          step={1}
          className="h-8"
          placeholder="ever"
          value={v.withinDays ? String(v.withinDays) : ''}
          onChange={(e) => {
            const n = Math.trunc(Number(e.target.value));
            set({
              withinDays:
                e.target.value === '' || !Number.isFinite(n) || n < 1
                  ? undefined
                  : Math.min(n, EMAIL_ACTIVITY_MAX_DAYS),
            });
          }}
        />
        <span className="shrink-0 text-xs text-muted-foreground">days</span>
      </div>
    </div>
  );
}

function ValueInput({
  def,
  condition,
  onChange,
  campaigns,
}: {
  def: FilterField;
  condition: DraftCondition;
  onChange: (v: unknown) => void;
  campaigns: CampaignOption[];
}) {
  const env = useContactsEnv();
  const shape = valueShape(condition.op);
  if (shape === 'none') return null;
  if (shape === 'activity')
    return <ActivityValue value={condition.value} onChange={onChange} campaigns={campaigns} />;
  if (shape === 'pair') {
    const pair = Array.isArray(condition.value) ? condition.value : [undefined, undefined];
    return (
      <div className="flex items-center gap-2">
        <SingleValue
          def={def}
          value={pair[0]}
          onChange={(v) => onChange([v, pair[1]])}
          members={env.members}
          label="From"
        />
        <span className="text-xs text-muted-foreground">and</span>
        <SingleValue
          def={def}
          value={pair[1]}
          onChange={(v) => onChange([pair[0], v])}
          members={env.members}
          label="To"
          endOfDay
        />
      </div>
    );
  }
  if (shape === 'list') {
    const list = Array.isArray(condition.value) ? condition.value.map(String) : [];
    let options: Option[] | null = null;
    if (def.type === 'tags') {
      const names = def.options && def.options.length > 0 ? def.options : env.tags.map((t) => t.name);
      options = names.map((n) => ({ value: n, label: n }));
    } else if (def.type === 'member') {
      options = env.members.map((m) => ({ value: m.userId, label: m.name || m.email }));
    } else if (def.options && def.options.length > 0) {
      options = def.options.map((o) => ({ value: o, label: optionLabel(def, o) }));
    }
    if (options) return <MultiPick label="Values" options={options} value={list} onChange={onChange} />;
    return (
      <Input
        aria-label="Values, separated by commas"
        className="h-8"
        placeholder="Values, separated by commas"
        defaultValue={list.join(', ')}
        onChange={(e) =>
          onChange(
            e.target.value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        }
      />
    );
  }
  return (
    <SingleValue
      def={def}
      value={condition.value}
      onChange={onChange}
      members={env.members}
      label="Value"
      endOfDay={condition.op === 'lte' || condition.op === 'gt'}
    />
  );
}

function ConditionRow({
  condition,
  fields,
  onChange,
  onRemove,
  campaigns,
}: {
  condition: DraftCondition;
  fields: FilterField[];
  onChange: (c: DraftCondition) => void;
  onRemove: () => void;
  campaigns: CampaignOption[];
}) {
  const def = fields.find((f) => f.field === condition.field);
  const incomplete = condition.field !== '' && !isComplete(condition);
  return (
    <li
      className="grid grid-cols-[minmax(0,11rem)_minmax(0,10rem)_minmax(0,1fr)_auto] items-center gap-2"
      data-testid="filter-condition"
    >
      <Select
        value={condition.field}
        onValueChange={(field) => {
          const next = fields.find((f) => f.field === field);
          onChange({
            ...condition,
            field,
            op: next?.operators[0] ?? '',
            value: next?.type === 'email_activity' ? { event: 'opened' } : undefined,
          });
        }}
      >
        <SelectTrigger size="sm" aria-label="Field">
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
      <Select
        value={condition.op}
        onValueChange={(op) => {
          const keep = valueShape(op as Operator) === valueShape(condition.op);
          onChange({ ...condition, op: op as Operator, value: keep ? condition.value : undefined });
        }}
        disabled={!def}
      >
        <SelectTrigger size="sm" aria-label="Operator">
          <SelectValue placeholder="Operator…" />
        </SelectTrigger>
        <SelectContent>
          {(def?.operators ?? []).map((op) => (
            <SelectItem key={op} value={op}>
              {operatorLabel(op, def?.type)}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <div className={cn('min-w-0', incomplete && '[&_input]:border-amber-400')}>
        {def && condition.op ? (
          <ValueInput
            def={def}
            condition={condition}
            onChange={(value) => onChange({ ...condition, value })}
            campaigns={campaigns}
          />
        ) : null}
      </div>
      <Button variant="ghost" size="icon" onClick={onRemove} aria-label="Remove condition">
        <X aria-hidden="true" />
      </Button>
    </li>
  );
}

function GroupEditor({
  group,
  fields,
  depth,
  setRoot,
  root,
  campaigns,
}: {
  group: DraftGroup;
  fields: FilterField[];
  depth: number;
  root: DraftGroup;
  setRoot: (g: DraftGroup) => void;
  campaigns: CampaignOption[];
}) {
  const setGroup = (next: DraftGroup) => {
    if (depth === 0) setRoot(next);
    else setRoot(updateNode(root, group.id, () => next));
  };
  return (
    <div
      className={cn('grid gap-2', depth > 0 && 'rounded-md border border-dashed border-border bg-subtle p-3')}
    >
      <div className="flex items-center gap-2 text-[0.8125rem] text-muted-foreground">
        <span>Match</span>
        <Select
          value={group.combinator}
          onValueChange={(v) => setGroup({ ...group, combinator: v as 'and' | 'or' })}
        >
          <SelectTrigger
            size="sm"
            className="h-7 w-20"
            aria-label={depth === 0 ? 'Match all or any' : 'Group: match all or any'}
          >
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="and">all</SelectItem>
            <SelectItem value="or">any</SelectItem>
          </SelectContent>
        </Select>
        <span>of these conditions</span>
        {depth > 0 ? (
          <Button
            variant="ghost"
            size="sm"
            className="ml-auto h-7"
            onClick={() => setRoot(updateNode(root, group.id, () => null))}
            aria-label="Remove group"
          >
            <Trash2 aria-hidden="true" />
            Remove group
          </Button>
        ) : null}
      </div>
      <ul className="grid gap-2">
        {group.children.map((child) =>
          child.kind === 'condition' ? (
            <ConditionRow
              key={child.id}
              condition={child}
              fields={fields}
              campaigns={campaigns}
              onChange={(c) =>
                setGroup({ ...group, children: group.children.map((x) => (x.id === c.id ? c : x)) })
              }
              onRemove={() =>
                setGroup({ ...group, children: group.children.filter((x) => x.id !== child.id) })
              }
            />
          ) : (
            <li key={child.id}>
              <GroupEditor
                group={child}
                fields={fields}
                depth={depth + 1}
                root={root}
                setRoot={setRoot}
                campaigns={campaigns}
              />
            </li>
          ),
        )}
      </ul>
      <div className="flex gap-2">
        <Button
          variant="ghost"
          size="sm"
          onClick={() => setGroup({ ...group, children: [...group.children, emptyCondition()] })}
        >
          <Plus aria-hidden="true" />
          Add condition
        </Button>
        {depth === 0 ? (
          <Button
            variant="ghost"
            size="sm"
            onClick={() =>
              setGroup({
                ...group,
                children: [...group.children, emptyGroup(group.combinator === 'and' ? 'or' : 'and')],
              })
            }
          >
            <Plus aria-hidden="true" />
            Add group
          </Button>
        ) : null}
      </div>
    </div>
  );
}

/** The filter panel: and/or groups of conditions built from GET /contacts/filter-fields. */
export function FilterBuilder({
  fields,
  loading,
  value,
  onApply,
  onClose,
  error,
  clearLabel = 'Clear all',
  campaigns = [],
}: {
  fields: FilterField[] | undefined;
  loading: boolean;
  value: FilterNode | undefined;
  onApply: (filter: FilterNode | undefined) => void;
  onClose: () => void;
  error?: string | undefined;
  /** The label of the button that empties the filter. */
  clearLabel?: string;
  /** Campaigns the email activity condition can name (empty: "any email" only). */
  campaigns?: CampaignOption[];
}) {
  const [draft, setDraft] = React.useState<DraftGroup>(() => fromFilterNode(value));
  const node = toFilterNode(draft);

  return (
    <section
      aria-label="Filter contacts"
      className="grid gap-4 rounded-lg border border-border bg-background p-4 shadow-sm"
      data-testid="filter-builder"
    >
      <div className="flex items-center gap-2">
        <ListFilter aria-hidden="true" className="size-4 text-muted-foreground" />
        <h2 className="text-sm font-semibold">Filter contacts</h2>
        <Button variant="ghost" size="icon" className="ml-auto" onClick={onClose} aria-label="Close filters">
          <X aria-hidden="true" />
        </Button>
      </div>
      {loading || !fields ? (
        <div className="grid gap-2" role="status" aria-label="Loading fields">
          <Skeleton className="h-8 w-full" />
          <Skeleton className="h-8 w-2/3" />
        </div>
      ) : (
        <GroupEditor
          group={draft}
          fields={fields}
          depth={0}
          root={draft}
          setRoot={setDraft}
          campaigns={campaigns}
        />
      )}
      {error ? (
        <p role="alert" className="text-[0.8125rem] text-destructive">
          {error}
        </p>
      ) : null}
      <div className="flex items-center justify-end gap-2 border-t border-border pt-3">
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            setDraft(emptyGroup());
            onApply(undefined);
          }}
        >
          {clearLabel}
        </Button>
        <Button size="sm" onClick={() => onApply(node)} disabled={!node && !value}>
          Apply filter
        </Button>
      </div>
    </section>
  );
}
