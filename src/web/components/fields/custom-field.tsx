import { ChevronDown } from 'lucide-react';
import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { formatDate } from '@/lib/utils';
import { fieldErrorMessage } from './field-error';
import { FieldRow, InlineSelectField, InlineSwitchField, InlineTextField } from './inline-field';
import type { FieldDefinition } from './types';

/** A stored custom value as display text ('' when there is none). Untrusted: returned as text only. */
export function formatCustomValue(definition: Pick<FieldDefinition, 'type'>, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  switch (definition.type) {
    case 'boolean':
      return value === true ? 'Yes' : value === false ? 'No' : String(value);
    case 'multi_select':
      return Array.isArray(value) ? value.map(String).join(', ') : String(value);
    case 'date': {
      const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
      return m ? formatDate(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : String(value);
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * What to send for the edited text. Numbers that do not parse are sent as typed, so the server's
 * validation message (e.g. "must be a number") is what the user sees.
 */
export function parseCustomInput(definition: Pick<FieldDefinition, 'type'>, text: string): unknown {
  const t = text.trim();
  if (t === '') return null;
  if (definition.type === 'number') {
    const n = Number(t.replace(',', '.'));
    return Number.isFinite(n) ? n : t;
  }
  return t;
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export interface CustomFieldEditorProps {
  definition: FieldDefinition;
  value: unknown;
  /** Saves the new value of this field (`customFields: { [key]: value }`). */
  onSave: (value: unknown) => Promise<unknown>;
  disabled?: boolean;
}

/** One custom field on a record page, edited inline with a control that fits its type. */
export function CustomFieldEditor({ definition, value, onSave, disabled }: CustomFieldEditorProps) {
  const errorFor = (error: unknown) => fieldErrorMessage(error, ['customFields', definition.key]);
  const label = definition.required ? `${definition.label} *` : definition.label;
  const testId = `custom-${definition.key}`;
  switch (definition.type) {
    case 'boolean':
      return (
        <InlineSwitchField
          label={label}
          checked={value === true}
          onSave={(v) => onSave(v)}
          errorFor={errorFor}
          disabled={disabled}
        />
      );
    case 'single_select':
      return (
        <InlineSelectField
          label={label}
          value={value === null || value === undefined || value === '' ? null : toText(value)}
          options={definition.options.map((o) => ({ value: o, label: o }))}
          onSave={(v) => onSave(v)}
          errorFor={errorFor}
          disabled={disabled}
          allowEmpty
        />
      );
    case 'multi_select':
      return (
        <MultiSelectField
          label={label}
          definition={definition}
          value={Array.isArray(value) ? value.map(String) : []}
          onSave={onSave}
          errorFor={errorFor}
          disabled={disabled}
        />
      );
    default:
      return (
        <InlineTextField
          label={label}
          display={formatCustomValue(definition, value)}
          initial={toText(value)}
          onSave={(text) => onSave(parseCustomInput(definition, text))}
          errorFor={errorFor}
          disabled={disabled}
          multiline={definition.type === 'long_text'}
          type={
            definition.type === 'date'
              ? 'date'
              : definition.type === 'email'
                ? 'email'
                : definition.type === 'url'
                  ? 'url'
                  : definition.type === 'phone'
                    ? 'tel'
                    : 'text'
          }
          inputMode={definition.type === 'number' ? 'decimal' : undefined}
          testId={testId}
        />
      );
  }
}

function MultiSelectField({
  label,
  definition,
  value,
  onSave,
  errorFor,
  disabled,
}: {
  label: string;
  definition: FieldDefinition;
  value: string[];
  onSave: (value: unknown) => Promise<unknown>;
  errorFor: (error: unknown) => string;
  disabled?: boolean;
}) {
  const [error, setError] = React.useState<string>();
  const toggle = async (option: string, on: boolean) => {
    const next = on ? [...value, option] : value.filter((v) => v !== option);
    try {
      await onSave(next);
      setError(undefined);
    } catch (e) {
      setError(errorFor(e));
    }
  };
  return (
    <FieldRow label={label} error={error}>
      <div className="flex min-h-8 flex-wrap items-center gap-1.5">
        {value.map((v) => (
          <Badge key={v} variant="neutral">
            {v}
          </Badge>
        ))}
        {disabled ? (
          value.length === 0 ? (
            <span className="text-muted-foreground">—</span>
          ) : null
        ) : (
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="sm" aria-label={`Choose ${definition.label}`}>
                {value.length === 0 ? 'Choose' : 'Change'}
                <ChevronDown aria-hidden="true" />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              {definition.options.map((o) => (
                <DropdownMenuCheckboxItem
                  key={o}
                  checked={value.includes(o)}
                  onSelect={(e) => e.preventDefault()}
                  onCheckedChange={(on) => void toggle(o, on === true)}
                >
                  {o}
                </DropdownMenuCheckboxItem>
              ))}
            </DropdownMenuContent>
          </DropdownMenu>
        )}
      </div>
    </FieldRow>
  );
}
