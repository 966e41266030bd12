import { PASSWORD_HINT } from '@common/password';
import { useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { PasswordInput } from '@/components/ui/password-input';
import { ApiError, errorMessage } from '@/lib/api';
import { useSignUp } from '../api/sign-up';
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

export function SignUpForm({ redirect }: { redirect?: string }) {
  const navigate = useNavigate();
  const signUp = useSignUp();
  const [name, setName] = React.useState('');
  const [email, setEmail] = React.useState('');
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
      <FormField id="sign-up-email" label="Work email" error={errors.email}>
        <Input
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="ada@company.com"
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
      <Button type="submit" size="lg" className="w-full" loading={signUp.isPending}>
        Create account
      </Button>
    </form>
  );
}
