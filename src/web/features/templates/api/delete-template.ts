import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { templatesQueryKey } from './list-templates';

export const deleteTemplate = ({ id }: { id: string }) =>
  api.delete(`/api/v1/templates/${encodeURIComponent(id)}`);

/** DELETE /api/v1/templates/{id} */
export function useDeleteTemplate(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTemplate,
    onSuccess: (_data, { id }) => queryClient.removeQueries({ queryKey: [...templatesQueryKey(orgId), id] }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: templatesQueryKey(orgId), exact: true }),
  });
}
