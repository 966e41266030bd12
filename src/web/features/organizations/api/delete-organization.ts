import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { activeOrganizationChanged } from '@/lib/session';

export const deleteOrganization = ({ id, confirm }: { id: string; confirm: string }) =>
  api.delete<Res<'/api/v1/organizations/{id}', 'delete'>>(
    `/api/v1/organizations/${encodeURIComponent(id)}?confirm=${encodeURIComponent(confirm)}`,
  );

/**
 * DELETE /api/v1/organizations/{id}?confirm={name} — owners only; everything in it goes. The session
 * moves to the user's next organisation (or none), so the cache follows (see activeOrganizationChanged).
 */
export function useDeleteOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteOrganization,
    onSuccess: () => activeOrganizationChanged(queryClient),
  });
}
