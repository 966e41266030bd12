import type { FilterField } from '@common/filters';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

/*
 * What the builder picks from, read from the other modules' endpoints. The query keys and cached
 * shapes are those the templates, segments, campaigns, members, fields, tags and contacts features
 * use, so a change made there refreshes these too.
 */

export type TemplateOption = ItemOf<Res<'/api/v1/templates', 'get'>>;
export type SegmentOption = ItemOf<Res<'/api/v1/segments', 'get'>>;
export type CampaignOption = ItemOf<Res<'/api/v1/campaigns', 'get'>>;
export type MemberOption = ItemOf<Res<'/api/v1/members', 'get'>>;
export type FieldOption = ItemOf<Res<'/api/v1/fields', 'get'>>;
export type TagOption = ItemOf<Res<'/api/v1/tags', 'get'>>;
export type ContactOption = ItemOf<Res<'/api/v1/contacts', 'get'>>;

function listOptions<T>(orgId: string, key: readonly string[], path: string) {
  return queryOptions({
    queryKey: ['orgs', orgId, ...key] as const,
    queryFn: ({ signal }) => api.get<{ items: T[] }>(path, { signal }),
    select: (data: { items: T[] }) => data.items,
  });
}

/** GET /api/v1/templates */
export const useTemplateOptions = (orgId: string) =>
  useQuery(listOptions<TemplateOption>(orgId, ['templates'], '/api/v1/templates'));
/** GET /api/v1/segments */
export const useSegmentOptions = (orgId: string) =>
  useQuery(listOptions<SegmentOption>(orgId, ['segments'], '/api/v1/segments'));
/** GET /api/v1/campaigns */
export const useCampaignOptions = (orgId: string) =>
  useQuery(listOptions<CampaignOption>(orgId, ['campaigns'], '/api/v1/campaigns'));
/** GET /api/v1/members */
export const useMemberOptions = (orgId: string) =>
  useQuery(listOptions<MemberOption>(orgId, ['members'], '/api/v1/members'));
/** GET /api/v1/tags */
export const useTagOptions = (orgId: string) =>
  useQuery(listOptions<TagOption>(orgId, ['tags'], '/api/v1/tags'));

/** GET /api/v1/fields?entity=contact (custom fields of contacts, in display order) */
export function useContactFieldOptions(orgId: string) {
  return useQuery({
    ...listOptions<FieldOption>(orgId, ['fields', 'contact'], '/api/v1/fields?entity=contact'),
    select: (data: { items: FieldOption[] }) => [...data.items].sort((a, b) => a.position - b.position),
    staleTime: 60_000,
  });
}

/** GET /api/v1/contacts/filter-fields: the fields a condition can test, with their operators. */
export function useFilterFieldOptions(orgId: string) {
  return useQuery({
    ...listOptions<FilterField>(orgId, ['contacts', 'filter-fields'], '/api/v1/contacts/filter-fields'),
    staleTime: 60_000,
  });
}

/** GET /api/v1/contacts?search= (first 8): the dry run's contact picker. */
export function useContactSearch(orgId: string, search: string, enabled: boolean) {
  return useQuery({
    queryKey: ['orgs', orgId, 'contacts', 'list', { search, limit: 8 }] as const,
    queryFn: ({ signal }) =>
      api.get<Res<'/api/v1/contacts', 'get'>>(
        `/api/v1/contacts?${new URLSearchParams({ search, limit: '8' }).toString()}`,
        { signal },
      ),
    select: (data) => data.items,
    enabled,
    placeholderData: keepPreviousData,
  });
}
