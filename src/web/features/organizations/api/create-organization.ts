import type { Role } from '@common/permissions';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface CreatedOrganization {
  id: string;
  name: string;
  role: Role;
}

export const createOrganization = (input: { name: string }) =>
  api.post<CreatedOrganization>('/api/v1/organizations', input);

/** POST /api/v1/organizations — the new organization becomes the active one, so every query is refreshed. */
export function useCreateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createOrganization,
    onSuccess: () => queryClient.invalidateQueries(),
  });
}
