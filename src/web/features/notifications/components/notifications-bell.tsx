import { useNavigate } from '@tanstack/react-router';
import { Bell, CheckCheck } from 'lucide-react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { cn, formatDateTime, formatRelative } from '@/lib/utils';
import { type AppNotification, useMarkNotificationsRead, useNotifications } from '../api/list-notifications';

/** Internal links open in the app; anything else is not followed (notification text is untrusted). */
function internalPath(link: string | null): string | null {
  if (!link) return null;
  if (link.startsWith('/') && !link.startsWith('//')) return link;
  try {
    const url = new URL(link);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}

/** The bell beside the organisation switcher: unread count, the latest notifications, mark read. */
export function NotificationsBell() {
  const orgId = useMe().activeOrganization!.id;
  const query = useNotifications(orgId);
  const markRead = useMarkNotificationsRead(orgId);
  const navigate = useNavigate();
  const items = query.data?.items ?? [];
  const unread = query.data?.unread ?? 0;

  const mark = (id: string | null) =>
    markRead.mutate(
      { id },
      { onError: (error) => toast.error('Could not mark as read', { description: errorMessage(error) }) },
    );

  const open = (n: AppNotification) => {
    if (!n.readAt) mark(n.id);
    const path = internalPath(n.link);
    if (path) void navigate({ to: path });
  };

  return (
    <DropdownMenu modal={false}>
      <DropdownMenuTrigger asChild>
        <Button
          variant="ghost"
          size="icon"
          className="relative size-9 shrink-0"
          aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
          data-testid="notifications-bell"
        >
          <Bell aria-hidden="true" />
          {unread > 0 ? (
            <span
              aria-hidden="true"
              data-testid="notifications-unread"
              className="absolute -top-0.5 -right-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[0.625rem] leading-none font-semibold text-white"
            >
              {unread > 99 ? '99+' : unread}
            </span>
          ) : null}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-80 p-0" aria-label="Notifications">
        <div className="flex items-center justify-between gap-2 px-3 py-2">
          <DropdownMenuLabel className="p-0 text-sm font-semibold text-foreground">
            Notifications
          </DropdownMenuLabel>
          <Button
            variant="ghost"
            size="sm"
            disabled={unread === 0}
            onClick={(e) => {
              e.preventDefault();
              mark(null);
            }}
          >
            <CheckCheck aria-hidden="true" />
            Mark all read
          </Button>
        </div>
        <DropdownMenuSeparator className="my-0" />
        <div className="max-h-96 overflow-y-auto p-1">
          {query.isError && items.length === 0 ? (
            <p className="px-2 py-6 text-center text-sm text-muted-foreground">
              Could not load notifications.
            </p>
          ) : items.length === 0 ? (
            <p className="px-2 py-6 text-center text-sm text-muted-foreground">
              {query.isPending ? 'Loading…' : 'Nothing new. Automations can notify you here.'}
            </p>
          ) : (
            items.map((n) => (
              <DropdownMenuItem
                key={n.id}
                data-testid="notification"
                onSelect={() => open(n)}
                className={cn('grid items-start gap-0.5 py-2', !n.readAt && 'bg-accent-subtle/60')}
              >
                <span className="flex items-center gap-2 font-medium">
                  {!n.readAt ? (
                    <>
                      <span aria-hidden="true" className="size-2 shrink-0 rounded-full bg-accent" />
                      <span className="sr-only">Unread:</span>
                    </>
                  ) : null}
                  <span className="truncate">{n.title}</span>
                </span>
                {n.body ? <span className="line-clamp-2 text-xs text-muted-foreground">{n.body}</span> : null}
                <time
                  className="text-xs text-muted-foreground"
                  dateTime={n.createdAt}
                  title={formatDateTime(n.createdAt)}
                >
                  {formatRelative(n.createdAt)}
                </time>
              </DropdownMenuItem>
            ))
          )}
        </div>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
