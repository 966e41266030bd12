import type { Role } from '@common/permissions';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export type InvitationStatus = 'pending' | 'accepted' | 'canceled' | 'expired';

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  expiresAt: string;
  createdAt: string;
  inviterName: string;
}

export const invitationsQueryKey = (orgId: string) => ['orgs', orgId, 'invitations'] as const;

export const invitationsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: invitationsQueryKey(orgId),
    queryFn: ({ signal }) => api.get<{ items: Invitation[] }>('/api/v1/invitations', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/invitations */
export function useInvitations(orgId: string, enabled = true) {
  return useQuery({ ...invitationsQueryOptions(orgId), enabled });
}
