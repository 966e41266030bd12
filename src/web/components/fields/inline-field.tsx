import { CircleAlert, Pencil } from 'lucide-react';
import * as React from 'react';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Spinner } from '@/components/ui/spinner';
import { Switch } from '@/components/ui/switch';
import { Textarea } from '@/components/ui/textarea';
import { cn } from '@/lib/utils';

/** One labelled row of a details list: label on the left (or above on small screens), value on the right. */
export function FieldRow({
  label,
  htmlFor,
  children,
  error,
  className,
}: {
  label: React.ReactNode;
  htmlFor?: string;
  children: React.ReactNode;
  error?: string | undefined;
  className?: string;
}) {
  return (
    <div className={cn('grid gap-1 py-2 sm:grid-cols-[10rem_1fr] sm:gap-4', className)}>
      <dt className="pt-1.5 text-[0.8125rem] text-muted-foreground">
        {htmlFor ? <label htmlFor={htmlFor}>{label}</label> : label}
      </dt>
      <dd className="min-w-0">
        {children}
        {error ? (
          <p role="alert" className="mt-1 flex items-start gap-1.5 text-[0.8125rem] text-destructive">
            <CircleAlert aria-hidden="true" className="mt-0.5 size-3.5 shrink-0" />
            <span>{error}</span>
          </p>
        ) : null}
      </dd>
    </div>
  );
}

export interface InlineTextFieldProps {
  label: string;
  /** The text shown when not editing (already formatted). Empty shows the placeholder. */
  display: React.ReactNode;
  /** The text the editor starts with. */
  initial: string;
  /** Saves the edited text; rejecting keeps the editor open and shows `errorFor(error)`. */
  onSave: (text: string) => Promise<unknown>;
  errorFor: (error: unknown) => string;
  disabled?: boolean;
  multiline?: boolean;
  type?: 'text' | 'email' | 'url' | 'tel' | 'date';
  inputMode?: React.HTMLAttributes<HTMLInputElement>['inputMode'];
  placeholder?: string;
  emptyLabel?: string;
  className?: string;
  testId?: string;
}

/**
 * Click to edit; Enter (or leaving the field) saves, Escape cancels. A failed save keeps the
 * editor open with the server's message under it.
 */
export function InlineTextField({
  label,
  display,
  initial,
  onSave,
  errorFor,
  disabled = false,
  multiline = false,
  type = 'text',
  inputMode,
  placeholder,
  emptyLabel = 'Empty',
  className,
  testId,
}: InlineTextFieldProps) {
  const id = React.useId();
  const [editing, setEditing] = React.useState(false);
  const [text, setText] = React.useState(initial);
  const [error, setError] = React.useState<string>();
  const [saving, setSaving] = React.useState(false);
  const inputRef = React.useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const savingRef = React.useRef(false);

  const start = () => {
    if (disabled) return;
    setText(initial);
    setError(undefined);
    setEditing(true);
  };

  React.useEffect(() => {
    if (editing) inputRef.current?.focus();
  }, [editing]);

  const save = async () => {
    if (savingRef.current) return;
    if (text === initial && !error) {
      setEditing(false);
      return;
    }
    savingRef.current = true;
    setSaving(true);
    try {
      await onSave(text);
      setError(undefined);
      setEditing(false);
    } catch (e) {
      setError(errorFor(e));
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  };

  const cancel = () => {
    setText(initial);
    setError(undefined);
    setEditing(false);
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    } else if (event.key === 'Enter' && (!multiline || event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      void save();
    }
  };

  const isEmpty = display === null || display === undefined || display === '';

  return (
    <FieldRow
      label={label}
      htmlFor={editing ? id : undefined}
      error={editing ? error : undefined}
      className={className}
    >
      {editing ? (
        <div className="relative">
          {multiline ? (
            <Textarea
              ref={inputRef}
              id={id}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={onKeyDown}
              onBlur={() => void save()}
              aria-invalid={error ? true : undefined}
              placeholder={placeholder}
              disabled={saving}
              data-testid={testId ? `${testId}-input` : undefined}
            />
          ) : (
            <Input
              ref={inputRef}
              id={id}
              type={type}
              inputMode={inputMode}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={onKeyDown}
              onBlur={() => void save()}
              aria-invalid={error ? true : undefined}
              placeholder={placeholder}
              className="h-8"
              readOnly={saving}
              data-testid={testId ? `${testId}-input` : undefined}
            />
          )}
          {saving ? (
            <span className="absolute top-2 right-2 text-muted-foreground">
              <Spinner label="Saving" />
            </span>
          ) : null}
        </div>
      ) : disabled ? (
        <div
          className={cn('min-h-8 py-1.5 break-words', isEmpty && 'text-muted-foreground')}
          data-testid={testId}
        >
          {isEmpty ? '—' : display}
        </div>
      ) : (
        <button
          type="button"
          onClick={start}
          aria-label={`Edit ${label}`}
          data-testid={testId}
          className={cn(
            'group -mx-2 flex min-h-8 w-[calc(100%+1rem)] items-start justify-between gap-2 rounded-md px-2 py-1.5 text-left outline-none',
            'hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring',
          )}
        >
          <span
            className={cn(
              'min-w-0 break-words',
              isEmpty && 'text-muted-foreground',
              multiline && 'whitespace-pre-wrap',
            )}
          >
            {isEmpty ? emptyLabel : display}
          </span>
          <Pencil
            aria-hidden="true"
            className="mt-0.5 size-3.5 shrink-0 text-muted-foreground opacity-0 group-hover:opacity-100 group-focus-visible:opacity-100"
          />
        </button>
      )}
    </FieldRow>
  );
}

const NONE = '__none__';

export interface InlineSelectFieldProps {
  label: string;
  value: string | null;
  options: ReadonlyArray<{ value: string; label: string }>;
  onSave: (value: string | null) => Promise<unknown>;
  errorFor: (error: unknown) => string;
  disabled?: boolean;
  /** Offers "None" (saves null). */
  allowEmpty?: boolean;
  emptyLabel?: string;
}

/** A select that saves as soon as a value is picked. */
export function InlineSelectField({
  label,
  value,
  options,
  onSave,
  errorFor,
  disabled = false,
  allowEmpty = false,
  emptyLabel = 'None',
}: InlineSelectFieldProps) {
  const id = React.useId();
  const [error, setError] = React.useState<string>();
  const [saving, setSaving] = React.useState(false);
  const onChange = async (next: string) => {
    const v = next === NONE ? null : next;
    if (v === value) return;
    setSaving(true);
    try {
      await onSave(v);
      setError(undefined);
    } catch (e) {
      setError(errorFor(e));
    } finally {
      setSaving(false);
    }
  };
  const known = value === null || options.some((o) => o.value === value);
  return (
    <FieldRow label={label} htmlFor={id} error={error}>
      <Select value={value ?? NONE} onValueChange={(v) => void onChange(v)} disabled={disabled || saving}>
        <SelectTrigger id={id} size="sm" className="max-w-xs" aria-invalid={error ? true : undefined}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {allowEmpty || value === null ? <SelectItem value={NONE}>{emptyLabel}</SelectItem> : null}
          {!known && value !== null ? <SelectItem value={value}>{value}</SelectItem> : null}
          {options.map((o) => (
            <SelectItem key={o.value} value={o.value}>
              {o.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </FieldRow>
  );
}

export interface InlineSwitchFieldProps {
  label: string;
  checked: boolean;
  onSave: (checked: boolean) => Promise<unknown>;
  errorFor: (error: unknown) => string;
  disabled?: boolean;
  description?: React.ReactNode;
}

/** A toggle that saves when flipped. */
export function InlineSwitchField({
  label,
  checked,
  onSave,
  errorFor,
  disabled,
  description,
}: InlineSwitchFieldProps) {
  const [error, setError] = React.useState<string>();
  const [saving, setSaving] = React.useState(false);
  const onChange = async (next: boolean) => {
    setSaving(true);
    try {
      await onSave(next);
      setError(undefined);
    } catch (e) {
      setError(errorFor(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <FieldRow label={label} error={error}>
      <div className="flex min-h-8 items-center gap-3">
        <Switch
          checked={checked}
          onCheckedChange={(v) => void onChange(v)}
          disabled={disabled || saving}
          aria-label={label}
        />
        {description ? <span className="text-[0.8125rem] text-muted-foreground">{description}</span> : null}
      </div>
    </FieldRow>
  );
}
