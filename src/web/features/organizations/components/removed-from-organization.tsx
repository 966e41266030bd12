import { useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { ApiError, errorMessage } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { activeOrganizationChanged, useMe } from '@/lib/session';
import { useSetActiveOrganization } from '../api/set-active-organization';

interface Removed {
  organizationId: string;
  message: string;
}

/** The server's answer for a session whose active organisation no longer has the user as a member. */
function removedFrom(error: unknown): Removed | undefined {
  if (!(error instanceof ApiError) || error.status !== 403) return undefined;
  const details = error.details as { reason?: unknown; organizationId?: unknown } | undefined;
  if (details?.reason !== 'NOT_A_MEMBER' || typeof details.organizationId !== 'string') return undefined;
  return { organizationId: details.organizationId, message: error.message };
}

/**
 * Watches every query and mutation: when one answers 403 NOT_A_MEMBER (the user was removed from
 * the active organisation while signed in), says so and offers their other organisations.
 */
export function RemovedFromOrganization() {
  const queryClient = useQueryClient();
  const me = useMe();
  const setActive = useSetActiveOrganization();
  const [caught, setRemoved] = React.useState<Removed | undefined>();
  // Closed with "Continue" (no other organisation to offer): not asked again for that one.
  const [dismissed, setDismissed] = React.useState<string | undefined>();

  React.useEffect(() => {
    const check = (error: unknown) => {
      const found = removedFrom(error);
      if (found) setRemoved((current) => current ?? found);
    };
    const offQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') check(event.action.error);
    });
    const offMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') check(event.action.error);
    });
    return () => {
      offQueries();
      offMutations();
    };
  }, [queryClient]);

  // Also on a fresh load: /me names the organisation the session was removed from (the server
  // moves the session nowhere by itself).
  const removed =
    caught ??
    (me.removedFrom && me.removedFrom.id !== dismissed
      ? {
          organizationId: me.removedFrom.id,
          message: `You are no longer a member of ${me.removedFrom.name}`,
        }
      : undefined);
  if (!removed) return null;
  const others = me.organizations.filter((o) => o.id !== removed.organizationId);

  const done = () => {
    setDismissed(removed.organizationId);
    setRemoved(undefined);
  };
  const choose = (organizationId: string) =>
    setActive.mutate(
      { organizationId },
      {
        onSuccess: done,
        onError: (error) => toast.error('Could not open organisation', { description: errorMessage(error) }),
      },
    );

  return (
    <Dialog open>
      <DialogContent
        hideClose
        data-testid="removed-from-organization"
        onEscapeKeyDown={(e) => e.preventDefault()}
        onInteractOutside={(e) => e.preventDefault()}
      >
        <DialogHeader>
          <DialogTitle>{removed.message}</DialogTitle>
          <DialogDescription>
            {others.length > 0
              ? 'Choose one of your other organisations to continue.'
              : 'You can create an organisation of your own.'}
          </DialogDescription>
        </DialogHeader>
        {others.length > 0 ? (
          <ul className="grid gap-2">
            {others.map((org) => (
              <li key={org.id}>
                <Button
                  variant="secondary"
                  size="lg"
                  className="h-12 w-full justify-start"
                  disabled={setActive.isPending}
                  onClick={() => choose(org.id)}
                >
                  <Avatar name={org.name} size="sm" square />
                  <span className="flex-1 truncate text-left">{org.name}</span>
                  <span className="text-xs text-muted-foreground">{roleLabel(org.role)}</span>
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <Button onClick={() => void activeOrganizationChanged(queryClient).then(done)}>Continue</Button>
        )}
      </DialogContent>
    </Dialog>
  );
}
