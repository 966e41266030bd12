import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

/** An in-app notification (an automation's "notify a teammate" step, …). Untrusted text. */
export type NotificationList = Res<'/api/v1/notifications', 'get'>;
export type AppNotification = ItemOf<NotificationList>;

export const notificationsKey = (orgId: string) => ['orgs', orgId, 'notifications'] as const;

export const notificationsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: notificationsKey(orgId),
    queryFn: ({ signal }) => api.get<NotificationList>('/api/v1/notifications', { signal }),
  });

/** GET /api/v1/notifications, polled every 30 s (errors keep the last answer: the bell is optional). */
export function useNotifications(orgId: string) {
  return useQuery({
    ...notificationsQueryOptions(orgId),
    refetchInterval: 30_000,
    retry: false,
  });
}

function markRead(list: NotificationList | undefined, id: string | null): NotificationList | undefined {
  if (!list) return list;
  const now = new Date().toISOString();
  const items = list.items.map((n) => (n.readAt || (id !== null && n.id !== id) ? n : { ...n, readAt: now }));
  return {
    items,
    unread: id === null ? 0 : Math.max(0, list.unread - (items.some((n, i) => n !== list.items[i]) ? 1 : 0)),
  };
}

/** POST /api/v1/notifications/{id}/read, or read-all when `id` is null; the list updates at once. */
export function useMarkNotificationsRead(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: string | null }) =>
      id === null
        ? api.post('/api/v1/notifications/read-all')
        : api.post(`/api/v1/notifications/${encodeURIComponent(id)}/read`),
    onMutate: ({ id }) => {
      const previous = queryClient.getQueryData<NotificationList>(notificationsKey(orgId));
      queryClient.setQueryData<NotificationList>(notificationsKey(orgId), (list) => markRead(list, id));
      return { previous };
    },
    onError: (_e, _v, context) => {
      if (context?.previous) queryClient.setQueryData(notificationsKey(orgId), context.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationsKey(orgId) }),
  });
}
