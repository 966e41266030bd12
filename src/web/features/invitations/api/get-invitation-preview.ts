import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

/**
 * An invitation seen through its link, before there is a session: prefills the invitee's sign-up.
 * `email` (the invited address) is null once the invitation is no longer pending.
 */
export type InvitationPreview = Res<'/api/v1/invitations/{id}/preview', 'get'>;

export const invitationPreviewQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['invitations', id, 'preview'] as const,
    queryFn: ({ signal }) =>
      api.get<InvitationPreview>(`/api/v1/invitations/${encodeURIComponent(id)}/preview`, { signal }),
    staleTime: 60_000,
  });

/** GET /api/v1/invitations/{id}/preview — public; 404 for an unknown id. */
export function useInvitationPreview(id: string | undefined) {
  return useQuery({ ...invitationPreviewQueryOptions(id ?? ''), enabled: Boolean(id) });
}
