import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { campaignQueryKey } from './get-campaign';

export type CampaignReport = Res<'/api/v1/campaigns/{id}/report', 'get'>;
export type Recipients = Res<'/api/v1/campaigns/{id}/recipients', 'get'>;
export type Recipient = Recipients['items'][number];
export type SendState = Recipient['state'];

export const reportQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: [...campaignQueryKey(orgId, id), 'report'] as const,
    queryFn: ({ signal }) =>
      api.get<CampaignReport>(`/api/v1/campaigns/${encodeURIComponent(id)}/report`, { signal }),
  });

/** GET /api/v1/campaigns/{id}/report; refreshed every `refreshMs` while given (a live campaign). */
export function useCampaignReport(orgId: string, id: string, refreshMs: number | false) {
  return useQuery({ ...reportQueryOptions(orgId, id), refetchInterval: refreshMs });
}

const PAGE = 50;

export const recipientsQueryOptions = (orgId: string, id: string, state: SendState | undefined) =>
  infiniteQueryOptions({
    queryKey: [...campaignQueryKey(orgId, id), 'recipients', { state: state ?? null }] as const,
    queryFn: ({ signal, pageParam }) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (state) q.set('state', state);
      if (pageParam) q.set('cursor', pageParam);
      return api.get<Recipients>(`/api/v1/campaigns/${encodeURIComponent(id)}/recipients?${q}`, { signal });
    },
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** GET /api/v1/campaigns/{id}/recipients?state=&cursor= ("Load more" pages through the cursor). */
export function useCampaignRecipients(orgId: string, id: string, state: SendState | undefined) {
  return useInfiniteQuery(recipientsQueryOptions(orgId, id, state));
}
