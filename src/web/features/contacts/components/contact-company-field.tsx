import { Link } from '@tanstack/react-router';
import { Pencil } from 'lucide-react';
import * as React from 'react';
import { fieldErrorMessage } from '@/components/fields/field-error';
import { FieldRow } from '@/components/fields/inline-field';
import { Button } from '@/components/ui/button';
import type { Contact } from '../api/types';
import { useSaver } from './contact-detail-shared';
import { useContactsEnv } from './contacts-env';

export function CompanyField({
  orgId,
  contact,
  canWrite,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
}) {
  const { CompanyPicker } = useContactsEnv();
  const save = useSaver(orgId, contact);
  const [editing, setEditing] = React.useState(false);
  const [error, setError] = React.useState<string>();
  const id = React.useId();
  const onChange = async (company: { id: string; name: string } | null) => {
    try {
      await save({ companyId: company?.id ?? null });
      setError(undefined);
      setEditing(false);
    } catch (e) {
      setError(fieldErrorMessage(e, ['companyId']));
    }
  };
  return (
    <FieldRow label="Company" htmlFor={editing ? id : undefined} error={error}>
      {editing ? (
        <div className="flex items-center gap-2">
          <div className="flex-1">
            <CompanyPicker
              id={id}
              value={contact.company}
              onChange={(c) => void onChange(c)}
              autoFocus
              onBlur={() => setEditing(false)}
            />
          </div>
          {contact.company ? (
            <Button
              variant="ghost"
              size="sm"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => void onChange(null)}
            >
              Remove
            </Button>
          ) : null}
        </div>
      ) : (
        <div className="flex min-h-8 items-center gap-2">
          {contact.company ? (
            <Link
              to="/companies/$id"
              params={{ id: contact.company.id }}
              className="truncate font-medium text-accent hover:underline"
            >
              {contact.company.name}
            </Link>
          ) : (
            <span className="text-muted-foreground">{canWrite ? 'No company' : '—'}</span>
          )}
          {canWrite ? (
            <Button
              variant="ghost"
              size="icon"
              className="size-7"
              aria-label="Edit Company"
              onClick={() => setEditing(true)}
            >
              <Pencil aria-hidden="true" />
            </Button>
          ) : null}
        </div>
      )}
    </FieldRow>
  );
}
