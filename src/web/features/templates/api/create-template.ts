import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import type { Template } from './get-template';
import { templatesQueryKey } from './list-templates';

export type TemplateInput = Body<'/api/v1/templates', 'post'>;

export const createTemplate = (input: TemplateInput) => api.post<Template>('/api/v1/templates', input);

/** POST /api/v1/templates */
export function useCreateTemplate(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTemplate,
    onSuccess: (template) => queryClient.setQueryData([...templatesQueryKey(orgId), template.id], template),
    onSettled: () => queryClient.invalidateQueries({ queryKey: templatesQueryKey(orgId), exact: true }),
  });
}
