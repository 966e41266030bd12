import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import type { Template } from './get-template';
import { templatesQueryKey } from './list-templates';

export const updateTemplate = ({ id, ...input }: Body<'/api/v1/templates/{id}', 'patch'> & { id: string }) =>
  api.patch<Template>(`/api/v1/templates/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/templates/{id} */
export function useUpdateTemplate(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateTemplate,
    onSuccess: (template) => queryClient.setQueryData([...templatesQueryKey(orgId), template.id], template),
    onSettled: () => queryClient.invalidateQueries({ queryKey: templatesQueryKey(orgId), exact: true }),
  });
}
