import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { fieldsQueryKey } from './list-fields';

export type UpdateFieldInput = Body<'/api/v1/fields/{id}', 'patch'> & { id: string };

export const updateField = ({ id, ...input }: UpdateFieldInput) =>
  api.patch<Res<'/api/v1/fields/{id}', 'patch'>>(`/api/v1/fields/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/fields/{id} */
export function useUpdateField(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateField,
    onSettled: () => queryClient.invalidateQueries({ queryKey: fieldsQueryKey(orgId) }),
  });
}
