import type { Role } from '@common/permissions';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export interface Member {
  /** The membership id (used by PATCH/DELETE /members/{id}). */
  id: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  createdAt: string;
}

/** Keys are scoped by organization, so switching never shows the previous organization's rows. */
export const membersQueryKey = (orgId: string) => ['orgs', orgId, 'members'] as const;

export const membersQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: membersQueryKey(orgId),
    queryFn: ({ signal }) => api.get<{ items: Member[] }>('/api/v1/members', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/members */
export function useMembers(orgId: string) {
  return useQuery(membersQueryOptions(orgId));
}
