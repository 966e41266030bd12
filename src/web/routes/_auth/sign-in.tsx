import { createFileRoute, Link } from '@tanstack/react-router';
import { AuthCard } from '@/components/layout/auth-card';
import { Alert } from '@/components/ui/alert';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { redirectIfSignedIn } from '@/features/auth/redirect-signed-in';
import { parseRedirect } from '@/lib/redirect';
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
        <SignInForm redirect={redirect} />
      </div>
    </AuthCard>
  );
}
