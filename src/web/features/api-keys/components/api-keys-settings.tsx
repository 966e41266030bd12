import { KeyRound, Lock } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { useCan, useMe } from '@/lib/session';
import { formatDate, formatRelative } from '@/lib/utils';
import { type ApiKey, useApiKeys } from '../api/list-api-keys';
import { useRevokeApiKey } from '../api/revoke-api-key';
import { CreateApiKeyDialog, SCOPE_LABELS } from './create-api-key-dialog';
import { type KeyOwnerCandidate, MoveApiKeyDialog } from './move-api-key-dialog';

/** Who a key belongs to, and whether that still makes it work. */
function KeyOwner({
  apiKey,
  members,
  meId,
}: {
  apiKey: ApiKey;
  members: KeyOwnerCandidate[] | undefined;
  meId: string;
}) {
  const name = apiKey.createdByName;
  if (apiKey.revokedAt) {
    return name ? <span className="text-xs text-muted-foreground">Belonged to {name}</span> : null;
  }
  // Removing a member revokes their keys, so a live key without a member is rare (an account deleted).
  const gone =
    apiKey.ownerId === null || (members !== undefined && !members.some((m) => m.userId === apiKey.ownerId));
  if (gone) {
    return (
      <span className="text-xs text-destructive">
        Not working: {name ?? 'its member'} is no longer in the organisation
      </span>
    );
  }
  return (
    <span className="text-xs text-muted-foreground">
      Belongs to {name}
      {apiKey.ownerId === meId ? ' (you)' : ''}
    </span>
  );
}

/**
 * Settings → API keys: create (secret shown once), list, move to another member, revoke. A key works
 * only while the member it belongs to is in the organisation; `members` (from the route) are the
 * members it can be moved to (undefined while they load).
 */
export function ApiKeysSettings({ members }: { members?: KeyOwnerCandidate[] }) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('settings:write');
  const keys = useApiKeys(orgId, canWrite);
  const revoke = useRevokeApiKey(orgId);
  const [revoking, setRevoking] = React.useState<ApiKey>();
  const [moving, setMoving] = React.useState<ApiKey>();

  const onRevoke = () => {
    if (!revoking) return;
    const key = revoking;
    revoke.mutate(
      { id: key.id },
      {
        onSuccess: () => toast.success(`Key “${key.name}” revoked`),
        onError: (e) => toast.error('Could not revoke the key', { description: errorMessage(e) }),
        onSettled: () => setRevoking(undefined),
      },
    );
  };

  if (!canWrite) {
    // Keys grant access to the whole organisation's data, so only admins and owners see or manage them.
    return (
      <EmptyState
        icon={Lock}
        title="API keys are managed by admins and owners"
        description={`Keys give scripts and other tools access to ${me.activeOrganization!.name}. Your role (${roleLabel(
          me.activeOrganization!.role,
        ).toLowerCase()}) cannot see or create them; ask an admin or owner if you need one.`}
      />
    );
  }

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div className="grid gap-1">
          <h2 className="text-base font-semibold tracking-tight">API keys</h2>
          <p className="text-sm text-muted-foreground">
            Connect your website, scripts and other tools to Moxora.
          </p>
        </div>
        <CreateApiKeyDialog orgId={orgId} disabled={!canWrite} />
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Keys</CardTitle>
          <CardDescription>
            Each key belongs to a member and works only while they are in the organisation: when they leave or
            are removed, their keys stop working. Move a key to someone who stays to keep it. A revoked key
            stops working at once. Keys are never shown again after creation.
          </CardDescription>
        </CardHeader>
        {keys.isPending ? (
          <div className="grid gap-3 p-6" role="status" aria-label="Loading API keys">
            {[0, 1].map((i) => (
              <Skeleton key={i} className="h-6 w-full" />
            ))}
          </div>
        ) : keys.isError ? (
          <ErrorState
            className="m-6"
            title="Could not load API keys"
            error={keys.error}
            onRetry={() => void keys.refetch()}
          />
        ) : keys.data.length === 0 ? (
          <EmptyState
            className="m-6"
            icon={KeyRound}
            title="No API keys"
            description="Create a key to use the API."
          />
        ) : (
          <Table aria-label="API keys">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-6">Name</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Access</TableHead>
                <TableHead className="hidden md:table-cell">Created</TableHead>
                <TableHead className="hidden md:table-cell">Last used</TableHead>
                <TableHead className="w-52 pr-6">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.data.map((key) => (
                <TableRow key={key.id} className={key.revokedAt ? 'text-muted-foreground' : undefined}>
                  <TableCell className="pl-6">
                    <div className="grid">
                      <span className="font-medium">{key.name}</span>
                      <KeyOwner apiKey={key} members={members} meId={me.user.id} />
                    </div>
                  </TableCell>
                  <TableCell className="font-mono text-[0.8125rem]">{key.prefix}…</TableCell>
                  <TableCell>
                    {key.revokedAt ? (
                      <Badge variant="destructive">Revoked</Badge>
                    ) : (
                      <Badge variant={key.scope === 'read_write' ? 'accent' : 'neutral'}>
                        {SCOPE_LABELS[key.scope] ?? key.scope}
                      </Badge>
                    )}
                  </TableCell>
                  <TableCell className="hidden text-muted-foreground md:table-cell">
                    {formatDate(key.createdAt)}
                  </TableCell>
                  <TableCell className="hidden text-muted-foreground md:table-cell">
                    {key.lastUsedAt ? formatRelative(key.lastUsedAt) : 'Never'}
                  </TableCell>
                  <TableCell className="pr-6 text-right whitespace-nowrap">
                    {key.revokedAt ? null : (
                      <>
                        <DisabledHint
                          align="end"
                          reason={
                            members === undefined
                              ? 'The members are not loaded yet'
                              : !members.some((m) => m.userId !== key.ownerId) &&
                                'There is no other member to move it to'
                          }
                        >
                          <Button
                            variant="ghost"
                            size="sm"
                            disabled={!members?.some((m) => m.userId !== key.ownerId)}
                            onClick={() => setMoving(key)}
                            aria-label={`Move ${key.name} to another member`}
                          >
                            Move to…
                          </Button>
                        </DisabledHint>
                        <Button
                          variant="destructive-ghost"
                          size="sm"
                          disabled={!canWrite}
                          onClick={() => setRevoking(key)}
                          aria-label={`Revoke ${key.name}`}
                        >
                          Revoke
                        </Button>
                      </>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      <MoveApiKeyDialog
        orgId={orgId}
        apiKey={moving}
        members={members ?? []}
        onClose={() => setMoving(undefined)}
      />
      <ConfirmDialog
        open={revoking !== undefined}
        onOpenChange={(open) => (open ? undefined : setRevoking(undefined))}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        description="Anything using this key will lose access immediately. This cannot be undone."
        confirmLabel="Revoke key"
        onConfirm={onRevoke}
        pending={revoke.isPending}
      />
    </div>
  );
}
