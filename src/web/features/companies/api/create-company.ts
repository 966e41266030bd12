import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Company, type CompanyInput, companiesKey } from './types';

export const createCompany = (input: CompanyInput & { name: string }) =>
  api.post<Company>('/api/v1/companies', input);

/** POST /api/v1/companies */
export function useCreateCompany(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createCompany,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: companiesKey(orgId) }),
  });
}
