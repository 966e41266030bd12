import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Automation, automationKey, automationsKey } from './types';

export type AutomationAction = 'activate' | 'pause';

export const automationAction = ({ id, action }: { id: string; action: AutomationAction }) =>
  api.post<Automation>(`/api/v1/automations/${encodeURIComponent(id)}/${action}`);

/**
 * POST /api/v1/automations/{id}/activate | pause. Activation answers 400 VALIDATION_FAILED with
 * `details.issues` when the graph has problems (ApiError.issues).
 */
export function useAutomationAction(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: automationAction,
    onSuccess: (a) => queryClient.setQueryData(automationKey(orgId, a.id), a),
    onSettled: (_d, _e, { id }) => {
      void queryClient.invalidateQueries({ queryKey: automationsKey(orgId), exact: true });
      void queryClient.invalidateQueries({ queryKey: [...automationKey(orgId, id), 'versions'] });
    },
  });
}
