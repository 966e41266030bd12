import type { WorkflowDefinition } from '@common/automations';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Automation, automationKey, automationsKey } from './types';

export interface AutomationCreateInput {
  name: string;
  description?: string;
  definition: WorkflowDefinition;
}
export type AutomationUpdateInput = Partial<AutomationCreateInput> & { id: string };

export const createAutomation = (input: AutomationCreateInput) =>
  api.post<Automation>('/api/v1/automations', input);
export const updateAutomation = ({ id, ...input }: AutomationUpdateInput) =>
  api.patch<Automation>(`/api/v1/automations/${encodeURIComponent(id)}`, input);
export const deleteAutomation = ({ id }: { id: string }) =>
  api.delete(`/api/v1/automations/${encodeURIComponent(id)}`);

/** A new draft: only the trigger, "when a contact is created". */
export const NEW_AUTOMATION: AutomationCreateInput = {
  name: 'Untitled automation',
  definition: {
    nodes: [
      { id: 'trigger', type: 'trigger', trigger: { type: 'contact.created' }, position: { x: 0, y: 0 } },
    ],
    edges: [],
    settings: { reentry: false },
  },
};

/** POST /api/v1/automations (a draft) */
export function useCreateAutomation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createAutomation,
    onSuccess: (a) => queryClient.setQueryData(automationKey(orgId, a.id), a),
    onSettled: () => queryClient.invalidateQueries({ queryKey: automationsKey(orgId), exact: true }),
  });
}

/** PATCH /api/v1/automations/{id}: name and graph (a new version once the latest was published). */
export function useUpdateAutomation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateAutomation,
    onSuccess: (a) => {
      queryClient.setQueryData(automationKey(orgId, a.id), a);
      void queryClient.invalidateQueries({ queryKey: [...automationKey(orgId, a.id), 'versions'] });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: automationsKey(orgId), exact: true }),
  });
}

/** DELETE /api/v1/automations/{id} (its runs go with it) */
export function useDeleteAutomation(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAutomation,
    onSuccess: (_d, { id }) => queryClient.removeQueries({ queryKey: automationKey(orgId, id) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: automationsKey(orgId), exact: true }),
  });
}
