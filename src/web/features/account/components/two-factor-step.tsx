import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { verifySignInCode } from '../api/two-factor';

/**
 * The second sign-in step, after a right password on an account with two-factor sign-in: a code
 * from the authenticator app, or one of the recovery codes.
 */
export function TwoFactorStep({ onSignedIn, onRestart }: { onSignedIn: () => void; onRestart: () => void }) {
  const [mode, setMode] = React.useState<'totp' | 'recovery'>('totp');
  const [code, setCode] = React.useState('');
  const [error, setError] = React.useState<string>();
  const [expired, setExpired] = React.useState(false);
  const [pending, setPending] = React.useState(false);

  const onSubmit = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const clean = mode === 'totp' ? code.replace(/\s/g, '') : code.trim();
    if (mode === 'totp' ? !/^\d{6}$/.test(clean) : !clean) {
      setError(
        mode === 'totp' ? 'Enter the 6-digit code from your authenticator app.' : 'Enter a recovery code.',
      );
      return;
    }
    setError(undefined);
    setPending(true);
    try {
      await verifySignInCode(mode, clean);
      onSignedIn();
    } catch (e) {
      if (
        e instanceof ApiError &&
        (e.code === 'INVALID_TWO_FACTOR_COOKIE' || e.code === 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE')
      ) {
        setExpired(true);
      } else if (e instanceof ApiError && (e.code === 'INVALID_CODE' || e.code === 'INVALID_BACKUP_CODE')) {
        setError(
          mode === 'totp'
            ? 'That code is not right. Try the newest code in your app.'
            : 'That recovery code is not valid (each works once).',
        );
      } else setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  };

  if (expired) {
    return (
      <div className="grid gap-4">
        <Alert variant="error">This sign-in has expired or had too many wrong codes. Sign in again.</Alert>
        <Button type="button" onClick={onRestart}>
          Back to sign-in
        </Button>
      </div>
    );
  }

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      <p className="text-sm text-muted-foreground">
        {mode === 'totp'
          ? 'Open your authenticator app and enter the 6-digit code for Moxora.'
          : 'Enter one of the recovery codes you saved when you set up two-factor sign-in.'}
      </p>
      <FormField
        id="sign-in-code"
        label={mode === 'totp' ? 'Authentication code' : 'Recovery code'}
        error={error}
      >
        <Input
          name="code"
          autoFocus
          inputMode={mode === 'totp' ? 'numeric' : 'text'}
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          className="font-mono tracking-widest"
        />
      </FormField>
      <Button type="submit" size="lg" className="w-full" loading={pending}>
        Verify
      </Button>
      <button
        type="button"
        className="justify-self-center rounded-sm text-[0.8125rem] font-medium text-accent outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
        onClick={() => {
          setMode(mode === 'totp' ? 'recovery' : 'totp');
          setCode('');
          setError(undefined);
        }}
      >
        {mode === 'totp' ? 'Use a recovery code instead' : 'Use the authenticator app instead'}
      </button>
    </form>
  );
}
