import type { Permission, Role } from '@common/permissions';
import { queryOptions, useSuspenseQuery } from '@tanstack/react-query';
import { api } from './api';

/**
 * The signed-in user, their organizations and what they may do (GET /api/v1/me).
 * Shared by every feature, so it lives in lib/ rather than in one feature.
 */
export interface Me {
  user: { id: string; name: string; email: string; emailVerified: boolean };
  organizations: OrganizationSummary[];
  activeOrganization: OrganizationSummary | null;
  permissions: Permission[];
}

export interface OrganizationSummary {
  id: string;
  name: string;
  role: Role;
}

export const meQueryKey = ['me'] as const;

export const meQueryOptions = () =>
  queryOptions({
    queryKey: meQueryKey,
    queryFn: ({ signal }) => api.get<Me>('/api/v1/me', { signal }),
    staleTime: 30_000,
  });

/** The current session. Only for screens under the auth-guarded layout, which loads it first. */
export function useMe(): Me {
  return useSuspenseQuery(meQueryOptions()).data;
}

/** Whether the current user holds `permission` in the active organization. */
export function useCan(permission: Permission): boolean {
  return useMe().permissions.includes(permission);
}
