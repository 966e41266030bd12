import { Clock, MailPlus } from 'lucide-react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { useMe } from '@/lib/session';
import { formatDate } from '@/lib/utils';
import { type Invitation, useInvitations } from '../api/list-invitations';
import { useRevokeInvitation } from '../api/revoke-invitation';

function isVisible(invitation: Invitation): boolean {
  return invitation.status === 'pending' || invitation.status === 'expired';
}

/** Invitations waiting for an answer, with a Revoke action for those allowed to invite. */
export function InvitationsList() {
  const me = useMe();
  const org = me.activeOrganization!;
  const canInvite = me.permissions.includes('members:invite');
  const invitations = useInvitations(org.id);
  const revoke = useRevokeInvitation(org.id);

  const onRevoke = (invitation: Invitation) =>
    revoke.mutate(
      { id: invitation.id },
      {
        onSuccess: () =>
          toast.success('Invitation revoked', {
            description: `The link sent to ${invitation.email} no longer works.`,
          }),
        onError: (error) =>
          toast.error('Could not revoke the invitation', { description: errorMessage(error) }),
      },
    );

  const items = invitations.data?.filter(isVisible) ?? [];

  return (
    <Card>
      <CardHeader className="pb-4">
        <CardTitle>Pending invitations</CardTitle>
        <CardDescription>People who were invited but have not joined yet.</CardDescription>
      </CardHeader>
      {invitations.isPending ? (
        <div className="grid gap-3 px-6 pb-6" role="status" aria-label="Loading invitations">
          <Skeleton className="h-10 w-full" />
          <Skeleton className="h-10 w-full" />
        </div>
      ) : invitations.isError ? (
        <ErrorState
          className="mx-6 mb-6"
          title="Could not load invitations"
          error={invitations.error}
          onRetry={() => void invitations.refetch()}
        />
      ) : items.length === 0 ? (
        <div className="mx-6 mb-6 flex items-center gap-3 rounded-md border border-dashed border-border bg-subtle px-4 py-5 text-sm text-muted-foreground">
          <MailPlus aria-hidden="true" className="size-4 shrink-0" />
          No pending invitations.
          {canInvite ? ' Invite a teammate to collaborate on contacts and campaigns.' : null}
        </div>
      ) : (
        <ul aria-label="Pending invitations" className="divide-y divide-border border-t border-border">
          {items.map((invitation) => (
            <li key={invitation.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-6 py-3">
              <div className="grid min-w-0 flex-1 leading-tight">
                <span className="truncate font-medium">{invitation.email}</span>
                <span className="flex items-center gap-1.5 truncate text-[0.8125rem] text-muted-foreground">
                  <Clock aria-hidden="true" className="size-3.5" />
                  {invitation.status === 'expired'
                    ? `Expired ${formatDate(invitation.expiresAt)}`
                    : `Invited by ${invitation.inviterName ?? 'a former member'} · expires ${formatDate(invitation.expiresAt)}`}
                </span>
              </div>
              <Badge variant="neutral">{roleLabel(invitation.role)}</Badge>
              {invitation.status === 'expired' ? <Badge variant="warning">Expired</Badge> : null}
              {canInvite && invitation.status === 'pending' ? (
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => onRevoke(invitation)}
                  loading={revoke.isPending && revoke.variables?.id === invitation.id}
                  aria-label={`Revoke invitation for ${invitation.email}`}
                >
                  Revoke
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
