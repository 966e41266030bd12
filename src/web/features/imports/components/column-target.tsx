import { TriangleAlert } from 'lucide-react';
import type { FieldDefinition } from '@/components/fields/types';
import { Input } from '@/components/ui/input';
import {
  Select,
  SelectContent,
  SelectGroup,
  SelectItem,
  SelectLabel,
  SelectSeparator,
  SelectTrigger,
  SelectValue,
} from '@/components/ui/select';
import { cn } from '@/lib/utils';
import { NEW_FIELD_TYPES, type NewFieldType, type Target } from '../api/types';
import {
  NEW_FIELD_TYPE_LABELS,
  STANDARD_GROUPS,
  STANDARD_HINTS,
  STANDARD_LABELS,
  targetValue,
} from '../lib/targets';
import { parseTarget } from './mapping-helpers';

export function ColumnTarget({
  index,
  header,
  target,
  fields,
  error,
  disabled,
  onChange,
}: {
  index: number;
  header: string;
  target: Target;
  fields: FieldDefinition[];
  error?: string;
  disabled?: boolean;
  onChange: (t: Target) => void;
}) {
  const errorId = `column-${index}-error`;
  const value = targetValue(target);
  // A custom field that no longer exists still shows what the mapping says.
  const unknownCustom =
    target.type === 'custom' && !fields.some((f) => f.key === target.key) ? target.key : undefined;
  return (
    <div className="grid gap-2">
      <Select
        value={value}
        onValueChange={(v) => onChange(parseTarget(v, header, target))}
        disabled={disabled}
      >
        <SelectTrigger
          aria-label={`Import column “${header}” as`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className={cn(target.type === 'ignore' && 'text-muted-foreground')}
          data-testid={`target-${index}`}
        >
          <SelectValue />
        </SelectTrigger>
        <SelectContent className="max-h-96">
          <SelectItem value="ignore">Don’t import</SelectItem>
          <SelectSeparator />
          {STANDARD_GROUPS.map((group) => (
            <SelectGroup key={group.label}>
              <SelectLabel>{group.label}</SelectLabel>
              {group.fields.map((f) => (
                <SelectItem key={f} value={`standard:${f}`} description={STANDARD_HINTS[f]}>
                  {STANDARD_LABELS[f]}
                </SelectItem>
              ))}
            </SelectGroup>
          ))}
          <SelectSeparator />
          <SelectGroup>
            <SelectLabel>Custom fields</SelectLabel>
            {fields.map((f) => (
              <SelectItem key={f.key} value={`custom:${f.key}`}>
                {f.label}
              </SelectItem>
            ))}
            {unknownCustom ? (
              <SelectItem value={`custom:${unknownCustom}`}>{unknownCustom}</SelectItem>
            ) : null}
            <SelectItem value="new" description="Creates a contact field named after the column">
              New field…
            </SelectItem>
          </SelectGroup>
        </SelectContent>
      </Select>
      {target.type === 'new_field' ? (
        <div className="grid gap-2 sm:grid-cols-[minmax(0,1fr)_8.5rem]">
          <Input
            aria-label={`Name of the new field for “${header}”`}
            value={target.label}
            maxLength={80}
            disabled={disabled}
            className="h-8"
            placeholder="Field name"
            onChange={(e) => onChange({ ...target, label: e.target.value })}
          />
          <Select
            value={target.fieldType}
            onValueChange={(v) => onChange({ ...target, fieldType: v as NewFieldType })}
            disabled={disabled}
          >
            <SelectTrigger size="sm" aria-label={`Type of the new field for “${header}”`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {NEW_FIELD_TYPES.map((t) => (
                <SelectItem key={t} value={t}>
                  {NEW_FIELD_TYPE_LABELS[t]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
      ) : null}
      {error ? (
        <p id={errorId} className="flex items-start gap-1.5 text-[0.8125rem] text-destructive">
          <TriangleAlert aria-hidden="true" className="mt-0.5 size-3.5 shrink-0" />
          <span>{error}</span>
        </p>
      ) : null}
    </div>
  );
}
