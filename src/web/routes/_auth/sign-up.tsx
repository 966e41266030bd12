import { createFileRoute, Link } from '@tanstack/react-router';
import { AuthCard } from '@/components/layout/auth-card';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { SignUpForm } from '@/features/auth/components/sign-up-form';
import { redirectIfSignedIn } from '@/features/auth/redirect-signed-in';
import { useInvitationPreview } from '@/features/invitations/api/get-invitation-preview';
import { isApiError } from '@/lib/api';
import { parseRedirect } from '@/lib/redirect';
import { roleLabel } from '@/lib/roles';
import { useDocumentTitle } from '@/lib/use-document-title';

interface SignUpSearch {
  redirect?: string;
  /** An invitation id: the invitee signs up with the invited address (from the invitation page). */
  invitation?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const Route = createFileRoute('/_auth/sign-up')({
  validateSearch: (search: Record<string, unknown>): SignUpSearch => ({
    redirect: parseRedirect(search),
    invitation:
      typeof search.invitation === 'string' && UUID.test(search.invitation) ? search.invitation : undefined,
  }),
  beforeLoad: ({ search }) =>
    redirectIfSignedIn(
      search.redirect ?? (search.invitation ? `/invitations/${search.invitation}` : undefined),
    ),
  component: SignUpPage,
});

function SignUpPage() {
  useDocumentTitle('Create your account');
  const { redirect, invitation: invitationId } = Route.useSearch();
  const preview = useInvitationPreview(invitationId);
  const invited = Boolean(invitationId) || redirect?.startsWith('/invitations/');
  const invitationPath = invitationId ? `/invitations/${invitationId}` : redirect;
  const signInLink = (
    <Link
      to="/sign-in"
      search={{ redirect: invitationPath }}
      className="font-medium text-accent hover:underline"
    >
      Sign in
    </Link>
  );

  if (invitationId && preview.isPending) {
    return (
      <AuthCard title="Create your account">
        <div className="grid gap-4" role="status" aria-label="Loading invitation">
          <Skeleton className="h-9 w-full" />
          <Skeleton className="h-9 w-full" />
          <Skeleton className="h-9 w-full" />
        </div>
      </AuthCard>
    );
  }

  if (invitationId && (preview.isError || !preview.data?.email)) {
    const gone = preview.data && preview.data.status !== 'pending';
    return (
      <AuthCard
        title="Invitation no longer valid"
        description={
          gone
            ? `This invitation to ${preview.data!.organizationName} was ${
                preview.data!.status === 'canceled' ? 'revoked' : preview.data!.status
              }. Ask someone there to invite you again.`
            : isApiError(preview.error, 'NOT_FOUND')
              ? 'This link does not match any invitation. Ask the person who invited you to send a new one.'
              : 'The invitation could not be loaded. Check your connection and try again.'
        }
        footer={<>Already have an account? {signInLink}</>}
      >
        <Button asChild variant="secondary" className="w-full">
          <Link to="/sign-up">Create an account without an invitation</Link>
        </Button>
      </AuthCard>
    );
  }

  const invitation = preview.data?.email ? { ...preview.data, email: preview.data.email } : undefined;
  return (
    <AuthCard
      title={invitation ? `Join ${invitation.organizationName}` : 'Create your account'}
      description={
        invitation ? (
          <>
            {invitation.inviterName ?? 'A teammate'} invited you as {roleLabel(invitation.role).toLowerCase()}
            . Create your account to join; the invitation confirms your email address.
          </>
        ) : invited ? (
          'Use the email address your invitation was sent to.'
        ) : (
          'Start managing contacts and campaigns with your team.'
        )
      }
      footer={<>Already have an account? {signInLink}</>}
    >
      <SignUpForm redirect={redirect} invitation={invitation} />
    </AuthCard>
  );
}
