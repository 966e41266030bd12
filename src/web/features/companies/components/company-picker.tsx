import * as React from 'react';
import { toast } from 'sonner';
import type { CompanyPickerProps } from '@/components/fields/types';
import { Combobox } from '@/components/ui/combobox';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useCreateCompany } from '../api/create-company';
import { useCompanySuggestions } from '../api/list-companies';

/** Search companies as you type; pick one, or create one from the typed name. */
export function CompanyPicker({
  value,
  onChange,
  id,
  disabled,
  autoFocus,
  onBlur,
  deferCreate = false,
  'aria-invalid': ariaInvalid,
  'aria-describedby': ariaDescribedBy,
}: CompanyPickerProps) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const [text, setText] = React.useState(value?.name ?? '');
  const [focused, setFocused] = React.useState(false);
  const search = useDebouncedValue(text.trim(), 200);
  const suggestions = useCompanySuggestions(orgId, search === value?.name ? '' : search, focused);
  const create = useCreateCompany(orgId);

  React.useEffect(() => {
    setText(value?.name ?? '');
  }, [value?.name]);

  const options = (suggestions.data?.items ?? []).map((c) => ({
    value: c.id,
    label: c.name,
    description: c.domain ?? undefined,
  }));

  return (
    <Combobox
      id={id}
      aria-invalid={ariaInvalid}
      aria-describedby={ariaDescribedBy}
      aria-label={id ? undefined : 'Company'}
      inputValue={text}
      onInputChange={(t) => {
        setText(t);
        if (!t.trim() && value) onChange(null);
      }}
      options={options}
      loading={suggestions.isFetching}
      onSelect={(o) => {
        setText(o.label);
        onChange({ id: o.value, name: o.label });
      }}
      createLabel={me.permissions.includes('contacts:write') ? (t) => `Create company “${t}”` : undefined}
      onCreate={(name) => {
        if (deferCreate) {
          setText(name);
          onChange({ id: '', name, isNew: true });
          return;
        }
        create.mutate(
          { name },
          {
            onSuccess: (company) => {
              toast.success(`Company “${company.name}” created`);
              setText(company.name);
              onChange({ id: company.id, name: company.name });
            },
            onError: (e) => toast.error('Could not create the company', { description: errorMessage(e) }),
          },
        );
      }}
      emptyText="No companies found"
      placeholder="Search companies…"
      disabled={disabled || create.isPending}
      autoFocus={autoFocus}
      onFocus={() => setFocused(true)}
      onBlur={() => {
        setFocused(false);
        if (value && text !== value.name) setText(value.name);
        onBlur?.();
      }}
    />
  );
}
