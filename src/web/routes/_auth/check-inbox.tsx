import { createFileRoute, Link } from '@tanstack/react-router';
import { MailCheck } from 'lucide-react';
import { AuthCard } from '@/components/layout/auth-card';
import { ResendVerificationButton } from '@/features/auth/components/resend-verification-button';
import { parseRedirect } from '@/lib/redirect';
import { useDocumentTitle } from '@/lib/use-document-title';
import { isLocalHost } from '@/lib/utils';

interface CheckInboxSearch {
  email?: string;
  redirect?: string;
}

export const Route = createFileRoute('/_auth/check-inbox')({
  validateSearch: (search: Record<string, unknown>): CheckInboxSearch => ({
    email: typeof search.email === 'string' && search.email.includes('@') ? search.email : undefined,
    redirect: parseRedirect(search),
  }),
  component: CheckInboxPage,
});

function CheckInboxPage() {
  useDocumentTitle('Check your inbox');
  const { email, redirect } = Route.useSearch();
  return (
    <AuthCard
      icon={
        <div className="flex size-10 items-center justify-center rounded-lg bg-accent-subtle">
          <MailCheck aria-hidden="true" className="size-5 text-accent" />
        </div>
      }
      title="Check your inbox"
      description={
        email ? (
          <>
            We sent a verification link to <strong className="font-medium text-foreground">{email}</strong>.
            Open it to activate your account, then sign in.
          </>
        ) : (
          'We sent you a verification link. Open it to activate your account, then sign in.'
        )
      }
      footer={
        <>
          Verified already?{' '}
          <Link to="/sign-in" search={{ redirect }} className="font-medium text-accent hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <div className="grid gap-4">
        <p className="text-sm text-muted-foreground">
          No email after a few minutes? Check your spam folder, or send it again.
        </p>
        {email ? <ResendVerificationButton email={email} redirect={redirect} variant="secondary" /> : null}
        {isLocalHost() ? (
          <p className="rounded-md border border-dashed border-border bg-subtle px-3 py-2.5 text-[0.8125rem] text-muted-foreground">
            Running Moxora locally? Without an SMTP server, mail lands in the outbox viewer at{' '}
            <a href="/_dev/outbox" className="font-medium text-accent hover:underline">
              /_dev/outbox
            </a>{' '}
            (served when Moxora listens on 127.0.0.1, or with DEV_OUTBOX=1; otherwise the .eml files are in
            its data folder, under outbox/).
          </p>
        ) : null}
      </div>
    </AuthCard>
  );
}
