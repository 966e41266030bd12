import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { type CreatedOrganization, useCreateOrganization } from '../api/create-organization';

export const ORG_NAME_MAX = 100;

export function validateOrganizationName(value: string): string | undefined {
  if (!value.trim()) return 'Enter a name for the organisation.';
  if (value.trim().length > ORG_NAME_MAX) return `Use at most ${ORG_NAME_MAX} characters.`;
  return undefined;
}

export interface CreateOrganizationFormProps {
  onCreated: (organization: CreatedOrganization) => void;
  /** Rendered next to the submit button (e.g. Cancel in a dialog). */
  secondaryAction?: React.ReactNode;
  submitLabel?: string;
  fullWidth?: boolean;
}

export function CreateOrganizationForm({
  onCreated,
  secondaryAction,
  submitLabel = 'Create organisation',
  fullWidth = false,
}: CreateOrganizationFormProps) {
  const create = useCreateOrganization();
  const [name, setName] = React.useState('');
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const found = validateOrganizationName(name);
    setError(found);
    if (found) return;
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (organization) => onCreated(organization),
        onError: (err) => {
          const field = err instanceof ApiError ? err.fieldErrors().name : undefined;
          if (field) setError(field);
          else setFormError(errorMessage(err));
        },
      },
    );
  };

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <FormField label="Organisation name" error={error} hint="Usually your company or team name.">
        <Input
          name="name"
          autoComplete="organization"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Acme Inc."
          maxLength={ORG_NAME_MAX + 20}
        />
      </FormField>
      <div className={fullWidth ? 'grid' : 'flex flex-col-reverse gap-2 sm:flex-row sm:justify-end'}>
        {secondaryAction}
        <Button type="submit" size={fullWidth ? 'lg' : 'md'} loading={create.isPending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
