import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { activeOrganizationChanged } from '@/lib/session';

export type CreatedOrganization = Res<'/api/v1/organizations', 'post'>;

export const createOrganization = (input: Body<'/api/v1/organizations', 'post'>) =>
  api.post<CreatedOrganization>('/api/v1/organizations', input);

/** POST /api/v1/organizations — the new organisation becomes the active one (see activeOrganizationChanged). */
export function useCreateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createOrganization,
    onSuccess: () => activeOrganizationChanged(queryClient),
  });
}
