import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { companiesKey, companyDetailKey } from './types';

export const deleteCompany = ({ id }: { id: string }) =>
  api.delete(`/api/v1/companies/${encodeURIComponent(id)}`);

/** DELETE /api/v1/companies/{id} (its contacts stay, without a company) */
export function useDeleteCompany(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteCompany,
    onSuccess: (_d, { id }) => {
      queryClient.removeQueries({ queryKey: companyDetailKey(orgId, id) });
      void queryClient.invalidateQueries({ queryKey: companiesKey(orgId) });
    },
  });
}
