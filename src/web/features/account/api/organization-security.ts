import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';

export type SecurityPolicy = Res<'/api/v1/organization/security', 'get'>;

const keyOf = (orgId: string) => ['orgs', orgId, 'security-policy'] as const;

/** GET /api/v1/organization/security (the active organisation's sign-in policy). */
export function useSecurityPolicy(orgId: string) {
  return useQuery(
    queryOptions({
      queryKey: keyOf(orgId),
      queryFn: ({ signal }) => api.get<SecurityPolicy>('/api/v1/organization/security', { signal }),
    }),
  );
}

/** PUT /api/v1/organization/security — owners only. */
export function useUpdateSecurityPolicy(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (requireTwoFactor: boolean) =>
      api.put<SecurityPolicy>('/api/v1/organization/security', { requireTwoFactor }),
    onSuccess: (data) => queryClient.setQueryData(keyOf(orgId), data),
  });
}
