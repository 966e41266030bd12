import { QRCodeSVG } from 'qrcode.react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { PasswordInput } from '@/components/ui/password-input';
import { Skeleton } from '@/components/ui/skeleton';
import { ApiError, errorMessage } from '@/lib/api';
import {
  type EnableResult,
  secretOfUri,
  useAccountSecurity,
  useConfirmTwoFactor,
  useDisableTwoFactor,
  useRegenerateRecoveryCodes,
  useStartTwoFactor,
} from '../api/two-factor';
import { RecoveryCodes } from './recovery-codes';

type Step =
  | { kind: 'idle' }
  | { kind: 'password'; purpose: 'enable' | 'disable' | 'codes' }
  | { kind: 'scan'; setup: EnableResult }
  | { kind: 'codes'; codes: string[] };

const passwordError = (error: unknown) =>
  error instanceof ApiError && /INVALID_PASSWORD/.test(error.code)
    ? 'That password is not right.'
    : errorMessage(error);

/** Two-factor sign-in: set up with an authenticator app (QR code), recovery codes, turn off. */
export function TwoFactorCard() {
  const security = useAccountSecurity();
  const start = useStartTwoFactor();
  const confirm = useConfirmTwoFactor();
  const disable = useDisableTwoFactor();
  const regenerate = useRegenerateRecoveryCodes();
  const [step, setStep] = React.useState<Step>({ kind: 'idle' });
  const [password, setPassword] = React.useState('');
  const [code, setCode] = React.useState('');
  const [error, setError] = React.useState<string>();

  const reset = (next: Step = { kind: 'idle' }) => {
    setStep(next);
    setPassword('');
    setCode('');
    setError(undefined);
  };

  const onPassword = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (step.kind !== 'password') return;
    if (!password) {
      setError('Enter your password.');
      return;
    }
    setError(undefined);
    if (step.purpose === 'enable') {
      start.mutate(password, {
        onSuccess: (setup) => reset({ kind: 'scan', setup }),
        onError: (e) => setError(passwordError(e)),
      });
    } else if (step.purpose === 'disable') {
      disable.mutate(password, {
        onSuccess: () => {
          toast.success('Two-factor sign-in is off');
          reset();
        },
        onError: (e) => setError(passwordError(e)),
      });
    } else {
      regenerate.mutate(password, {
        onSuccess: (r) => reset({ kind: 'codes', codes: r.backupCodes }),
        onError: (e) => setError(passwordError(e)),
      });
    }
  };

  const onCode = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (step.kind !== 'scan') return;
    const clean = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(clean)) {
      setError('Enter the 6-digit code from your authenticator app.');
      return;
    }
    confirm.mutate(clean, {
      onSuccess: () => {
        toast.success('Two-factor sign-in is on');
        reset({ kind: 'codes', codes: step.setup.backupCodes });
      },
      onError: (e) =>
        setError(
          e instanceof ApiError && e.code === 'INVALID_CODE'
            ? 'That code is not right. Check the time on your phone and try the newest code.'
            : errorMessage(e),
        ),
    });
  };

  if (security.isPending) return <Skeleton className="h-40" />;
  if (security.isError) return <Alert variant="error">{errorMessage(security.error)}</Alert>;
  const state = security.data;

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Two-factor sign-in
          {state.twoFactorEnabled ? <Badge variant="success">On</Badge> : <Badge>Off</Badge>}
        </CardTitle>
        <CardDescription>
          After your password, Moxora asks for a code from an authenticator app on your phone (such as
          1Password, Google Authenticator or Aegis).
        </CardDescription>
      </CardHeader>
      <CardContent className="grid max-w-xl gap-4">
        {!state.twoFactorEnabled && state.requiredBy.length > 0 ? (
          <Alert variant="warning" title="Two-factor sign-in is required">
            {state.requiredBy.map((o) => o.name).join(', ')}{' '}
            {state.requiredBy.length === 1 ? 'requires' : 'require'} it for every member. Set it up to
            continue working there.
          </Alert>
        ) : null}

        {step.kind === 'codes' ? <RecoveryCodes codes={step.codes} onDone={() => reset()} /> : null}

        {step.kind === 'idle' ? (
          <div className="flex flex-wrap gap-2">
            {state.twoFactorEnabled ? (
              <>
                <Button
                  type="button"
                  variant="secondary"
                  onClick={() => reset({ kind: 'password', purpose: 'codes' })}
                >
                  New recovery codes
                </Button>
                <Button
                  type="button"
                  variant="secondary"
                  onClick={() => reset({ kind: 'password', purpose: 'disable' })}
                >
                  Turn off
                </Button>
              </>
            ) : (
              <Button type="button" onClick={() => reset({ kind: 'password', purpose: 'enable' })}>
                Set up two-factor sign-in
              </Button>
            )}
          </div>
        ) : null}

        {step.kind === 'password' ? (
          <form noValidate onSubmit={onPassword} className="grid gap-3">
            <FormField id="two-factor-password" label="Confirm with your password" error={error}>
              <PasswordInput
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoFocus
              />
            </FormField>
            <div className="flex gap-2">
              <Button
                type="submit"
                variant={step.purpose === 'disable' ? 'destructive' : 'primary'}
                loading={start.isPending || disable.isPending || regenerate.isPending}
              >
                {step.purpose === 'enable'
                  ? 'Continue'
                  : step.purpose === 'disable'
                    ? 'Turn off two-factor sign-in'
                    : 'Show new codes'}
              </Button>
              <Button type="button" variant="ghost" onClick={() => reset()}>
                Cancel
              </Button>
            </div>
          </form>
        ) : null}

        {step.kind === 'scan' ? (
          <form noValidate onSubmit={onCode} className="grid gap-4">
            <ol className="grid list-decimal gap-3 pl-5 text-sm">
              <li>
                Scan this QR code with your authenticator app:
                <div className="mt-2 w-fit rounded-md border border-border bg-white p-3">
                  <QRCodeSVG
                    value={step.setup.totpURI}
                    size={176}
                    title="QR code for your authenticator app"
                  />
                </div>
                <p className="mt-2 text-muted-foreground">
                  Cannot scan it? Enter this key instead:{' '}
                  <code
                    data-testid="totp-secret"
                    className="rounded bg-muted px-1.5 py-0.5 font-mono text-foreground break-all"
                  >
                    {secretOfUri(step.setup.totpURI)}
                  </code>
                </p>
              </li>
              <li>Enter the 6-digit code the app shows.</li>
            </ol>
            <FormField id="two-factor-code" label="Code from the app" error={error}>
              <Input
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                className="max-w-40 font-mono tracking-widest"
              />
            </FormField>
            <div className="flex gap-2">
              <Button type="submit" loading={confirm.isPending}>
                Turn on
              </Button>
              <Button type="button" variant="ghost" onClick={() => reset()}>
                Cancel
              </Button>
            </div>
          </form>
        ) : null}
      </CardContent>
    </Card>
  );
}
