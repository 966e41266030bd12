import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';

export const setActiveOrganization = (input: { organizationId: string }) =>
  api.post<void>('/api/v1/organizations/active', input);

/** POST /api/v1/organizations/active — everything on screen belongs to the old organization: refetch it all. */
export function useSetActiveOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setActiveOrganization,
    onSuccess: () => queryClient.invalidateQueries(),
  });
}
