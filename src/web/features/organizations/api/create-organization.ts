import type { Role } from '@common/permissions';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { activeOrganizationChanged } from '@/lib/session';

export interface CreatedOrganization {
  id: string;
  name: string;
  role: Role;
}

export const createOrganization = (input: { name: string }) =>
  api.post<CreatedOrganization>('/api/v1/organizations', input);

/** POST /api/v1/organizations — the new organisation becomes the active one (see activeOrganizationChanged). */
export function useCreateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createOrganization,
    onSuccess: () => activeOrganizationChanged(queryClient),
  });
}
