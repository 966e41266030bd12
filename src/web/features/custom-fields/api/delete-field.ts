import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { fieldsQueryKey } from './list-fields';

export const deleteField = ({ id, confirm }: { id: string; confirm: boolean }) =>
  api.delete(`/api/v1/fields/${encodeURIComponent(id)}${confirm ? '?confirm=true' : ''}`);

/**
 * DELETE /api/v1/fields/{id}. Without `confirm` the server answers 400 CONFIRMATION_REQUIRED with
 * `details.valuesCount` when records hold values; ask, then call again with `confirm: true`.
 */
export function useDeleteField(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteField,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: fieldsQueryKey(orgId) }),
  });
}
