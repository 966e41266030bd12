import { Mail, Pencil, Plus, Star, Trash2 } from 'lucide-react';
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
import { useDeleteSender } from '../api/delete-sender';
import { type Sender, useSenders } from '../api/list-senders';
import { useUpdateSender } from '../api/update-sender';
import { SenderDialog } from './sender-dialog';

/** Sender identities: list, add/edit, make default, delete. */
export function SendersCard({
  orgId,
  canWrite,
  cannot,
}: {
  orgId: string;
  canWrite: boolean;
  cannot?: string;
}) {
  const senders = useSenders(orgId);
  const remove = useDeleteSender(orgId);
  const update = useUpdateSender(orgId);
  const [editing, setEditing] = React.useState<Sender | 'new'>();
  const [deleting, setDeleting] = React.useState<Sender>();
  const list = senders.data ?? [];

  const onDelete = () => {
    if (!deleting) return;
    const s = deleting;
    remove.mutate(
      { id: s.id },
      {
        onSuccess: () => toast.success(`Sender ${s.email} deleted`),
        onError: (e) => toast.error('Could not delete the sender', { description: errorMessage(e) }),
        onSettled: () => setDeleting(undefined),
      },
    );
  };
  const makeDefault = (s: Sender) =>
    update.mutate(
      { id: s.id, isDefault: true },
      {
        onSuccess: () => toast.success(`${s.email} is now the default sender`),
        onError: (e) => toast.error('Could not change the default sender', { description: errorMessage(e) }),
      },
    );

  const addButton = (
    <DisabledHint reason={cannot} align="end">
      <Button onClick={() => setEditing('new')} disabled={!canWrite}>
        <Plus aria-hidden="true" />
        Add sender
      </Button>
    </DisabledHint>
  );

  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-4">
        <div className="grid gap-1.5">
          <CardTitle>Senders</CardTitle>
          <CardDescription>The From names and addresses your campaigns can use.</CardDescription>
        </div>
        {list.length > 0 ? addButton : null}
      </CardHeader>
      {senders.isPending ? (
        <div className="grid gap-3 p-6" role="status" aria-label="Loading senders">
          {[0, 1].map((i) => (
            <Skeleton key={i} className="h-6 w-72" />
          ))}
        </div>
      ) : senders.isError ? (
        <ErrorState
          className="m-6"
          title="Could not load senders"
          error={senders.error}
          onRetry={() => void senders.refetch()}
        />
      ) : list.length === 0 ? (
        <EmptyState
          className="m-6"
          icon={Mail}
          title="No sender yet"
          description={
            canWrite
              ? 'Add the name and address your campaigns come from. You need one before sending a campaign.'
              : 'An admin or owner adds the name and address campaigns come from.'
          }
          actions={canWrite ? addButton : undefined}
        />
      ) : (
        <Table aria-label="Senders">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="pl-6">From</TableHead>
              <TableHead>Reply-To</TableHead>
              <TableHead className="w-36 pr-6">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.map((s) => (
              <TableRow key={s.id}>
                <TableCell className="pl-6">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium">{s.name}</span>
                    <span className="text-muted-foreground">&lt;{s.email}&gt;</span>
                    {s.isDefault ? <Badge variant="accent">Default</Badge> : null}
                  </div>
                </TableCell>
                <TableCell className="text-muted-foreground">{s.replyTo ?? '—'}</TableCell>
                <TableCell className="pr-6">
                  <div className="flex justify-end gap-1">
                    {!s.isDefault ? (
                      <Button
                        variant="ghost"
                        size="icon"
                        onClick={() => makeDefault(s)}
                        disabled={!canWrite || update.isPending}
                        aria-label={`Make ${s.email} the default sender`}
                        title={cannot ?? 'Make default'}
                      >
                        <Star aria-hidden="true" />
                      </Button>
                    ) : null}
                    <Button
                      variant="ghost"
                      size="icon"
                      onClick={() => setEditing(s)}
                      disabled={!canWrite}
                      aria-label={`Edit ${s.email}`}
                      title={cannot ?? 'Edit'}
                    >
                      <Pencil aria-hidden="true" />
                    </Button>
                    <Button
                      variant="destructive-ghost"
                      size="icon"
                      onClick={() => setDeleting(s)}
                      disabled={!canWrite}
                      aria-label={`Delete ${s.email}`}
                      title={cannot ?? 'Delete'}
                    >
                      <Trash2 aria-hidden="true" />
                    </Button>
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {editing ? (
        <SenderDialog
          orgId={orgId}
          sender={editing === 'new' ? undefined : editing}
          isFirst={list.length === 0}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(open) => (open ? undefined : setDeleting(undefined))}
        title={`Delete the sender ${deleting?.email ?? ''}?`}
        description={
          deleting?.isDefault && list.length > 1
            ? 'It is the default sender: the oldest remaining sender becomes the default. Campaigns already sent keep the address they were sent from.'
            : deleting?.isDefault
              ? 'It is your only sender: campaigns cannot be sent until you add another. Campaigns already sent keep the address they were sent from.'
              : 'Draft campaigns that use it will need another sender. Campaigns already sent keep the address they were sent from.'
        }
        confirmLabel="Delete sender"
        onConfirm={onDelete}
        pending={remove.isPending}
      />
    </Card>
  );
}
