import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Campaign, campaignQueryKey } from './get-campaign';
import { campaignsQueryKey } from './list-campaigns';

export type CampaignAction = 'pause' | 'resume' | 'cancel';

export const sendCampaign = ({ id, at }: { id: string; at?: string }) =>
  api.post<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}/send`, at ? { at } : {});

export const campaignAction = ({ id, action }: { id: string; action: CampaignAction }) =>
  api.post<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}/${action}`);

function useCampaignMutation<I extends { id: string }>(orgId: string, fn: (input: I) => Promise<Campaign>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (c) => queryClient.setQueryData(campaignQueryKey(orgId, c.id), c),
    onSettled: (_d, _e, { id }) => {
      void queryClient.invalidateQueries({ queryKey: campaignsQueryKey(orgId), exact: true });
      void queryClient.invalidateQueries({ queryKey: [...campaignQueryKey(orgId, id), 'report'] });
    },
  });
}

/** POST /api/v1/campaigns/{id}/send: now, or `at` (YYYY-MM-DDTHH:mm in the organisation's zone). */
export function useSendCampaign(orgId: string) {
  return useCampaignMutation(orgId, sendCampaign);
}

/** POST /api/v1/campaigns/{id}/pause | resume | cancel */
export function useCampaignAction(orgId: string) {
  return useCampaignMutation(orgId, campaignAction);
}
