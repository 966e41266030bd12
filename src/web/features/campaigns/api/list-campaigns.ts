import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

export type CampaignSummary = ItemOf<Res<'/api/v1/campaigns', 'get'>>;

export const campaignsQueryKey = (orgId: string) => ['orgs', orgId, 'campaigns'] as const;

export const campaignsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: campaignsQueryKey(orgId),
    queryFn: ({ signal }) => api.get<Res<'/api/v1/campaigns', 'get'>>('/api/v1/campaigns', { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/campaigns (newest first, with sent / unique open / unique click counts) */
export function useCampaigns(orgId: string) {
  return useQuery({
    ...campaignsQueryOptions(orgId),
    // Sending campaigns move: keep the list fresh while one is in flight.
    refetchInterval: (query) =>
      query.state.data?.items.some((c) => c.status === 'sending' || c.status === 'scheduled') ? 5_000 : false,
  });
}
