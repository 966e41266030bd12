import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

type InvitationList = Res<'/api/v1/invitations', 'get'>;

/** A sent invitation; `inviterName` is null once the inviter's account is gone. */
export type Invitation = ItemOf<InvitationList>;
export type InvitationStatus = Invitation['status'];

export const invitationsQueryKey = (orgId: string) => ['orgs', orgId, 'invitations'] as const;

export const invitationsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: invitationsQueryKey(orgId),
    queryFn: ({ signal }) => api.get<InvitationList>('/api/v1/invitations', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/invitations */
export function useInvitations(orgId: string, enabled = true) {
  return useQuery({ ...invitationsQueryOptions(orgId), enabled });
}
