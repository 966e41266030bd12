import { PASSWORD_HINT } from '@common/password';
import { useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { PasswordInput } from '@/components/ui/password-input';
import { ApiError, errorMessage } from '@/lib/api';
import { useResetPassword } from '../api/reset-password';
import { validateNewPassword } from '../callback-urls';

type Errors = { newPassword?: string; confirm?: string };

export function ResetPasswordForm({ token }: { token: string }) {
  const navigate = useNavigate();
  const reset = useResetPassword();
  const [newPassword, setNewPassword] = React.useState('');
  const [confirm, setConfirm] = React.useState('');
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const found: Errors = {};
    const pw = validateNewPassword(newPassword);
    if (pw) found.newPassword = pw;
    else if (confirm !== newPassword) found.confirm = 'The passwords do not match.';
    setErrors(found);
    if (found.newPassword || found.confirm) return;
    reset.mutate(
      { newPassword, token },
      {
        onSuccess: () => {
          toast.success('Password updated', { description: 'Sign in with your new password.' });
          void navigate({ to: '/sign-in', search: { reset: 1 } });
        },
        onError: (error) => {
          const field = error instanceof ApiError ? error.fieldErrors().newPassword : undefined;
          if (field) setErrors({ newPassword: field });
          else setFormError(errorMessage(error));
        },
      },
    );
  };

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <FormField id="reset-new-password" label="New password" error={errors.newPassword} hint={PASSWORD_HINT}>
        <PasswordInput
          name="newPassword"
          autoComplete="new-password"
          value={newPassword}
          onChange={(e) => setNewPassword(e.target.value)}
        />
      </FormField>
      <FormField id="reset-confirm-password" label="Confirm new password" error={errors.confirm}>
        <PasswordInput
          name="confirmPassword"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
      </FormField>
      <Button type="submit" size="lg" className="w-full" loading={reset.isPending}>
        Set new password
      </Button>
    </form>
  );
}
