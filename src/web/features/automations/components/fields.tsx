import * as React from 'react';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';

/** Radix Select has no empty value: optional choices use this one. */
export const NONE = '__none';

export interface Choice {
  value: string;
  label: string;
  description?: string;
}

export function SelectField({
  label,
  value,
  onChange,
  choices,
  placeholder = 'Choose…',
  disabled,
  error,
  hint,
  none,
}: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  choices: Choice[];
  placeholder?: string;
  disabled?: boolean;
  error?: string;
  hint?: React.ReactNode;
  /** The label of "no choice" (optional fields), e.g. "Any campaign". */
  none?: string;
}) {
  const id = React.useId();
  const controlId = `select-${id}`;
  const messageId = `${controlId}-message`;
  const known = value === undefined || value === '' || choices.some((c) => c.value === value);
  // FormField's Slot would give the id to Radix's Root (no element): the trigger takes it here.
  return (
    <div className="grid gap-2">
      <Label htmlFor={controlId}>{label}</Label>
      <Select
        value={value ? value : none ? NONE : ''}
        onValueChange={(v) => onChange(v === NONE ? undefined : v)}
        disabled={disabled}
      >
        <SelectTrigger
          id={controlId}
          aria-invalid={error ? true : undefined}
          aria-describedby={error || hint ? messageId : undefined}
        >
          <SelectValue placeholder={placeholder} />
        </SelectTrigger>
        <SelectContent>
          {none ? <SelectItem value={NONE}>{none}</SelectItem> : null}
          {!known && value ? <SelectItem value={value}>{value} (not found)</SelectItem> : null}
          {choices.map((c) => (
            <SelectItem key={c.value} value={c.value} description={c.description}>
              {c.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {error ? (
        <p id={messageId} className="text-[0.8125rem] text-destructive">
          {error}
        </p>
      ) : hint ? (
        <p id={messageId} className="text-[0.8125rem] text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function TextField({
  label,
  value,
  onChange,
  disabled,
  error,
  hint,
  type = 'text',
  placeholder,
  list,
  className,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  error?: string;
  hint?: React.ReactNode;
  type?: string;
  placeholder?: string;
  list?: string;
  className?: string;
}) {
  return (
    <FormField label={label} error={error} hint={hint} className={className}>
      <Input
        type={type}
        value={value}
        placeholder={placeholder}
        list={list}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      />
    </FormField>
  );
}

/** A number box that lets the field be empty while typing (the value stays the last number). */
export function NumberField({
  label,
  value,
  onChange,
  disabled,
  min,
  max,
  error,
  className,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  disabled?: boolean;
  min?: number;
  max?: number;
  error?: string;
  className?: string;
}) {
  const [text, setText] = React.useState(String(value));
  React.useEffect(() => {
    setText((t) => (Number(t) === value && t !== '' ? t : String(value)));
  }, [value]);
  return (
    <FormField label={label} error={error} className={className}>
      <Input
        type="number"
        inputMode="numeric"
        value={text}
        min={min}
        max={max}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value);
          const n = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(n)) onChange(n);
        }}
      />
    </FormField>
  );
}
