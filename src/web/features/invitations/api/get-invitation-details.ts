import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

/** An invitation seen by its invitee (signed in); `inviterName` is null once the inviter's account is gone. */
export type InvitationDetails = Res<'/api/v1/invitations/{id}/details', 'get'>;

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
