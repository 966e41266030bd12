import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { companiesKey } from './types';

export const createCompany = (input: Body<'/api/v1/companies', 'post'>) =>
  api.post<Res<'/api/v1/companies', 'post'>>('/api/v1/companies', input);

/** POST /api/v1/companies */
export function useCreateCompany(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createCompany,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: companiesKey(orgId) }),
  });
}
