import { Link, useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { PasswordInput } from '@/components/ui/password-input';
import { ApiError, errorMessage } from '@/lib/api';
import { safeRedirect } from '@/lib/redirect';
import { useSignIn } from '../api/sign-in';
import { validateEmail } from '../callback-urls';
import { ResendVerificationButton } from './resend-verification-button';

type Errors = { email?: string; password?: string };

/** `onTwoFactor`: the password was right and the account asks for a second factor (the page shows that step). */
export function SignInForm({ redirect, onTwoFactor }: { redirect?: string; onTwoFactor?: () => void }) {
  const navigate = useNavigate();
  const signIn = useSignIn();
  const [email, setEmail] = React.useState('');
  const [password, setPassword] = React.useState('');
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string>();
  const [unverifiedEmail, setUnverifiedEmail] = React.useState<string>();

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    setUnverifiedEmail(undefined);
    const found: Errors = {};
    const emailError = validateEmail(email);
    if (emailError) found.email = emailError;
    if (!password) found.password = 'Enter your password.';
    setErrors(found);
    if (found.email || found.password) {
      document.getElementById(found.email ? 'sign-in-email' : 'sign-in-password')?.focus();
      return;
    }
    const address = email.trim();
    signIn.mutate(
      { email: address, password },
      {
        onSuccess: (data) => {
          if ((data as { twoFactorRedirect?: boolean } | undefined)?.twoFactorRedirect && onTwoFactor) {
            onTwoFactor();
            return;
          }
          navigate({ href: safeRedirect(redirect, '/') });
        },
        onError: (error) => {
          if (error instanceof ApiError) {
            if (error.code === 'EMAIL_NOT_VERIFIED') {
              setUnverifiedEmail(address);
              return;
            }
            const fields = error.fieldErrors();
            if (fields.email || fields.password) {
              setErrors({ email: fields.email, password: fields.password });
              return;
            }
            if (error.status === 401) {
              setFormError('That email and password do not match an account. Check them and try again.');
              return;
            }
          }
          setFormError(errorMessage(error));
        },
      },
    );
  };

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      {unverifiedEmail ? (
        <Alert variant="warning" title="Verify your email first">
          <p>
            We sent a verification link to <strong className="font-medium">{unverifiedEmail}</strong>. Open it
            to activate your account, then sign in.
          </p>
          <ResendVerificationButton
            email={unverifiedEmail}
            redirect={redirect}
            variant="secondary"
            size="sm"
            className="mt-3"
          />
        </Alert>
      ) : null}
      <FormField id="sign-in-email" label="Email" error={errors.email}>
        <Input
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="you@company.com"
        />
      </FormField>
      <div className="grid gap-2">
        <FormField id="sign-in-password" label="Password" error={errors.password}>
          <PasswordInput
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </FormField>
        <Link
          to="/forgot-password"
          className="justify-self-end rounded-sm text-[0.8125rem] font-medium text-accent outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
        >
          Forgot password?
        </Link>
      </div>
      <Button type="submit" size="lg" className="w-full" loading={signIn.isPending}>
        Sign in
      </Button>
    </form>
  );
}
