import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { fieldsQueryKey } from './list-fields';

export type CreateFieldInput = Body<'/api/v1/fields', 'post'>;

export const createField = (input: CreateFieldInput) =>
  api.post<Res<'/api/v1/fields', 'post'>>('/api/v1/fields', input);

/** POST /api/v1/fields */
export function useCreateField(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createField,
    onSettled: () => queryClient.invalidateQueries({ queryKey: fieldsQueryKey(orgId) }),
  });
}
