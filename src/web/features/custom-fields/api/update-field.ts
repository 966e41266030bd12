import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FieldDefinition } from '@/components/fields/types';
import { api } from '@/lib/api';
import { fieldsQueryKey } from './list-fields';

export interface UpdateFieldInput {
  id: string;
  label?: string;
  required?: boolean;
  options?: string[];
  position?: number;
}

export const updateField = ({ id, ...input }: UpdateFieldInput) =>
  api.patch<FieldDefinition>(`/api/v1/fields/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/fields/{id} */
export function useUpdateField(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateField,
    onSettled: () => queryClient.invalidateQueries({ queryKey: fieldsQueryKey(orgId) }),
  });
}
