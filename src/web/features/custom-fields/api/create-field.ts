import type { CustomFieldType, FieldEntity } from '@common/contacts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FieldDefinition } from '@/components/fields/types';
import { api } from '@/lib/api';
import { fieldsQueryKey } from './list-fields';

export interface CreateFieldInput {
  entity: FieldEntity;
  label: string;
  key?: string;
  type: CustomFieldType;
  required?: boolean;
  options?: string[];
}

export const createField = (input: CreateFieldInput) => api.post<FieldDefinition>('/api/v1/fields', input);

/** POST /api/v1/fields */
export function useCreateField(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createField,
    onSettled: () => queryClient.invalidateQueries({ queryKey: fieldsQueryKey(orgId) }),
  });
}
