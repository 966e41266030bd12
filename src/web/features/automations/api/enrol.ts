import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { automationKey, automationsKey, type EnrolBody, type EnrolResult } from './types';

export type EnrolInput = EnrolBody & { id: string };

export const enrolContacts = ({ id, ...body }: EnrolInput) =>
  api.post<EnrolResult>(`/api/v1/automations/${encodeURIComponent(id)}/enrol`, body);

/** POST /api/v1/automations/{id}/enrol (active automations only: 409 otherwise) */
export function useEnrolContacts(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: enrolContacts,
    onSettled: (_d, _e, { id }) => {
      void queryClient.invalidateQueries({ queryKey: automationKey(orgId, id) });
      void queryClient.invalidateQueries({ queryKey: automationsKey(orgId), exact: true });
    },
  });
}
