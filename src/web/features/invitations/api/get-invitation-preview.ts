import type { Role } from '@common/permissions';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

/** An invitation seen through its link, before there is a session: prefills the invitee's sign-up. */
export interface InvitationPreview {
  id: string;
  organizationName: string;
  inviterName: string | null;
  /** The invited address; null once the invitation is no longer pending. */
  email: string | null;
  role: Role;
  status: 'pending' | 'accepted' | 'canceled' | 'expired';
  expiresAt: string;
}

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
