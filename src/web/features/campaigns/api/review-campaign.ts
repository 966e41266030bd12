import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { campaignQueryKey } from './get-campaign';

export type CampaignReview = Res<'/api/v1/campaigns/{id}/review', 'get'>;

export const reviewQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: [...campaignQueryKey(orgId, id), 'review'] as const,
    queryFn: ({ signal }) =>
      api.get<CampaignReview>(`/api/v1/campaigns/${encodeURIComponent(id)}/review`, { signal }),
  });

/** GET /api/v1/campaigns/{id}/review: who would receive it now, who is excluded and why. */
export function useCampaignReview(orgId: string, id: string | undefined) {
  return useQuery({
    ...reviewQueryOptions(orgId, id ?? ''),
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
  });
}
