import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

type MemberList = Res<'/api/v1/members', 'get'>;

/** A member: `id` is the membership id (PATCH/DELETE /members/{id}), `userId` the person's. */
export type Member = ItemOf<MemberList>;

/** Keys are scoped by organization, so switching never shows the previous organization's rows. */
export const membersQueryKey = (orgId: string) => ['orgs', orgId, 'members'] as const;

export const membersQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: membersQueryKey(orgId),
    queryFn: ({ signal }) => api.get<MemberList>('/api/v1/members', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/members */
export function useMembers(orgId: string) {
  return useQuery(membersQueryOptions(orgId));
}
