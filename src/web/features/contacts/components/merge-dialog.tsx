import * as React from 'react';
import { toast } from 'sonner';
import { formatCustomValue } from '@/components/fields/custom-field';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Combobox } from '@/components/ui/combobox';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { errorMessage } from '@/lib/api';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { cn } from '@/lib/utils';
import { useListContacts } from '../api/list-contacts';
import { type MergePreference, useMergeContacts } from '../api/merge-contacts';
import { type Contact, contactName } from '../api/types';
import { useContactsEnv } from './contacts-env';

interface Row {
  key: string;
  label: string;
  mine: string;
  theirs: string;
}

function addressText(a: Contact['address']): string {
  return a ? Object.values(a).filter(Boolean).join(', ') : '';
}

function differingRows(a: Contact, b: Contact, env: ReturnType<typeof useContactsEnv>): Row[] {
  const rows: Row[] = [
    { key: 'firstName', label: 'First name', mine: a.firstName, theirs: b.firstName },
    { key: 'lastName', label: 'Last name', mine: a.lastName, theirs: b.lastName },
    { key: 'email', label: 'Email', mine: a.email ?? '', theirs: b.email ?? '' },
    { key: 'jobTitle', label: 'Job title', mine: a.jobTitle, theirs: b.jobTitle },
    { key: 'companyId', label: 'Company', mine: a.company?.name ?? '', theirs: b.company?.name ?? '' },
    { key: 'ownerId', label: 'Owner', mine: a.owner?.name ?? '', theirs: b.owner?.name ?? '' },
    { key: 'source', label: 'Source', mine: a.source, theirs: b.source },
    { key: 'address', label: 'Address', mine: addressText(a.address), theirs: addressText(b.address) },
    ...env.fields.map((f) => ({
      key: `custom.${f.key}`,
      label: f.label,
      mine: formatCustomValue(f, a.customFields[f.key]),
      theirs: formatCustomValue(f, b.customFields[f.key]),
    })),
  ];
  return rows.filter((r) => r.mine !== r.theirs);
}

function Choice({
  name,
  value,
  checked,
  onChange,
  text,
}: {
  name: string;
  value: 'this' | 'other';
  checked: boolean;
  onChange: () => void;
  text: string;
}) {
  const id = `${name}-${value}`;
  return (
    <label
      htmlFor={id}
      className={cn(
        'flex min-w-0 cursor-pointer items-start gap-2 rounded-md border px-2.5 py-2 text-sm',
        checked ? 'border-accent bg-accent-subtle' : 'border-border hover:bg-subtle',
      )}
    >
      <input
        id={id}
        type="radio"
        name={name}
        value={value}
        checked={checked}
        onChange={onChange}
        className="mt-1 accent-indigo-600"
      />
      <span className={cn('min-w-0 break-words', !text && 'text-muted-foreground italic')}>
        {text || 'empty'}
      </span>
    </label>
  );
}

/** Merge another contact into this one, choosing per differing field which value survives. */
export function MergeDialog({
  orgId,
  contact,
  open,
  onOpenChange,
}: {
  orgId: string;
  contact: Contact;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const env = useContactsEnv();
  const merge = useMergeContacts(orgId);
  const [text, setText] = React.useState('');
  const search = useDebouncedValue(text.trim(), 250);
  const results = useListContacts(orgId, search, { enabled: open && search.length > 0 });
  const [other, setOther] = React.useState<Contact>();
  const [prefer, setPrefer] = React.useState<MergePreference>({});
  const [error, setError] = React.useState<string>();

  const reset = () => {
    setText('');
    setOther(undefined);
    setPrefer({});
    setError(undefined);
  };

  const options =
    results.data?.items
      .filter((c) => c.id !== contact.id)
      .map((c) => ({
        value: c.id,
        label: contactName(c),
        description: c.email ?? c.company?.name ?? undefined,
      })) ?? [];

  const rows = other ? differingRows(contact, other, env) : [];
  const choice = (row: Row): 'this' | 'other' => prefer[row.key] ?? (row.mine ? 'this' : 'other');

  const onMerge = () => {
    if (!other) return;
    const full: MergePreference = {};
    for (const row of rows) full[row.key] = choice(row);
    merge.mutate(
      { id: contact.id, otherId: other.id, prefer: full },
      {
        onSuccess: () => {
          // Duplicates often share a name: then the emails tell the two apart.
          const a = contactName(other);
          const b = contactName(contact);
          const label = (c: typeof contact, name: string) =>
            c.email && c.email !== name ? `${name} (${c.email})` : name;
          toast.success(
            a === b ? `Merged ${label(other, a)} into ${label(contact, b)}` : `Merged ${a} into ${b}`,
          );
          env.onContactsChanged();
          reset();
          onOpenChange(false);
        },
        onError: (e) => setError(errorMessage(e)),
      },
    );
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (merge.isPending) return;
        if (!next) reset();
        onOpenChange(next);
      }}
    >
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>Merge contacts</DialogTitle>
          <DialogDescription>
            The other contact is merged into {contactName(contact)} and then deleted. Emails, phones, tags,
            notes and history are combined.
          </DialogDescription>
        </DialogHeader>
        {error ? <Alert variant="error">{error}</Alert> : null}
        {!other ? (
          <div className="grid gap-2">
            <Label htmlFor="merge-search">Contact to merge into this one</Label>
            <Combobox
              id="merge-search"
              inputValue={text}
              onInputChange={setText}
              options={options}
              loading={results.isFetching}
              emptyText={search ? 'No other contacts found' : 'Type a name or email'}
              onSelect={(o) => {
                const picked = results.data?.items.find((c) => c.id === o.value);
                if (picked) setOther(picked);
              }}
              placeholder="Search by name or email…"
              autoFocus
            />
          </div>
        ) : (
          <div className="grid gap-3">
            <div className="grid grid-cols-[8rem_1fr_1fr] gap-2 text-xs font-medium text-muted-foreground uppercase">
              <span>Field</span>
              <span className="truncate">Keep: {contactName(contact)}</span>
              <span className="truncate">Or: {contactName(other)}</span>
            </div>
            {rows.length === 0 ? (
              <p className="text-sm text-muted-foreground">The two contacts hold the same values.</p>
            ) : (
              <div className="grid max-h-[50vh] gap-2 overflow-y-auto">
                {rows.map((row) => (
                  <fieldset key={row.key} className="grid grid-cols-[8rem_1fr_1fr] items-start gap-2">
                    <legend className="sr-only">{row.label}</legend>
                    <span className="pt-2 text-[0.8125rem] text-muted-foreground" aria-hidden="true">
                      {row.label}
                    </span>
                    <Choice
                      name={`merge-${row.key}`}
                      value="this"
                      checked={choice(row) === 'this'}
                      onChange={() => setPrefer({ ...prefer, [row.key]: 'this' })}
                      text={row.mine}
                    />
                    <Choice
                      name={`merge-${row.key}`}
                      value="other"
                      checked={choice(row) === 'other'}
                      onChange={() => setPrefer({ ...prefer, [row.key]: 'other' })}
                      text={row.theirs}
                    />
                  </fieldset>
                ))}
              </div>
            )}
          </div>
        )}
        <DialogFooter>
          {other ? (
            <Button
              variant="ghost"
              onClick={() => setOther(undefined)}
              disabled={merge.isPending}
              className="sm:mr-auto"
            >
              Choose another contact
            </Button>
          ) : null}
          <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={merge.isPending}>
            Cancel
          </Button>
          <Button onClick={onMerge} disabled={!other} loading={merge.isPending}>
            Merge contacts
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
