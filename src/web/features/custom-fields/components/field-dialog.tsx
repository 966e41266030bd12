import { CUSTOM_FIELD_TYPES, type CustomFieldType, type FieldEntity } from '@common/contacts';
import * as React from 'react';
import { toast } from 'sonner';
import type { FieldDefinition } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { ApiError, errorMessage } from '@/lib/api';
import { useCreateField } from '../api/create-field';
import { useUpdateField } from '../api/update-field';
import { FIELD_TYPE_LABELS, hasOptions, suggestKey } from './field-types';
import { OptionsEditor } from './options-editor';

type Errors = Partial<Record<'label' | 'key' | 'type' | 'options', string>>;

/** Add a field (entity fixed by the tab) or edit one (label, required, options; key and type are fixed). */
export function FieldDialog({
  orgId,
  entity,
  field,
  onClose,
}: {
  orgId: string;
  entity: FieldEntity;
  field?: FieldDefinition;
  onClose: () => void;
}) {
  const create = useCreateField(orgId);
  const update = useUpdateField(orgId);
  const editing = field !== undefined;
  const [label, setLabel] = React.useState(field?.label ?? '');
  const [key, setKey] = React.useState(field?.key ?? '');
  const [keyTouched, setKeyTouched] = React.useState(false);
  const [type, setType] = React.useState<CustomFieldType>(field?.type ?? 'text');
  const [required, setRequired] = React.useState(field?.required ?? false);
  const [options, setOptions] = React.useState<string[]>(field?.options ?? []);
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string>();
  const pending = create.isPending || update.isPending;

  const shownKey = editing || keyTouched ? key : suggestKey(label);

  const onError = (error: unknown) => {
    if (error instanceof ApiError) {
      const f = error.fieldErrors();
      const next: Errors = { label: f.label, key: f.key, type: f.type, options: f.options };
      if (Object.values(next).some(Boolean)) {
        setErrors(next);
        return;
      }
      if (error.status === 409) {
        setErrors({ key: error.message });
        return;
      }
    }
    setFormError(errorMessage(error));
  };

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const cleanOptions = options.map((o) => o.trim()).filter(Boolean);
    const next: Errors = {};
    if (!label.trim()) next.label = 'Enter a label.';
    if (hasOptions(type) && cleanOptions.length === 0) next.options = 'Add at least one option.';
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    if (editing) {
      update.mutate(
        {
          id: field.id,
          label: label.trim(),
          required,
          ...(hasOptions(type) ? { options: cleanOptions } : {}),
        },
        {
          onSuccess: () => {
            toast.success(`Field “${label.trim()}” saved`);
            onClose();
          },
          onError,
        },
      );
    } else {
      create.mutate(
        {
          entity,
          label: label.trim(),
          ...(keyTouched && key.trim() ? { key: key.trim() } : {}),
          type,
          required,
          ...(hasOptions(type) ? { options: cleanOptions } : {}),
        },
        {
          onSuccess: (created) => {
            toast.success(`Field “${created.label}” added`);
            onClose();
          },
          onError,
        },
      );
    }
  };

  return (
    <Dialog open onOpenChange={(open) => (open || pending ? undefined : onClose())}>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>{editing ? `Edit “${field.label}”` : `New ${entity} field`}</DialogTitle>
          <DialogDescription>
            {editing
              ? 'The key and type cannot change once values exist; create a new field instead.'
              : entity === 'contact'
                ? 'Adds a field to every contact: on contact pages, as a table column and in filters.'
                : 'Adds a field to every company, shown on company pages.'}
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="field-label" label="Label" error={errors.label}>
            <Input
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              placeholder="e.g. Lead score"
              maxLength={80}
            />
          </FormField>
          <FormField
            id="field-key"
            label="Key"
            error={errors.key}
            hint={
              editing
                ? 'Used by the API and imports.'
                : 'Used by the API and imports. Lowercase letters, digits and _.'
            }
          >
            <Input
              value={shownKey}
              onChange={(e) => {
                setKeyTouched(true);
                setKey(e.target.value);
              }}
              disabled={editing}
              className="font-mono text-[0.8125rem]"
              maxLength={50}
            />
          </FormField>
          <FormField id="field-type" label="Type" error={errors.type}>
            <Select value={type} onValueChange={(v) => setType(v as CustomFieldType)} disabled={editing}>
              <SelectTrigger id="field-type" aria-invalid={errors.type ? true : undefined}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {CUSTOM_FIELD_TYPES.map((t) => (
                  <SelectItem key={t} value={t}>
                    {FIELD_TYPE_LABELS[t]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </FormField>
          {hasOptions(type) ? (
            <OptionsEditor value={options} onChange={setOptions} error={errors.options} />
          ) : null}
          <div className="flex items-center gap-2.5">
            <Checkbox
              id="field-required"
              checked={required}
              onCheckedChange={(v) => setRequired(v === true)}
            />
            <Label htmlFor="field-required">Required</Label>
          </div>
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              {editing ? 'Save field' : 'Add field'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
