import { PASSWORD_HINT, passwordProblem } from '@common/password';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { PasswordInput } from '@/components/ui/password-input';
import { ApiError, errorMessage } from '@/lib/api';
import { useChangePassword } from '../api/change-password';

type Errors = { currentPassword?: string; newPassword?: string; confirm?: string };

export function ChangePasswordForm() {
  const change = useChangePassword();
  const [currentPassword, setCurrentPassword] = React.useState('');
  const [newPassword, setNewPassword] = React.useState('');
  const [confirm, setConfirm] = React.useState('');
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const found: Errors = {};
    if (!currentPassword) found.currentPassword = 'Enter your current password.';
    const problem = passwordProblem(newPassword);
    if (problem) found.newPassword = problem;
    else if (newPassword === currentPassword)
      found.newPassword = 'Choose a password different from the current one.';
    if (!found.newPassword && confirm !== newPassword) found.confirm = 'The passwords do not match.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          toast.success('Password changed', { description: 'Your other sessions were signed out.' });
          setCurrentPassword('');
          setNewPassword('');
          setConfirm('');
        },
        onError: (error) => {
          if (error instanceof ApiError) {
            const fields = error.fieldErrors();
            if (fields.currentPassword || fields.newPassword) {
              setErrors({ currentPassword: fields.currentPassword, newPassword: fields.newPassword });
              return;
            }
            if (
              /INVALID_PASSWORD/i.test(error.code) ||
              (error.status === 400 && /password/i.test(error.message))
            ) {
              setErrors({ currentPassword: error.message });
              return;
            }
          }
          setFormError(errorMessage(error));
        },
      },
    );
  };

  return (
    <Card>
      <form noValidate onSubmit={onSubmit}>
        <CardHeader>
          <CardTitle>Change password</CardTitle>
          <CardDescription>
            After the change, every other device signed in to your account is signed out.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid max-w-md gap-4">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="current-password" label="Current password" error={errors.currentPassword}>
            <PasswordInput
              name="currentPassword"
              autoComplete="current-password"
              value={currentPassword}
              onChange={(e) => setCurrentPassword(e.target.value)}
            />
          </FormField>
          <FormField id="new-password" label="New password" error={errors.newPassword} hint={PASSWORD_HINT}>
            <PasswordInput
              name="newPassword"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
          </FormField>
          <FormField id="confirm-password" label="Confirm new password" error={errors.confirm}>
            <PasswordInput
              name="confirmPassword"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </FormField>
        </CardContent>
        <CardFooter>
          <Button type="submit" loading={change.isPending}>
            Update password
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
