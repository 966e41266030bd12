import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { meQueryKey } from '@/lib/session';

export const updateOrganization = (input: Body<'/api/v1/organization', 'patch'>) =>
  api.patch<Res<'/api/v1/organization', 'patch'>>('/api/v1/organization', input);

/** PATCH /api/v1/organization — renames the active organization (needs org:update). */
export function useUpdateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateOrganization,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}
