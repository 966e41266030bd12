import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { templatesQueryKey } from './list-templates';

export type PreviewInput = Body<'/api/v1/templates/preview', 'post'>;
export type Rendered = Res<'/api/v1/templates/preview', 'post'>;

export const previewQueryOptions = (orgId: string, input: PreviewInput) =>
  queryOptions({
    queryKey: [...templatesQueryKey(orgId), 'preview', input] as const,
    queryFn: ({ signal }) => api.post<Rendered>('/api/v1/templates/preview', input, { signal }),
    // A validation error is an answer about the content, not a failure worth retrying.
    retry: false,
    staleTime: 30_000,
  });

/**
 * POST /api/v1/templates/preview: unsaved content rendered for a contact or sample data. The
 * caller debounces `input`; the last good render stays shown while the next one loads.
 */
export function usePreview(orgId: string, input: PreviewInput, options: { enabled: boolean }) {
  return useQuery({
    ...previewQueryOptions(orgId, input),
    enabled: options.enabled,
    placeholderData: keepPreviousData,
  });
}
