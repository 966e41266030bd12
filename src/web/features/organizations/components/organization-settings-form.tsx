import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { useCan, useMe } from '@/lib/session';
import { useUpdateOrganization } from '../api/update-organization';
import { ORG_NAME_MAX, validateOrganizationName } from './create-organization-form';

/** Renames the active organization; read-only for roles without org:update. */
export function OrganizationSettingsForm() {
  const me = useMe();
  const canUpdate = useCan('org:update');
  const org = me.activeOrganization;
  const update = useUpdateOrganization();
  const [name, setName] = React.useState(org?.name ?? '');
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();

  // Follow the server's value when the organization changes (switch, rename elsewhere).
  React.useEffect(() => {
    setName(org?.name ?? '');
    setError(undefined);
  }, [org?.name]);

  if (!org) return null;
  const dirty = name.trim() !== org.name;

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const found = validateOrganizationName(name);
    setError(found);
    if (found) return;
    update.mutate(
      { name: name.trim() },
      {
        onSuccess: (updated) =>
          toast.success('Organisation renamed', { description: `It is now called ${updated.name}.` }),
        onError: (err) => {
          const field = err instanceof ApiError ? err.fieldErrors().name : undefined;
          if (field) setError(field);
          else setFormError(errorMessage(err));
        },
      },
    );
  };

  return (
    <Card>
      <form noValidate onSubmit={onSubmit}>
        <CardHeader>
          <CardTitle>Organisation name</CardTitle>
          <CardDescription>Shown to your teammates and in the invitations you send.</CardDescription>
        </CardHeader>
        <CardContent className="grid max-w-md gap-4">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          {canUpdate ? null : (
            <Alert variant="info">Only owners and admins can rename the organisation.</Alert>
          )}
          <FormField label="Name" error={error}>
            <Input
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              disabled={!canUpdate}
              maxLength={ORG_NAME_MAX + 20}
            />
          </FormField>
        </CardContent>
        {canUpdate ? (
          <CardFooter>
            <Button type="submit" loading={update.isPending} disabled={!dirty}>
              Save changes
            </Button>
          </CardFooter>
        ) : null}
      </form>
    </Card>
  );
}
