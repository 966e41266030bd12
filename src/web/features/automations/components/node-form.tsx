import {
  DURATION_UNITS,
  type Duration,
  EMAIL_TRIGGER_TYPES,
  type NodeOf,
  TRIGGER_TYPES,
  type Trigger,
  type TriggerType,
  type WaitEvent,
  WEEKDAYS,
  type WorkflowNode,
} from '@common/automations';
import type { FilterField } from '@common/filters';
import { Plus, Trash2 } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { FormField } from '@/components/ui/form-field';
import { Label } from '@/components/ui/label';
import { Switch } from '@/components/ui/switch';
import { Textarea } from '@/components/ui/textarea';
import { TRIGGER_LABELS } from '../lib/node-types';
import { ConditionEditor } from './condition-editor';
import { type Choice, NumberField, SelectField, TextField } from './fields';
import { WebhookSecret } from './webhook-secret';

/** What the forms pick from (other modules' lists). */
export interface BuilderOptions {
  templates: Choice[];
  segments: Choice[];
  campaigns: Choice[];
  members: Choice[];
  /** Custom fields of type date, as `custom.<key>`. */
  dateFields: Choice[];
  /** Contact fields a condition can test (GET /contacts/filter-fields). */
  filterFields: FilterField[];
  tags: string[];
}

const UNIT_LABELS: Record<Duration['unit'], string> = {
  seconds: 'Seconds',
  minutes: 'Minutes',
  hours: 'Hours',
  days: 'Days',
  weeks: 'Weeks',
};
const DAY_LABELS: Record<(typeof WEEKDAYS)[number], string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

function DurationFields({
  label,
  value,
  onChange,
  disabled,
}: {
  label: string;
  value: Duration;
  onChange: (d: Duration) => void;
  disabled: boolean;
}) {
  return (
    <fieldset className="grid grid-cols-2 gap-2">
      <legend className="mb-2 text-sm font-medium">{label}</legend>
      <NumberField
        label={`${label} amount`}
        value={value.amount}
        min={0}
        disabled={disabled}
        onChange={(amount) => onChange({ ...value, amount })}
      />
      <SelectField
        label={`${label} unit`}
        value={value.unit}
        disabled={disabled}
        choices={(value.unit === 'seconds' ? (['seconds', ...DURATION_UNITS] as const) : DURATION_UNITS).map(
          (u) => ({
            value: u,
            label: UNIT_LABELS[u],
          }),
        )}
        onChange={(unit) => onChange({ ...value, unit: (unit ?? 'days') as Duration['unit'] })}
      />
    </fieldset>
  );
}

function TagField({
  label,
  value,
  onChange,
  tags,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  tags: string[];
  disabled: boolean;
}) {
  const listId = React.useId();
  return (
    <>
      <TextField
        label={label}
        value={value}
        onChange={onChange}
        disabled={disabled}
        list={listId}
        hint="An existing tag, or a new one (created when the step runs)."
      />
      <datalist id={listId}>
        {tags.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </>
  );
}

/** Fields a step may set: the contact's own fields and custom fields (not tags, company or activity). */
function settableFields(fields: FilterField[]): Choice[] {
  return fields
    .filter(
      (f) =>
        f.type !== 'tags' &&
        f.type !== 'email_activity' &&
        !f.field.startsWith('company.') &&
        f.field !== 'email',
    )
    .map((f) => ({ value: f.field, label: f.label }));
}

function TriggerForm({
  trigger,
  onChange,
  options,
  disabled,
}: {
  trigger: Trigger;
  onChange: (t: Trigger) => void;
  options: BuilderOptions;
  disabled: boolean;
}) {
  const setType = (type: TriggerType) => {
    if ((EMAIL_TRIGGER_TYPES as readonly string[]).includes(type)) return onChange({ type } as Trigger);
    switch (type) {
      case 'tag.added':
      case 'tag.removed':
        return onChange({ type, tag: 'tag' in trigger ? trigger.tag : '' });
      case 'segment.entered':
      case 'segment.left':
        return onChange({ type, segmentId: 'segmentId' in trigger ? trigger.segmentId : '' });
      case 'event':
        return onChange({ type, name: '' });
      case 'date':
        return onChange({ type, field: options.dateFields[0]?.value ?? '', offsetDays: 0, time: '09:00' });
      default:
        return onChange({ type } as Trigger);
    }
  };
  return (
    <>
      <SelectField
        label="Trigger"
        value={trigger.type}
        disabled={disabled}
        choices={TRIGGER_TYPES.map((t) => ({ value: t, label: TRIGGER_LABELS[t] }))}
        onChange={(v) => v && setType(v as TriggerType)}
      />
      {trigger.type === 'contact.updated' ? (
        <>
          <SelectField
            label="Field"
            value={trigger.field}
            none="Any field"
            disabled={disabled}
            choices={settableFields(options.filterFields)}
            onChange={(field) => {
              const { field: _f, ...rest } = trigger;
              onChange(field ? { ...rest, field } : rest);
            }}
          />
          {trigger.field ? (
            <div className="grid grid-cols-2 gap-2">
              <TextField
                label="From value"
                placeholder="any"
                value={trigger.from == null ? '' : String(trigger.from)}
                disabled={disabled}
                onChange={(v) => {
                  const { from: _f, ...rest } = trigger;
                  onChange(v === '' ? rest : { ...rest, from: v });
                }}
              />
              <TextField
                label="To value"
                placeholder="any"
                value={trigger.to == null ? '' : String(trigger.to)}
                disabled={disabled}
                onChange={(v) => {
                  const { to: _t, ...rest } = trigger;
                  onChange(v === '' ? rest : { ...rest, to: v });
                }}
              />
            </div>
          ) : null}
        </>
      ) : null}
      {trigger.type === 'tag.added' || trigger.type === 'tag.removed' ? (
        <TagField
          label="Tag"
          value={trigger.tag}
          tags={options.tags}
          disabled={disabled}
          onChange={(tag) => onChange({ ...trigger, tag })}
        />
      ) : null}
      {trigger.type === 'segment.entered' || trigger.type === 'segment.left' ? (
        <SelectField
          label="Segment"
          value={trigger.segmentId}
          disabled={disabled}
          choices={options.segments}
          placeholder={options.segments.length ? 'Choose a segment…' : 'No segments yet'}
          onChange={(segmentId) => onChange({ ...trigger, segmentId: segmentId ?? '' })}
        />
      ) : null}
      {(EMAIL_TRIGGER_TYPES as readonly string[]).includes(trigger.type) ? (
        <EmailTriggerFields trigger={trigger} onChange={onChange} options={options} disabled={disabled} />
      ) : null}
      {trigger.type === 'event' ? (
        <TextField
          label="Event name"
          value={trigger.name}
          disabled={disabled}
          placeholder="trial.started"
          hint="The name sent to POST /api/v1/events."
          onChange={(name) => onChange({ ...trigger, name })}
        />
      ) : null}
      {trigger.type === 'date' ? (
        <>
          <SelectField
            label="Date field"
            value={trigger.field}
            disabled={disabled}
            choices={options.dateFields}
            placeholder={options.dateFields.length ? 'Choose a date field…' : 'No custom date fields yet'}
            hint="Custom fields of type date (Settings → Fields)."
            onChange={(field) => onChange({ ...trigger, field: field ?? '' })}
          />
          <div className="grid grid-cols-2 gap-2">
            <NumberField
              label="Offset days"
              value={trigger.offsetDays}
              min={-365}
              max={365}
              disabled={disabled}
              onChange={(offsetDays) => onChange({ ...trigger, offsetDays: Math.trunc(offsetDays) })}
            />
            <TextField
              label="Time"
              type="time"
              value={trigger.time}
              disabled={disabled}
              onChange={(time) => onChange({ ...trigger, time })}
            />
          </div>
          <p className="text-[0.8125rem] text-muted-foreground">
            Negative days are before the date (−3 = three days before), in the organisation’s time zone.
          </p>
        </>
      ) : null}
    </>
  );
}

function EmailTriggerFields({
  trigger,
  onChange,
  options,
  disabled,
}: {
  trigger: Trigger;
  onChange: (t: Trigger) => void;
  options: BuilderOptions;
  disabled: boolean;
}) {
  if (!(EMAIL_TRIGGER_TYPES as readonly string[]).includes(trigger.type)) return null;
  const t = trigger as Extract<Trigger, { type: (typeof EMAIL_TRIGGER_TYPES)[number] }>;
  return (
    <>
      <SelectField
        label="Campaign"
        value={t.campaignId}
        none="Any email"
        disabled={disabled}
        choices={options.campaigns}
        onChange={(campaignId) => {
          const { campaignId: _c, ...rest } = t;
          onChange(campaignId ? { ...rest, campaignId } : rest);
        }}
      />
      {t.type === 'email.clicked' ? (
        <TextField
          label="Link contains"
          placeholder="any link"
          value={t.url ?? ''}
          disabled={disabled}
          onChange={(url) => {
            const { url: _u, ...rest } = t;
            onChange(url ? { ...rest, url } : rest);
          }}
        />
      ) : null}
      {t.type === 'email.opened' || t.type === 'email.clicked' ? (
        <div className="flex items-center gap-2">
          <Switch
            id="trigger-include-machine"
            checked={t.includeMachine === true}
            disabled={disabled}
            onCheckedChange={(on) => {
              const { includeMachine: _m, ...rest } = t;
              onChange(on ? { ...rest, includeMachine: true } : rest);
            }}
          />
          <Label htmlFor="trigger-include-machine">Count machine opens and clicks too</Label>
        </div>
      ) : null}
    </>
  );
}

function WaitEventForm({
  node,
  onChange,
  options,
  disabled,
}: {
  node: NodeOf<'wait_event'>;
  onChange: (n: WorkflowNode) => void;
  options: BuilderOptions;
  disabled: boolean;
}) {
  const e = node.event;
  const setEvent = (event: WaitEvent) => onChange({ ...node, event });
  return (
    <>
      <SelectField
        label="Wait for"
        value={e.type}
        disabled={disabled}
        choices={[
          { value: 'email.opened', label: 'An email is opened' },
          { value: 'email.clicked', label: 'A link is clicked' },
          { value: 'event', label: 'A custom event' },
          { value: 'tag.added', label: 'A tag is added' },
        ]}
        onChange={(type) => {
          if (type === 'event') setEvent({ type, name: '' });
          else if (type === 'tag.added') setEvent({ type, tag: '' });
          else if (type === 'email.opened' || type === 'email.clicked') setEvent({ type });
        }}
      />
      {e.type === 'email.opened' || e.type === 'email.clicked' ? (
        <>
          <SelectField
            label="Campaign"
            value={e.campaignId}
            none="Any email"
            disabled={disabled}
            choices={options.campaigns}
            onChange={(campaignId) => {
              const { campaignId: _c, ...rest } = e;
              setEvent(campaignId ? { ...rest, campaignId } : rest);
            }}
          />
          {e.type === 'email.clicked' ? (
            <TextField
              label="Link contains"
              placeholder="any link"
              value={e.url ?? ''}
              disabled={disabled}
              onChange={(url) => {
                const { url: _u, ...rest } = e;
                setEvent(url ? { ...rest, url } : rest);
              }}
            />
          ) : null}
        </>
      ) : null}
      {e.type === 'event' ? (
        <TextField
          label="Event name"
          value={e.name}
          disabled={disabled}
          onChange={(name) => setEvent({ ...e, name })}
        />
      ) : null}
      {e.type === 'tag.added' ? (
        <TagField
          label="Tag"
          value={e.tag}
          tags={options.tags}
          disabled={disabled}
          onChange={(tag) => setEvent({ ...e, tag })}
        />
      ) : null}
      <DurationFields
        label="Timeout"
        value={node.timeout}
        disabled={disabled}
        onChange={(timeout) => onChange({ ...node, timeout })}
      />
      <p className="text-[0.8125rem] text-muted-foreground">
        The run continues on “event” when it happens, on “timeout” when the time is up.
      </p>
    </>
  );
}

/** ISO instant → the value of a datetime-local input (local time). */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function WaitUntilForm({
  node,
  onChange,
  disabled,
}: {
  node: NodeOf<'wait_until'>;
  onChange: (n: WorkflowNode) => void;
  disabled: boolean;
}) {
  const mode = node.at !== undefined ? 'at' : 'window';
  const { at: _a, window: _w, ...base } = node;
  return (
    <>
      <SelectField
        label="Wait until"
        value={mode}
        disabled={disabled}
        choices={[
          { value: 'at', label: 'A date and time' },
          { value: 'window', label: 'A weekly time window' },
        ]}
        onChange={(m) =>
          onChange(
            m === 'at'
              ? { ...base, at: new Date(Date.now() + 86_400_000).toISOString() }
              : {
                  ...base,
                  window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
                },
          )
        }
      />
      {node.at !== undefined ? (
        <TextField
          label="Date and time"
          type="datetime-local"
          value={toLocalInput(node.at)}
          disabled={disabled}
          hint="In your browser’s time zone."
          onChange={(v) => {
            const d = new Date(v);
            onChange({ ...base, at: Number.isNaN(d.getTime()) ? '' : d.toISOString() });
          }}
        />
      ) : node.window ? (
        <>
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">Days</legend>
            <div className="flex flex-wrap gap-3">
              {WEEKDAYS.map((d) => {
                const id = `window-day-${d}`;
                const on = node.window!.days.includes(d);
                return (
                  <div key={d} className="flex items-center gap-1.5">
                    <Checkbox
                      id={id}
                      checked={on}
                      disabled={disabled}
                      onCheckedChange={(c) => {
                        const days = c
                          ? WEEKDAYS.filter((x) => x === d || node.window!.days.includes(x))
                          : node.window!.days.filter((x) => x !== d);
                        onChange({ ...base, window: { ...node.window!, days } });
                      }}
                    />
                    <Label htmlFor={id}>{DAY_LABELS[d]}</Label>
                  </div>
                );
              })}
            </div>
          </fieldset>
          <div className="grid grid-cols-2 gap-2">
            <TextField
              label="From"
              type="time"
              value={node.window.from}
              disabled={disabled}
              onChange={(from) => onChange({ ...base, window: { ...node.window!, from } })}
            />
            <TextField
              label="To"
              type="time"
              value={node.window.to}
              disabled={disabled}
              onChange={(to) => onChange({ ...base, window: { ...node.window!, to } })}
            />
          </div>
          <p className="text-[0.8125rem] text-muted-foreground">In the organisation’s time zone.</p>
        </>
      ) : null}
    </>
  );
}

function SplitForm({
  node,
  onChange,
  onRenameExit,
  disabled,
}: {
  node: NodeOf<'split'>;
  onChange: (n: WorkflowNode) => void;
  onRenameExit: (from: string, to: string) => void;
  disabled: boolean;
}) {
  const total = node.branches.reduce((s, b) => s + b.percent, 0);
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-1 text-sm font-medium">Branches</legend>
      {node.branches.map((b, i) => (
        <div key={i} className="grid grid-cols-[1fr_6rem_auto] items-end gap-2" data-testid="split-branch">
          <TextField
            label={`Branch ${i + 1} label`}
            value={b.label}
            disabled={disabled}
            onChange={(label) => {
              onRenameExit(b.label, label);
              onChange({ ...node, branches: node.branches.map((x, j) => (j === i ? { ...x, label } : x)) });
            }}
          />
          <NumberField
            label={`Branch ${i + 1} %`}
            value={b.percent}
            min={0}
            max={100}
            disabled={disabled}
            onChange={(percent) =>
              onChange({
                ...node,
                branches: node.branches.map((x, j) => (j === i ? { ...x, percent: Math.round(percent) } : x)),
              })
            }
          />
          <Button
            variant="ghost"
            size="icon"
            aria-label={`Remove branch ${i + 1}`}
            disabled={disabled || node.branches.length <= 2}
            onClick={() => onChange({ ...node, branches: node.branches.filter((_x, j) => j !== i) })}
          >
            <Trash2 aria-hidden="true" />
          </Button>
        </div>
      ))}
      <div className="flex items-center justify-between">
        <Button
          variant="ghost"
          size="sm"
          disabled={disabled || node.branches.length >= 5}
          onClick={() => {
            const taken = new Set(node.branches.map((b) => b.label));
            const label =
              ['A', 'B', 'C', 'D', 'E', 'F'].find((l) => !taken.has(l)) ??
              `Branch ${node.branches.length + 1}`;
            onChange({ ...node, branches: [...node.branches, { label, percent: 0 }] });
          }}
        >
          <Plus aria-hidden="true" />
          Add branch
        </Button>
        <span className={total === 100 ? 'text-sm text-muted-foreground' : 'text-sm text-destructive'}>
          Total {total}%
        </span>
      </div>
    </fieldset>
  );
}

/** The side panel's form for one step: every field of its type, labelled for screen readers and tests. */
export function NodeForm({
  orgId,
  node,
  onChange,
  onRenameExit,
  options,
  disabled,
}: {
  orgId: string;
  node: WorkflowNode;
  onChange: (node: WorkflowNode) => void;
  onRenameExit: (from: string, to: string) => void;
  options: BuilderOptions;
  disabled: boolean;
}) {
  let body: React.ReactNode = null;
  switch (node.type) {
    case 'trigger':
      body = (
        <TriggerForm
          trigger={node.trigger}
          options={options}
          disabled={disabled}
          onChange={(trigger) => onChange({ ...node, trigger })}
        />
      );
      break;
    case 'send_email':
      body = (
        <SelectField
          label="Template"
          value={node.templateId}
          disabled={disabled}
          choices={options.templates}
          placeholder={options.templates.length ? 'Choose a template…' : 'No templates yet'}
          hint="Sent once per contact and run, from the default sender; never to unsubscribed contacts."
          onChange={(templateId) => onChange({ ...node, templateId: templateId ?? '' })}
        />
      );
      break;
    case 'add_tag':
    case 'remove_tag':
      body = (
        <TagField
          label="Tag"
          value={node.tag}
          tags={options.tags}
          disabled={disabled}
          onChange={(tag) => onChange({ ...node, tag })}
        />
      );
      break;
    case 'update_field': {
      const field = options.filterFields.find((f) => f.field === node.field);
      body = (
        <>
          <SelectField
            label="Field"
            value={node.field}
            disabled={disabled}
            choices={settableFields(options.filterFields)}
            onChange={(f) => onChange({ ...node, field: f ?? '' })}
          />
          {field?.type === 'boolean' ? (
            <SelectField
              label="Value"
              value={node.value === true ? 'true' : node.value === false ? 'false' : undefined}
              disabled={disabled}
              choices={[
                { value: 'true', label: 'Yes' },
                { value: 'false', label: 'No' },
              ]}
              onChange={(v) => onChange({ ...node, value: v === 'true' })}
            />
          ) : (
            <TextField
              label="Value"
              type={field?.type === 'date' ? 'date' : field?.type === 'number' ? 'number' : 'text'}
              value={node.value == null ? '' : String(node.value)}
              disabled={disabled}
              hint="Leave empty to clear the field."
              onChange={(v) => {
                const n = Number(v);
                onChange({
                  ...node,
                  value: v === '' ? null : field?.type === 'number' && Number.isFinite(n) ? n : v,
                });
              }}
            />
          )}
        </>
      );
      break;
    }
    case 'wait':
      body = (
        <DurationFields
          label="Wait"
          value={node.duration}
          disabled={disabled}
          onChange={(duration) => onChange({ ...node, duration })}
        />
      );
      break;
    case 'wait_until':
      body = <WaitUntilForm node={node} onChange={onChange} disabled={disabled} />;
      break;
    case 'wait_event':
      body = <WaitEventForm node={node} onChange={onChange} options={options} disabled={disabled} />;
      break;
    case 'webhook':
      body = (
        <>
          <TextField
            label="Webhook URL"
            type="url"
            placeholder="https://example.com/hooks/moxora"
            value={node.url}
            disabled={disabled}
            hint="POSTs the contact and the run as JSON, signed with Standard Webhooks headers."
            onChange={(url) => onChange({ ...node, url })}
          />
          <PayloadField
            value={node.payload}
            disabled={disabled}
            onChange={(payload) => {
              const { payload: _p, ...rest } = node;
              onChange(payload ? { ...rest, payload } : rest);
            }}
          />
          <WebhookSecret orgId={orgId} disabled={disabled} />
        </>
      );
      break;
    case 'notify':
      body = (
        <>
          <SelectField
            label="Teammate"
            value={node.userId}
            none="The contact’s owner"
            disabled={disabled}
            choices={options.members}
            onChange={(userId) => {
              const { userId: _u, ...rest } = node;
              onChange(userId ? { ...rest, userId } : rest);
            }}
          />
          <FormField label="Message" hint="Sent by email and shown under the bell.">
            <Textarea
              value={node.message}
              disabled={disabled}
              onChange={(e) => onChange({ ...node, message: e.target.value })}
            />
          </FormField>
        </>
      );
      break;
    case 'note':
      body = (
        <FormField label="Note" hint="Markdown. Added to the contact as written by the automation.">
          <Textarea
            rows={5}
            value={node.body}
            disabled={disabled}
            onChange={(e) => onChange({ ...node, body: e.target.value })}
          />
        </FormField>
      );
      break;
    case 'condition':
      body = (
        <ConditionEditor
          filter={node.filter}
          rules={node.rules}
          fields={options.filterFields}
          campaigns={options.campaigns}
          disabled={disabled}
          onChange={({ filter, rules }) => {
            const { filter: _f, rules: _r, ...rest } = node;
            onChange({ ...rest, ...(filter ? { filter } : {}), ...(rules ? { rules } : {}) });
          }}
        />
      );
      break;
    case 'split':
      body = <SplitForm node={node} onChange={onChange} onRenameExit={onRenameExit} disabled={disabled} />;
      break;
    case 'exit':
      body = <p className="text-sm text-muted-foreground">The run ends here (“exited”).</p>;
      break;
  }
  return (
    <div className="grid gap-4">
      {body}
      <TextField
        label="Step label (optional)"
        value={node.label ?? ''}
        disabled={disabled}
        onChange={(label) => {
          const { label: _l, ...rest } = node;
          onChange((label ? { ...rest, label } : rest) as WorkflowNode);
        }}
      />
    </div>
  );
}

function PayloadField({
  value,
  onChange,
  disabled,
}: {
  value: Record<string, unknown> | undefined;
  onChange: (v: Record<string, unknown> | undefined) => void;
  disabled: boolean;
}) {
  const [text, setText] = React.useState(value ? JSON.stringify(value, null, 2) : '');
  const [error, setError] = React.useState<string | undefined>();
  return (
    <FormField
      label="Extra JSON (optional)"
      error={error}
      hint="Merged into the body, e.g. {&quot;source&quot;: &quot;moxora&quot;}."
    >
      <Textarea
        rows={4}
        className="font-mono text-xs"
        value={text}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setError(undefined);
            return onChange(undefined);
          }
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('an object');
            setError(undefined);
            onChange(parsed as Record<string, unknown>);
          } catch {
            setError('Write a JSON object, e.g. {"key": "value"}');
          }
        }}
      />
    </FormField>
  );
}
