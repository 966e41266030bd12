import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import * as React from 'react';
import { apiKeysQueryKey, useApiKeys } from '@/features/api-keys/api/list-api-keys';
import { invitationsQueryOptions } from '@/features/members/api/list-invitations';
import { membersQueryOptions } from '@/features/members/api/list-members';
import { InvitationsList } from '@/features/members/components/invitations-list';
import { InviteMemberDialog } from '@/features/members/components/invite-member-dialog';
import { MembersTable } from '@/features/members/components/members-table';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/members')({
  loader: ({ context }) => {
    // Start both requests early; the components show skeletons until they answer.
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) {
      void context.queryClient.prefetchQuery(membersQueryOptions(orgId));
      void context.queryClient.prefetchQuery(invitationsQueryOptions(orgId));
    }
  },
  component: MembersPage,
});

function MembersPage() {
  useDocumentTitle('Members');
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canInvite = useCan('members:invite');
  const queryClient = useQueryClient();
  // Removing a member stops their API keys: the removal dialog counts them when the viewer may see keys.
  const canSeeKeys = useCan('settings:write');
  const canRemove = useCan('members:remove');
  const keys = useApiKeys(orgId, canSeeKeys && canRemove);
  const apiKeysOf = React.useMemo(() => {
    const list = keys.data;
    if (!list) return undefined;
    return (userId: string) => list.filter((k) => k.ownerId === userId && !k.revokedAt).length;
  }, [keys.data]);
  const onRemoved = React.useCallback(
    () => void queryClient.invalidateQueries({ queryKey: apiKeysQueryKey(orgId) }),
    [queryClient, orgId],
  );
  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div className="grid gap-1">
          <h2 className="text-base font-semibold tracking-tight">Team</h2>
          <p className="text-sm text-muted-foreground">
            {canInvite ? 'Invite people to ' : 'The people who work in '}
            <span className="font-medium text-foreground">{me.activeOrganization?.name}</span>
            {canInvite ? ' and choose what they can do.' : ', and their roles.'}
          </p>
        </div>
        {canInvite ? <InviteMemberDialog /> : null}
      </div>
      <MembersTable apiKeysOf={apiKeysOf} onRemoved={onRemoved} />
      <InvitationsList />
    </div>
  );
}
