import { Tag, Tags, Trash2, UserRound, X } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { TagChip } from '@/components/ui/tag-chip';
import { errorMessage } from '@/lib/api';
import { plural } from '@/lib/utils';
import {
  type BulkAction,
  type BulkSelection,
  selectsEverything,
  useBulkContacts,
} from '../api/bulk-contacts';
import { useBulkOperation } from '../api/get-bulk-operation';
import { tagColor, useContactsEnv } from './contacts-env';
import { TagPicker } from './tag-input';

function describe(action: BulkAction): string {
  switch (action.type) {
    case 'add_tags':
      return `Tagged with ${action.tags.join(', ')}`;
    case 'remove_tags':
      return `Removed ${action.tags.join(', ')}`;
    case 'set_owner':
      return action.ownerId ? 'Owner changed' : 'Owner cleared';
    case 'delete':
      return 'Deleted';
    default:
      return 'Updated';
  }
}

function TagsDialog({
  mode,
  count,
  onClose,
  onRun,
  pending,
}: {
  mode: 'add_tags' | 'remove_tags';
  count: string;
  onClose: () => void;
  onRun: (tags: string[]) => void;
  pending: boolean;
}) {
  const env = useContactsEnv();
  const [tags, setTags] = React.useState<string[]>([]);
  const add = mode === 'add_tags';
  return (
    <Dialog open onOpenChange={(open) => (open || pending ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{add ? 'Add tags' : 'Remove tags'}</DialogTitle>
          <DialogDescription>
            {add ? 'Add' : 'Remove'} these tags {add ? 'to' : 'from'} {count}.
          </DialogDescription>
        </DialogHeader>
        <div className="grid gap-3">
          {tags.length > 0 ? (
            <div className="flex flex-wrap gap-1.5">
              {tags.map((t) => (
                <TagChip
                  key={t}
                  name={t}
                  color={tagColor(env, t)}
                  onRemove={() => setTags(tags.filter((x) => x !== t))}
                />
              ))}
            </div>
          ) : null}
          <TagPicker
            aria-label={add ? 'Tag to add' : 'Tag to remove'}
            exclude={tags}
            allowCreate={add}
            autoFocus
            className="h-9"
            placeholder={add ? 'Choose or create a tag…' : 'Choose a tag…'}
            onPick={(name) => {
              if (!tags.some((t) => t.toLowerCase() === name.toLowerCase())) setTags([...tags, name]);
            }}
          />
        </div>
        <DialogFooter>
          <Button variant="secondary" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button onClick={() => onRun(tags)} disabled={tags.length === 0} loading={pending}>
            {add ? 'Add tags' : 'Remove tags'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** Progress of a queued (202) bulk operation; reports once when it ends. */
function OperationProgress({
  orgId,
  operationId,
  label,
  onEnd,
}: {
  orgId: string;
  operationId: string;
  label: string;
  onEnd: (ok: boolean, message: string) => void;
}) {
  const op = useBulkOperation(orgId, operationId);
  const ended = React.useRef(false);
  const status = op.data?.status;
  React.useEffect(() => {
    if (ended.current || !op.data) return;
    if (status === 'done') {
      ended.current = true;
      onEnd(true, `${label}: ${plural(op.data.done, 'contact')}`);
    } else if (status === 'failed') {
      ended.current = true;
      onEnd(false, op.data.error ?? 'The operation failed.');
    }
  }, [status, op.data, label, onEnd]);
  if (op.isError) {
    return <span className="text-destructive">{errorMessage(op.error)}</span>;
  }
  const done = op.data?.done ?? 0;
  const total = op.data?.total ?? 0;
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div
      className="flex min-w-48 items-center gap-3"
      role="status"
      aria-live="polite"
      data-testid="bulk-progress"
    >
      <div
        className="h-1.5 w-32 overflow-hidden rounded-full bg-indigo-100"
        role="progressbar"
        aria-label="Bulk operation progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className="h-full rounded-full bg-accent transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-xs tabular-nums">
        {status === 'queued' || !op.data ? 'Queued…' : `${done.toLocaleString()} / ${total.toLocaleString()}`}
      </span>
    </div>
  );
}

/** The bar shown while rows are selected: add/remove tags, set owner, delete; progress for queued work. */
export function BulkBar({
  orgId,
  selection,
  selectedCount,
  loadedCount,
  total,
  allMatching,
  onSelectAllMatching,
  onClear,
  onDone,
  exportAction,
}: {
  orgId: string;
  selection: BulkSelection;
  selectedCount: number;
  loadedCount: number;
  total: number | undefined;
  allMatching: boolean;
  onSelectAllMatching: () => void;
  onClear: () => void;
  /** The action finished (inline or queued): refresh and clear the selection. */
  onDone: () => void;
  /** "Export" for the selected contacts (from the exports feature, through the route). */
  exportAction?: React.ReactNode;
}) {
  const env = useContactsEnv();
  const bulk = useBulkContacts();
  const [dialog, setDialog] = React.useState<'add_tags' | 'remove_tags' | 'delete' | null>(null);
  const [running, setRunning] = React.useState<{ id: string; label: string } | null>(null);
  // No filter condition, search or segment: the action reaches every contact of the
  // organisation. The server refuses that unless asked with `all: true`, so every action is
  // confirmed here with the count first.
  const everything = selectsEverything(selection);
  const countText = everything
    ? `all ${plural(total ?? selectedCount, 'contact')}`
    : plural(selectedCount, 'contact');
  const [confirmOwner, setConfirmOwner] = React.useState<{ ownerId: string | null; name: string } | null>(
    null,
  );

  const run = (action: BulkAction) => {
    bulk.mutate(
      { selection: everything ? { ...selection, all: true } : selection, action },
      {
        onSuccess: (result) => {
          setDialog(null);
          if (result?.operationId) {
            setRunning({ id: result.operationId, label: describe(action) });
            toast.info('Working on it', { description: 'Large selections run in the background.' });
            return;
          }
          toast.success(`${describe(action)}: ${plural(result?.affected ?? selectedCount, 'contact')}`);
          onDone();
        },
        onError: (e) => toast.error('Could not update the contacts', { description: errorMessage(e) }),
      },
    );
  };

  const onEnd = React.useCallback(
    (ok: boolean, message: string) => {
      setRunning(null);
      if (ok) toast.success(message);
      else toast.error('The bulk operation failed', { description: message });
      onDone();
    },
    [onDone],
  );

  const canSelectAll =
    !allMatching && total !== undefined && total > loadedCount && selectedCount === loadedCount;

  return (
    <div
      className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-lg border border-indigo-200 bg-accent-subtle px-3 py-2 text-sm text-indigo-950"
      data-testid="bulk-bar"
    >
      <span className="font-medium" data-testid="bulk-count">
        {countText} selected
      </span>
      {canSelectAll ? (
        <Button variant="link" size="sm" onClick={onSelectAllMatching}>
          Select all {total.toLocaleString()} matching
        </Button>
      ) : null}
      {running ? (
        <OperationProgress orgId={orgId} operationId={running.id} label={running.label} onEnd={onEnd} />
      ) : (
        <div className="ml-auto flex flex-wrap items-center gap-1.5">
          {exportAction}
          <Button
            variant="secondary"
            size="sm"
            onClick={() => setDialog('add_tags')}
            disabled={bulk.isPending}
          >
            <Tag aria-hidden="true" />
            Add tag
          </Button>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => setDialog('remove_tags')}
            disabled={bulk.isPending}
          >
            <Tags aria-hidden="true" />
            Remove tag
          </Button>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="secondary" size="sm" disabled={bulk.isPending}>
                <UserRound aria-hidden="true" />
                Set owner
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end" className="max-h-80 overflow-y-auto">
              <DropdownMenuLabel>Owner of {countText}</DropdownMenuLabel>
              {env.members.map((m) => (
                <DropdownMenuItem
                  key={m.userId}
                  onSelect={() =>
                    everything
                      ? setConfirmOwner({ ownerId: m.userId, name: m.name || m.email })
                      : run({ type: 'set_owner', ownerId: m.userId })
                  }
                >
                  {m.name || m.email}
                </DropdownMenuItem>
              ))}
              <DropdownMenuSeparator />
              <DropdownMenuItem
                onSelect={() =>
                  everything
                    ? setConfirmOwner({ ownerId: null, name: 'no owner' })
                    : run({ type: 'set_owner', ownerId: null })
                }
              >
                No owner
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
          <Button
            variant="destructive-ghost"
            size="sm"
            onClick={() => setDialog('delete')}
            disabled={bulk.isPending}
          >
            <Trash2 aria-hidden="true" />
            Delete
          </Button>
          <Button variant="ghost" size="icon" onClick={onClear} aria-label="Clear selection">
            <X aria-hidden="true" />
          </Button>
        </div>
      )}
      {dialog === 'add_tags' || dialog === 'remove_tags' ? (
        <TagsDialog
          mode={dialog}
          count={countText}
          onClose={() => setDialog(null)}
          onRun={(tags) => run({ type: dialog, tags })}
          pending={bulk.isPending}
        />
      ) : null}
      <ConfirmDialog
        open={dialog === 'delete'}
        onOpenChange={(open) => (open ? undefined : setDialog(null))}
        title={`Delete ${countText}?`}
        description={
          everything
            ? 'No filter narrows this selection: every contact of the organisation is removed, with their notes and history. This cannot be undone.'
            : 'They are removed with their notes and history. This cannot be undone.'
        }
        confirmLabel={`Delete ${countText}`}
        onConfirm={() => run({ type: 'delete' })}
        pending={bulk.isPending}
      />
      <ConfirmDialog
        open={confirmOwner !== null}
        onOpenChange={(open) => (open ? undefined : setConfirmOwner(null))}
        title={`Set the owner of ${countText}?`}
        description={`No filter narrows this selection: every contact of the organisation gets ${confirmOwner?.name ?? ''} as owner.`}
        confirmLabel={`Set owner of ${countText}`}
        onConfirm={() => {
          if (confirmOwner) run({ type: 'set_owner', ownerId: confirmOwner.ownerId });
          setConfirmOwner(null);
        }}
        pending={bulk.isPending}
      />
    </div>
  );
}
