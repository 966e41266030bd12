import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

export type ContactOption = ItemOf<Res<'/api/v1/contacts', 'get'>>;

export const previewContactsQueryOptions = (orgId: string, search: string) =>
  queryOptions({
    queryKey: ['orgs', orgId, 'contacts', 'list', { search, limit: 8 }] as const,
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/contacts', 'get'>>(
        `/api/v1/contacts?${new URLSearchParams({ search, limit: '8' }).toString()}`,
        { signal },
      ),
    select: (data) => data.items,
  });

/** GET /api/v1/contacts?search= (first page): the preview's contact picker. */
export function usePreviewContacts(orgId: string, search: string, options: { enabled: boolean }) {
  return useQuery({
    ...previewContactsQueryOptions(orgId, search),
    enabled: options.enabled,
    placeholderData: keepPreviousData,
  });
}
