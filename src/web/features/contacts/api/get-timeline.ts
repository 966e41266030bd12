import type { ActorType, ContactEventType } from '@common/events';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { contactDetailKey, type Page } from './types';

/** A timeline entry: one typed event (src/common/events.ts) with who made it. */
export interface TimelineEvent {
  id: string;
  type: ContactEventType | (string & {});
  actor: { type: ActorType; id: string | null; name: string };
  data: Record<string, unknown>;
  createdAt: string;
}

export const timelineKey = (orgId: string, id: string) =>
  [...contactDetailKey(orgId, id), 'timeline'] as const;

export const timelineQueryOptions = (orgId: string, id: string) =>
  infiniteQueryOptions({
    queryKey: timelineKey(orgId, id),
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<TimelineEvent>>(
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
