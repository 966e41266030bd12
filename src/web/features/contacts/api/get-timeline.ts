import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';
import { contactDetailKey } from './types';

type TimelinePage = Res<'/api/v1/contacts/{id}/timeline', 'get'>;

/**
 * A timeline entry: one typed event (`type` is a ContactEventType of src/common/events.ts; the API
 * declares a plain string, so events of types this build does not know still list) with who made it.
 */
export type TimelineEvent = ItemOf<TimelinePage>;

export const timelineKey = (orgId: string, id: string) =>
  [...contactDetailKey(orgId, id), 'timeline'] as const;

export const timelineQueryOptions = (orgId: string, id: string) =>
  infiniteQueryOptions({
    queryKey: timelineKey(orgId, id),
    queryFn: ({ pageParam, signal }) =>
      api.get<TimelinePage>(
        `/api/v1/contacts/${encodeURIComponent(id)}/timeline?${new URLSearchParams({
          limit: '30',
          ...(pageParam ? { cursor: pageParam } : {}),
        }).toString()}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

/** GET /api/v1/contacts/{id}/timeline, newest first, page by page. */
export function useTimeline(orgId: string, id: string) {
  return useInfiniteQuery(timelineQueryOptions(orgId, id));
}
