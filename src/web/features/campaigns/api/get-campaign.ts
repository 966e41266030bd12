import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { campaignsQueryKey } from './list-campaigns';

export type Campaign = Res<'/api/v1/campaigns/{id}', 'get'>;
export type CampaignAudience = { segmentIds?: string[]; tagIds?: string[]; filter?: unknown };

/** The audience as stored (the API declares it as any JSON). */
export function audienceOf(campaign: { audience: unknown }): CampaignAudience {
  const a = (campaign.audience ?? {}) as CampaignAudience;
  return {
    segmentIds: Array.isArray(a.segmentIds) ? a.segmentIds : [],
    tagIds: Array.isArray(a.tagIds) ? a.tagIds : [],
    ...(a.filter !== undefined ? { filter: a.filter } : {}),
  };
}

export const campaignQueryKey = (orgId: string, id: string) => [...campaignsQueryKey(orgId), id] as const;

export const campaignQueryOptions = (orgId: string, id: string) =>
  queryOptions({
    queryKey: campaignQueryKey(orgId, id),
    queryFn: ({ signal }) => api.get<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}`, { signal }),
  });

/** Scheduled or sending: the ledger moves, so the page polls. */
export const isLive = (status: Campaign['status'] | undefined) =>
  status === 'scheduled' || status === 'sending';

/** GET /api/v1/campaigns/{id}: polled every 2 s while the campaign is scheduled or sending. */
export function useCampaign(orgId: string, id: string) {
  return useQuery({
    ...campaignQueryOptions(orgId, id),
    refetchInterval: (query) => {
      const c = query.state.data;
      if (!c || !isLive(c.status)) return false;
      // Scheduled for later: look now and then; about to start or sending: every 2 s.
      const wait = c.status === 'scheduled' && c.scheduledAt ? Date.parse(c.scheduledAt) - Date.now() : 0;
      return wait > 60_000 ? 30_000 : 2_000;
    },
  });
}
