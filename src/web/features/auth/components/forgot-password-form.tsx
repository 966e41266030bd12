import { MailCheck } from 'lucide-react';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { useRequestPasswordReset } from '../api/request-password-reset';
import { PASSWORD_RESET_REDIRECT, validateEmail } from '../callback-urls';

export function ForgotPasswordForm() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = React.useState('');
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();
  const [sentTo, setSentTo] = React.useState<string>();

  if (sentTo) {
    return (
      <div className="grid gap-5">
        <Alert variant="success" title="Check your inbox">
          If an account exists for <strong className="font-medium">{sentTo}</strong>, we sent it a link to
          choose a new password. The link expires soon, so use it quickly.
        </Alert>
        <Button variant="secondary" className="w-full" onClick={() => setSentTo(undefined)}>
          <MailCheck aria-hidden="true" />
          Use a different email
        </Button>
      </div>
    );
  }

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const found = validateEmail(email);
    setError(found);
    if (found) {
      document.getElementById('forgot-email')?.focus();
      return;
    }
    const address = email.trim();
    request.mutate(
      { email: address, redirectTo: PASSWORD_RESET_REDIRECT },
      {
        onSuccess: () => setSentTo(address),
        onError: (err) => {
          const fieldError = err instanceof ApiError ? err.fieldErrors().email : undefined;
          if (fieldError) setError(fieldError);
          else setFormError(errorMessage(err));
        },
      },
    );
  };

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <FormField id="forgot-email" label="Email" error={error}>
        <Input
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="you@company.com"
        />
      </FormField>
      <Button type="submit" size="lg" className="w-full" loading={request.isPending}>
        Send reset link
      </Button>
    </form>
  );
}
