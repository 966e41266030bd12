import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { activeOrganizationChanged } from '@/lib/session';

export const leaveOrganization = ({ id }: { id: string }) =>
  api.post<Res<'/api/v1/organizations/{id}/leave', 'post'>>(
    `/api/v1/organizations/${encodeURIComponent(id)}/leave`,
    {},
  );

/**
 * POST /api/v1/organizations/{id}/leave — 409 CONFLICT for its last owner. The session moves to the
 * user's next organisation (or none).
 */
export function useLeaveOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: leaveOrganization,
    onSuccess: () => activeOrganizationChanged(queryClient),
  });
}
