import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { Building2, CircleSlash, MailWarning } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { AuthCard } from '@/components/layout/auth-card';
import { Alert } from '@/components/ui/alert';
import { Avatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage, isApiError, isUnauthenticated } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { meQueryOptions } from '@/lib/session';
import { formatDate } from '@/lib/utils';
import { useAcceptInvitation } from '../api/accept-invitation';
import { type InvitationDetails, useInvitationDetails } from '../api/get-invitation-details';

function LoadingCard() {
  return (
    <Card className="grid gap-4 p-8" role="status" aria-label="Loading invitation">
      <Skeleton className="size-12 rounded-lg" />
      <Skeleton className="h-6 w-3/4" />
      <Skeleton className="h-4 w-full" />
      <Skeleton className="h-10 w-full" />
    </Card>
  );
}

const STATUS_TEXT: Record<Exclude<InvitationDetails['status'], 'pending'>, string> = {
  accepted: 'This invitation has already been accepted.',
  canceled: 'This invitation was revoked by the organisation.',
  expired: 'This invitation has expired.',
};

function Unavailable({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <AuthCard
      icon={
        <div className="flex size-10 items-center justify-center rounded-lg bg-muted">
          <CircleSlash aria-hidden="true" className="size-5 text-muted-foreground" />
        </div>
      }
      title={title}
      description={children}
    >
      <Button asChild variant="secondary" className="w-full">
        <Link to="/">Go to Moxora</Link>
      </Button>
    </AuthCard>
  );
}

export interface InvitationViewProps {
  id: string;
  /** Signs the current user out and brings them back here (wired by the route, which owns auth). */
  onSwitchAccount: () => void;
  switchingAccount?: boolean;
}

/** The page an invitation email links to. */
export function InvitationView({ id, onSwitchAccount, switchingAccount = false }: InvitationViewProps) {
  const navigate = useNavigate();
  const me = useQuery({ ...meQueryOptions(), retry: false });
  const signedIn = me.isSuccess;
  const details = useInvitationDetails(id, signedIn);
  const accept = useAcceptInvitation();
  const [acceptError, setAcceptError] = React.useState<string>();
  const here = `/invitations/${id}`;

  if (me.isPending) return <LoadingCard />;

  if (me.isError) {
    if (!isUnauthenticated(me.error)) {
      return (
        <ErrorState
          error={me.error}
          title="Could not load the invitation"
          onRetry={() => void me.refetch()}
        />
      );
    }
    return (
      <AuthCard
        icon={
          <div className="flex size-10 items-center justify-center rounded-lg bg-accent-subtle">
            <Building2 aria-hidden="true" className="size-5 text-accent" />
          </div>
        }
        title="You have been invited to Moxora"
        description="To see and accept this invitation, sign in or create an account with the email address the invitation was sent to."
      >
        <div className="grid gap-3">
          <Button asChild size="lg">
            <Link to="/sign-in" search={{ redirect: here }}>
              Sign in to accept
            </Link>
          </Button>
          <Button asChild size="lg" variant="secondary">
            <Link to="/sign-up" search={{ invitation: id }}>
              Create an account
            </Link>
          </Button>
        </div>
      </AuthCard>
    );
  }

  if (details.isPending) return <LoadingCard />;

  if (details.isError) {
    const error = details.error;
    // The server refuses to show an invitation addressed to someone else (403).
    if (isApiError(error) && error.status === 403) {
      return (
        <AuthCard
          icon={
            <div className="flex size-10 items-center justify-center rounded-lg bg-warning-subtle">
              <MailWarning aria-hidden="true" className="size-5 text-warning" />
            </div>
          }
          title="This invitation is for another address"
          description={
            <>
              {error.message} You are signed in as{' '}
              <strong className="font-medium text-foreground">{me.data.user.email}</strong>.
            </>
          }
        >
          <Button size="lg" className="w-full" onClick={onSwitchAccount} loading={switchingAccount}>
            Sign in with another account
          </Button>
        </AuthCard>
      );
    }
    if (isApiError(error) && error.status === 410) {
      return <Unavailable title="Invitation no longer valid">{error.message}</Unavailable>;
    }
    // Unknown ids answer 404; malformed ids are refused as invalid (400).
    if (isApiError(error) && (error.status === 404 || error.status === 400)) {
      return (
        <Unavailable title="Invitation not found">
          This link does not match any invitation. Ask the person who invited you to send a new one.
        </Unavailable>
      );
    }
    return (
      <ErrorState
        error={details.error}
        title="Could not load the invitation"
        onRetry={() => void details.refetch()}
      />
    );
  }

  const invitation = details.data;
  if (invitation.status !== 'pending') {
    return (
      <Unavailable title="Invitation no longer valid">
        {STATUS_TEXT[invitation.status]} Ask someone at {invitation.organizationName} to invite you again.
      </Unavailable>
    );
  }

  const user = me.data.user;
  const wrongAccount = invitation.email.toLowerCase() !== user.email.toLowerCase();

  const onAccept = () => {
    setAcceptError(undefined);
    accept.mutate(
      { id },
      {
        onSuccess: async () => {
          toast.success(`Welcome to ${invitation.organizationName}`, {
            description: `You joined as ${roleLabel(invitation.role).toLowerCase()}.`,
          });
          await navigate({ to: '/contacts' });
        },
        onError: (error) => setAcceptError(errorMessage(error)),
      },
    );
  };

  return (
    <Card className="p-6 shadow-sm sm:p-8">
      <div className="flex flex-col items-center text-center">
        <Avatar name={invitation.organizationName} square className="size-12 text-base" />
        <p className="mt-4 text-sm text-muted-foreground">
          <span className="font-medium text-foreground">{invitation.inviterName ?? 'A teammate'}</span>{' '}
          invited you to join
        </p>
        <h1 className="mt-1 text-xl font-semibold tracking-tight" data-testid="invitation-org-name">
          {invitation.organizationName}
        </h1>
        <div className="mt-3 flex items-center gap-2 text-[0.8125rem] text-muted-foreground">
          <span>as</span>
          <Badge variant="accent">{roleLabel(invitation.role)}</Badge>
          <span>· expires {formatDate(invitation.expiresAt)}</span>
        </div>
      </div>

      <div className="mt-6 grid gap-4">
        {acceptError ? <Alert variant="error">{acceptError}</Alert> : null}
        {wrongAccount ? (
          <>
            <Alert variant="warning" title="This invitation is for another address">
              It was sent to <strong className="font-medium">{invitation.email}</strong>, but you are signed
              in as <strong className="font-medium">{user.email}</strong>. Sign in with the invited address to
              accept it.
            </Alert>
            <Button size="lg" variant="secondary" onClick={onSwitchAccount} loading={switchingAccount}>
              <MailWarning aria-hidden="true" />
              Sign in with another account
            </Button>
          </>
        ) : (
          <>
            <Button size="lg" onClick={onAccept} loading={accept.isPending}>
              Accept invitation
            </Button>
            <Button asChild size="lg" variant="ghost" className="text-muted-foreground">
              <Link to="/">Not now</Link>
            </Button>
            <p className="text-center text-xs break-words text-muted-foreground">
              Signed in as <span className="font-medium text-foreground">{user.email}</span>
            </p>
          </>
        )}
      </div>
    </Card>
  );
}
