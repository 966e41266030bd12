import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

/** A campaign as the filter builder names it (GET /api/v1/campaigns returns more). */
export interface CampaignOption {
  id: string;
  name: string;
  status: string;
}

export const campaignOptionsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: ['orgs', orgId, 'campaigns', 'options'] as const,
    queryFn: async ({ signal }) => {
      // Degrades to "any campaign" when the list cannot be read (no campaigns API, no permission).
      try {
        const res = await api.get<{ items: CampaignOption[] }>('/api/v1/campaigns', { signal });
        return (res.items ?? []).map((c) => ({ id: c.id, name: c.name, status: c.status }));
      } catch {
        return [] as CampaignOption[];
      }
    },
    staleTime: 60_000,
  });

/** The organisation's campaigns, for the email activity condition of the filter builder. */
export function useCampaignOptions(orgId: string, enabled = true) {
  return useQuery({ ...campaignOptionsQueryOptions(orgId), enabled });
}
