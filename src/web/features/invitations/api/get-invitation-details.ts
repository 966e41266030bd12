import type { Role } from '@common/permissions';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface InvitationDetails {
  id: string;
  organizationName: string;
  inviterName: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'canceled' | 'expired';
  expiresAt: string;
}

export const invitationDetailsQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['invitations', id, 'details'] as const,
    queryFn: ({ signal }) =>
      api.get<InvitationDetails>(`/api/v1/invitations/${encodeURIComponent(id)}/details`, { signal }),
  });

/** GET /api/v1/invitations/{id}/details — needs a session; 404 for an unknown id. */
export function useInvitationDetails(id: string, enabled: boolean) {
  return useQuery({ ...invitationDetailsQueryOptions(id), enabled });
}
