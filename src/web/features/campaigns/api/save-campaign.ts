import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Campaign, campaignQueryKey } from './get-campaign';
import { campaignsQueryKey } from './list-campaigns';

export type CampaignCreateInput = Body<'/api/v1/campaigns', 'post'>;
export type CampaignUpdateInput = Body<'/api/v1/campaigns/{id}', 'patch'>;

export const createCampaign = (input: CampaignCreateInput) => api.post<Campaign>('/api/v1/campaigns', input);
export const updateCampaign = ({ id, ...input }: CampaignUpdateInput & { id: string }) =>
  api.patch<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}`, input);
export const deleteCampaign = ({ id }: { id: string }) =>
  api.delete(`/api/v1/campaigns/${encodeURIComponent(id)}`);

/** POST /api/v1/campaigns (a draft) */
export function useCreateCampaign(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createCampaign,
    onSuccess: (c) => queryClient.setQueryData(campaignQueryKey(orgId, c.id), c),
    onSettled: () => queryClient.invalidateQueries({ queryKey: campaignsQueryKey(orgId), exact: true }),
  });
}

/** PATCH /api/v1/campaigns/{id} (drafts only); the review (audience count) is refreshed. */
export function useUpdateCampaign(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateCampaign,
    onSuccess: (c) => {
      queryClient.setQueryData(campaignQueryKey(orgId, c.id), c);
      void queryClient.invalidateQueries({ queryKey: [...campaignQueryKey(orgId, c.id), 'review'] });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: campaignsQueryKey(orgId), exact: true }),
  });
}

/** DELETE /api/v1/campaigns/{id} (draft, sent or canceled) */
export function useDeleteCampaign(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteCampaign,
    onSuccess: (_d, { id }) => queryClient.removeQueries({ queryKey: campaignQueryKey(orgId, id) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: campaignsQueryKey(orgId), exact: true }),
  });
}
