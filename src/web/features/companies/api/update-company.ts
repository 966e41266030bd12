import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Company, type CompanyInput, companiesKey, companyDetailKey } from './types';

export const updateCompany = ({ id, ...input }: CompanyInput & { id: string }) =>
  api.patch<Company>(`/api/v1/companies/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/companies/{id} (partial) */
export function useUpdateCompany(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateCompany,
    onSuccess: (company) => {
      queryClient.setQueryData(companyDetailKey(orgId, company.id), company);
      void queryClient.invalidateQueries({ queryKey: [...companiesKey(orgId), 'list'] });
      void queryClient.invalidateQueries({ queryKey: [...companiesKey(orgId), 'suggest'] });
    },
  });
}
