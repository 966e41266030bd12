import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

/*
 * What the wizard picks from, read from the other modules' endpoints. The query keys are those the
 * templates, sending, segments and tags features use, so a change made there refreshes these too.
 */

export type TemplateOption = ItemOf<Res<'/api/v1/templates', 'get'>>;
export type SenderOption = ItemOf<Res<'/api/v1/senders', 'get'>>;
export type SegmentOption = ItemOf<Res<'/api/v1/segments', 'get'>>;
export type TagOption = ItemOf<Res<'/api/v1/tags', 'get'>>;
export type Sending = Res<'/api/v1/sending', 'get'>;
export type RenderedTemplate = Res<'/api/v1/templates/{id}/preview', 'post'>;

function listOptions<T>(orgId: string, name: string, path: string) {
  return queryOptions({
    queryKey: ['orgs', orgId, name] as const,
    queryFn: ({ signal }) => api.get<{ items: T[] }>(path, { signal }),
    select: (data: { items: T[] }) => data.items,
  });
}

/** GET /api/v1/templates */
export const useTemplateOptions = (orgId: string) =>
  useQuery(listOptions<TemplateOption>(orgId, 'templates', '/api/v1/templates'));
/** GET /api/v1/senders (the default first) */
export const useSenderOptions = (orgId: string) =>
  useQuery(listOptions<SenderOption>(orgId, 'senders', '/api/v1/senders'));
/** GET /api/v1/segments */
export const useSegmentOptions = (orgId: string) =>
  useQuery(listOptions<SegmentOption>(orgId, 'segments', '/api/v1/segments'));
/** GET /api/v1/tags */
export const useTagOptions = (orgId: string) =>
  useQuery(listOptions<TagOption>(orgId, 'tags', '/api/v1/tags'));

/** GET /api/v1/sending: whether marketing sends are ready, what is missing, the time zone. */
export function useSendingSettings(orgId: string) {
  return useQuery(
    queryOptions({
      queryKey: ['orgs', orgId, 'sending'] as const,
      queryFn: ({ signal }) => api.get<Sending>('/api/v1/sending', { signal }),
    }),
  );
}

/** POST /api/v1/templates/{id}/preview: the saved template rendered with sample data. */
export function useTemplateRender(orgId: string, id: string | null | undefined) {
  return useQuery({
    queryKey: ['orgs', orgId, 'templates', id ?? '', 'render'] as const,
    queryFn: ({ signal }) =>
      api.post<RenderedTemplate>(`/api/v1/templates/${encodeURIComponent(id ?? '')}/preview`, {}, { signal }),
    enabled: Boolean(id),
    retry: false,
    staleTime: 30_000,
  });
}
