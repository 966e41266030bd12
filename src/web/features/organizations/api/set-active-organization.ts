import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { activeOrganizationChanged } from '@/lib/session';

export const setActiveOrganization = (input: Body<'/api/v1/organizations/active', 'post'>) =>
  api.post<void>('/api/v1/organizations/active', input);

/** POST /api/v1/organizations/active — then the new organisation's `/me`, and the old one's queries are dropped. */
export function useSetActiveOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setActiveOrganization,
    onSuccess: () => activeOrganizationChanged(queryClient),
  });
}
