import { X } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Combobox } from '@/components/ui/combobox';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { usePreviewContacts } from '../api/search-contacts';

export interface PickedContact {
  id: string;
  label: string;
}

const nameOf = (c: { firstName: string; lastName: string; email: string | null }) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || 'Unnamed contact';

/** Whose data the preview shows: a contact found by search, or the sample person. */
export function ContactPicker({
  orgId,
  value,
  onChange,
}: {
  orgId: string;
  value: PickedContact | null;
  onChange: (contact: PickedContact | null) => void;
}) {
  const [text, setText] = React.useState('');
  const [focused, setFocused] = React.useState(false);
  const search = useDebouncedValue(text.trim(), 250);
  const contacts = usePreviewContacts(orgId, search, { enabled: focused });
  if (value) {
    return (
      <div className="flex h-9 items-center gap-2 rounded-md border border-input bg-background pr-1 pl-3 text-sm">
        <span className="min-w-0 flex-1 truncate">
          <span className="text-muted-foreground">Preview as </span>
          {value.label}
        </span>
        <Button
          variant="ghost"
          size="icon"
          aria-label="Preview with sample data instead"
          title="Use sample data"
          onClick={() => onChange(null)}
        >
          <X />
        </Button>
      </div>
    );
  }
  return (
    <Combobox
      aria-label="Preview as contact"
      placeholder="Preview as… (sample data)"
      inputValue={text}
      onInputChange={setText}
      onFocus={() => setFocused(true)}
      loading={contacts.isFetching}
      emptyText={search ? 'No contact matches' : 'Type a name or email'}
      options={(contacts.data ?? []).map((c) => ({
        value: c.id,
        label: nameOf(c),
        description: c.email ?? undefined,
      }))}
      onSelect={(option) => {
        onChange({ id: option.value, label: option.label });
        setText('');
      }}
    />
  );
}
