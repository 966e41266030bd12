import type { FieldEntity } from '@common/contacts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { FieldDefinition } from '@/components/fields/types';
import { api, type Res } from '@/lib/api';

export type { FieldDefinition };

export const fieldsQueryKey = (orgId: string, entity?: FieldEntity) =>
  entity ? (['orgs', orgId, 'fields', entity] as const) : (['orgs', orgId, 'fields'] as const);

export const fieldsQueryOptions = (orgId: string, entity: FieldEntity) =>
  queryOptions({
    queryKey: fieldsQueryKey(orgId, entity),
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/fields', 'get'>>(`/api/v1/fields?entity=${entity}`, { signal }),
    select: (data) => [...data.items].sort((a, b) => a.position - b.position),
    staleTime: 60_000,
  });

/** GET /api/v1/fields?entity= (sorted by position) */
export function useFields(orgId: string, entity: FieldEntity) {
  return useQuery(fieldsQueryOptions(orgId, entity));
}
