import { createFileRoute, Link } from '@tanstack/react-router';
import { AuthCard } from '@/components/layout/auth-card';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ResetPasswordForm } from '@/features/auth/components/reset-password-form';
import { useDocumentTitle } from '@/lib/use-document-title';

interface ResetPasswordSearch {
  token?: string;
  error?: string;
}

export const Route = createFileRoute('/_auth/reset-password')({
  validateSearch: (search: Record<string, unknown>): ResetPasswordSearch => ({
    token: typeof search.token === 'string' && search.token ? search.token : undefined,
    error: typeof search.error === 'string' && search.error ? search.error : undefined,
  }),
  component: ResetPasswordPage,
});

function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const { token, error } = Route.useSearch();

  if (error || !token) {
    return (
      <AuthCard title="This reset link does not work" description="It may have expired or been used already.">
        <div className="grid gap-4">
          <Alert variant="error">
            {error === 'INVALID_TOKEN' || !token
              ? 'The password reset link is invalid or has expired.'
              : `The password reset link could not be used (${error}).`}
          </Alert>
          <Button asChild size="lg">
            <Link to="/forgot-password">Request a new link</Link>
          </Button>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Choose a new password"
      description="After saving, you will sign in again with the new password."
      footer={
        <Link to="/sign-in" className="font-medium text-accent hover:underline">
          Back to sign in
        </Link>
      }
    >
      <ResetPasswordForm token={token} />
    </AuthCard>
  );
}
