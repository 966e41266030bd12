import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Link, useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { AuthCard } from '@/components/layout/auth-card';
import { Alert } from '@/components/ui/alert';
import { TwoFactorStep } from '@/features/account/components/two-factor-step';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { redirectIfSignedIn } from '@/features/auth/redirect-signed-in';
import { parseRedirect, safeRedirect } from '@/lib/redirect';
import { useDocumentTitle } from '@/lib/use-document-title';

interface SignInSearch {
  redirect?: string;
  verified?: 1;
  reset?: 1;
}

const flag = (value: unknown): 1 | undefined =>
  value === 1 || value === '1' || value === true ? 1 : undefined;

export const Route = createFileRoute('/_auth/sign-in')({
  validateSearch: (search: Record<string, unknown>): SignInSearch => ({
    redirect: parseRedirect(search),
    verified: flag(search.verified),
    reset: flag(search.reset),
  }),
  beforeLoad: ({ search }) => redirectIfSignedIn(search.redirect),
  component: SignInPage,
});

function SignInPage() {
  useDocumentTitle('Sign in');
  const { redirect, verified, reset } = Route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // After a right password on an account with two-factor sign-in: the code step.
  const [codeStep, setCodeStep] = React.useState(false);
  if (codeStep) {
    return (
      <AuthCard title="Two-factor sign-in" description="One more step to confirm it is you.">
        <TwoFactorStep
          onSignedIn={() => {
            queryClient.clear();
            void navigate({ href: safeRedirect(redirect, '/') });
          }}
          onRestart={() => setCodeStep(false)}
        />
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Sign in to Moxora"
      description="Welcome back. Enter your details to continue."
      footer={
        <>
          New to Moxora?{' '}
          <Link to="/sign-up" search={{ redirect }} className="font-medium text-accent hover:underline">
            Create an account
          </Link>
        </>
      }
    >
      <div className="grid gap-5">
        {verified ? <Alert variant="success">Email verified, you can sign in.</Alert> : null}
        {reset ? <Alert variant="success">Your password was changed. Sign in with the new one.</Alert> : null}
        <SignInForm redirect={redirect} onTwoFactor={() => setCodeStep(true)} />
      </div>
    </AuthCard>
  );
}
