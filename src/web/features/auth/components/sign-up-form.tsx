import { PASSWORD_HINT } from '@common/password';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { PasswordInput } from '@/components/ui/password-input';
import { ApiError, errorMessage, isApiError } from '@/lib/api';
import { useSignUp } from '../api/sign-up';
import { useSignUpWithInvitation } from '../api/sign-up-with-invitation';
import { validateEmail, validateNewPassword, verificationCallbackUrl } from '../callback-urls';

type Field = 'name' | 'email' | 'password' | 'ageConfirmed';
type Errors = Partial<Record<Field, string>>;

function validate(values: { name: string; email: string; password: string; ageConfirmed: boolean }): Errors {
  const errors: Errors = {};
  if (!values.name.trim()) errors.name = 'Enter your name.';
  const email = validateEmail(values.email);
  if (email) errors.email = email;
  const password = validateNewPassword(values.password);
  if (password) errors.password = password;
  if (!values.ageConfirmed) errors.ageConfirmed = 'You must be 16 or older to create an account.';
  return errors;
}

/** The invitation a sign-up comes through: the address is the invited one, fixed. */
export interface SignUpInvitation {
  id: string;
  email: string;
  organizationName: string;
}

export function SignUpForm({ redirect, invitation }: { redirect?: string; invitation?: SignUpInvitation }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signUp = useSignUp();
  const invitedSignUp = useSignUpWithInvitation();
  const [name, setName] = React.useState('');
  const [email, setEmail] = React.useState(invitation?.email ?? '');
  const [existingAccount, setExistingAccount] = React.useState(false);
  const [password, setPassword] = React.useState('');
  const [ageConfirmed, setAgeConfirmed] = React.useState(false);
  const [errors, setErrors] = React.useState<Errors>({});
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const found = validate({ name, email, password, ageConfirmed });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      const first = (['name', 'email', 'password', 'ageConfirmed'] as const).find((f) => found[f]);
      if (first) document.getElementById(`sign-up-${first}`)?.focus();
      return;
    }
    const address = email.trim();
    if (invitation) {
      setExistingAccount(false);
      invitedSignUp.mutate(
        { invitationId: invitation.id, name: name.trim(), password, ageConfirmed: true },
        {
          onSuccess: async () => {
            // Signed in now: whatever the cache holds is from before.
            queryClient.clear();
            toast.success(`Welcome to ${invitation.organizationName}`);
            await navigate({ to: '/contacts' });
          },
          onError: (error) => {
            if (isApiError(error, 'CONFLICT')) {
              setExistingAccount(true);
              return;
            }
            const fields = error instanceof ApiError ? error.fieldErrors() : {};
            const mapped: Errors = {};
            for (const f of ['name', 'password', 'ageConfirmed'] as const)
              if (fields[f]) mapped[f] = fields[f];
            if (Object.keys(mapped).length > 0) setErrors(mapped);
            else setFormError(errorMessage(error));
          },
        },
      );
      return;
    }
    signUp.mutate(
      {
        name: name.trim(),
        email: address,
        password,
        ageConfirmed: true,
        callbackURL: verificationCallbackUrl(redirect),
      },
      {
        onSuccess: () => navigate({ to: '/check-inbox', search: { email: address, redirect } }),
        onError: (error) => {
          if (error instanceof ApiError) {
            const fields = error.fieldErrors();
            const mapped: Errors = {};
            for (const f of ['name', 'email', 'password', 'ageConfirmed'] as const) {
              if (fields[f]) mapped[f] = fields[f];
            }
            if (Object.keys(mapped).length > 0) {
              setErrors(mapped);
              return;
            }
            // An existing account (422 / USER_ALREADY_EXISTS …) belongs next to the email field.
            if (error.status === 422 || /exist/i.test(error.code) || /already/i.test(error.message)) {
              setErrors({ email: error.message });
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
      {existingAccount && invitation ? (
        <Alert variant="warning" title="You already have an account">
          <p>
            {invitation.email} already has a Moxora account.{' '}
            <Link
              to="/sign-in"
              search={{ redirect: `/invitations/${invitation.id}` }}
              className="font-medium underline"
            >
              Sign in to accept the invitation
            </Link>
            .
          </p>
        </Alert>
      ) : null}
      <FormField id="sign-up-name" label="Full name" error={errors.name}>
        <Input
          name="name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Ada Lovelace"
          maxLength={100}
        />
      </FormField>
      <FormField
        id="sign-up-email"
        label="Work email"
        error={errors.email}
        hint={
          invitation ? 'The address your invitation was sent to; opening the link confirmed it.' : undefined
        }
      >
        <Input
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="ada@company.com"
          readOnly={Boolean(invitation)}
          aria-readonly={invitation ? true : undefined}
          className={invitation ? 'bg-muted text-muted-foreground' : undefined}
        />
      </FormField>
      <FormField id="sign-up-password" label="Password" error={errors.password} hint={PASSWORD_HINT}>
        <PasswordInput
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </FormField>
      <div className="grid gap-2">
        <div className="flex items-start gap-2.5">
          <Checkbox
            id="sign-up-ageConfirmed"
            name="ageConfirmed"
            className="mt-0.5"
            checked={ageConfirmed}
            onCheckedChange={(v) => setAgeConfirmed(v === true)}
            aria-invalid={errors.ageConfirmed ? true : undefined}
            aria-describedby={errors.ageConfirmed ? 'sign-up-ageConfirmed-message' : undefined}
            aria-required="true"
          />
          <Label htmlFor="sign-up-ageConfirmed" className="leading-5 font-normal">
            I confirm that I am 16 or older
          </Label>
        </div>
        {errors.ageConfirmed ? (
          <p id="sign-up-ageConfirmed-message" className="pl-6.5 text-[0.8125rem] text-destructive">
            {errors.ageConfirmed}
          </p>
        ) : null}
      </div>
      <Button
        type="submit"
        size="lg"
        className="w-full"
        loading={signUp.isPending || invitedSignUp.isPending}
      >
        {invitation ? 'Create account and join' : 'Create account'}
      </Button>
    </form>
  );
}
