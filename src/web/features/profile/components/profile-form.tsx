import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useUpdateMe } from '../api/update-me';

export function ProfileForm() {
  const { user } = useMe();
  const update = useUpdateMe();
  const [name, setName] = React.useState(user.name);
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();

  React.useEffect(() => setName(user.name), [user.name]);
  const dirty = name.trim() !== user.name;

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    if (!name.trim()) {
      setError('Enter your name.');
      return;
    }
    setError(undefined);
    update.mutate(
      { name: name.trim() },
      {
        onSuccess: () => toast.success('Profile updated'),
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
          <CardTitle>Profile</CardTitle>
          <CardDescription>How you appear to your teammates.</CardDescription>
        </CardHeader>
        <CardContent className="grid max-w-md gap-4">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="profile-name" label="Full name" error={error}>
            <Input
              name="name"
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={120}
            />
          </FormField>
          <FormField id="profile-email" label="Email" hint="Your sign-in address. It cannot be changed yet.">
            <Input name="email" type="email" value={user.email} readOnly disabled />
          </FormField>
        </CardContent>
        <CardFooter>
          <Button type="submit" loading={update.isPending} disabled={!dirty}>
            Save profile
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
