import { createFileRoute, Link } from '@tanstack/react-router';
import { AuthCard } from '@/components/layout/auth-card';
import { SignUpForm } from '@/features/auth/components/sign-up-form';
import { parseRedirect } from '@/lib/redirect';
import { useDocumentTitle } from '@/lib/use-document-title';

interface SignUpSearch {
  redirect?: string;
}

export const Route = createFileRoute('/_auth/sign-up')({
  validateSearch: (search: Record<string, unknown>): SignUpSearch => ({ redirect: parseRedirect(search) }),
  component: SignUpPage,
});

function SignUpPage() {
  useDocumentTitle('Create your account');
  const { redirect } = Route.useSearch();
  const invited = redirect?.startsWith('/invitations/');
  return (
    <AuthCard
      title="Create your account"
      description={
        invited
          ? 'Use the email address your invitation was sent to.'
          : 'Start managing contacts and campaigns with your team.'
      }
      footer={
        <>
          Already have an account?{' '}
          <Link to="/sign-in" search={{ redirect }} className="font-medium text-accent hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm redirect={redirect} />
    </AuthCard>
  );
}
