import type { FilterNode } from '@common/filters';
import { Layers, ListFilter, MoreHorizontal, Pencil, Save, Trash2, Undo2, X } from 'lucide-react';
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
import { DisabledHint } from '@/components/ui/disabled-hint';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/api';
import { useDisabledReason, useMe } from '@/lib/session';
import { useDeleteSegment } from '../api/delete-segment';
import { type Segment, useSegments } from '../api/list-segments';
import { useUpdateSegment } from '../api/update-segment';
import { SaveSegmentDialog } from './save-segment-dialog';

/**
 * Shown above the contacts table while a segment is selected: its name; edit its conditions, rename,
 * delete; and, once its conditions were edited (`draft`), save them, save them as a new segment or
 * discard them.
 */
export function SegmentBanner({
  segmentId,
  canWrite,
  onClear,
  draft,
  onEditConditions,
  onSaved,
  onDiscard,
  onSavedAsNew,
}: {
  segmentId: string;
  canWrite: boolean;
  onClear: () => void;
  /** The segment's conditions as edited in the filter panel, not saved yet. */
  draft?: FilterNode;
  /** Opens the filter panel on the segment's conditions. */
  onEditConditions: () => void;
  /** The draft was saved into this segment. */
  onSaved: () => void;
  onDiscard: () => void;
  onSavedAsNew: (segment: Segment) => void;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const segments = useSegments(orgId);
  const update = useUpdateSegment(orgId);
  const remove = useDeleteSegment(orgId);
  const [renaming, setRenaming] = React.useState(false);
  const [name, setName] = React.useState('');
  const [nameError, setNameError] = React.useState<string>();
  const [deleting, setDeleting] = React.useState(false);
  const segment = segments.data?.find((s) => s.id === segmentId);
  const cannot = useDisabledReason('contacts:write', 'change segments');

  if (segments.isPending) return <Skeleton className="h-10 w-full" />;

  const onRename = (event: React.FormEvent) => {
    event.preventDefault();
    if (!segment || !name.trim()) {
      setNameError('Name the segment.');
      return;
    }
    update.mutate(
      { id: segment.id, name: name.trim() },
      {
        onSuccess: () => {
          toast.success('Segment renamed');
          setRenaming(false);
        },
        onError: (e) => setNameError(errorMessage(e)),
      },
    );
  };

  const onSaveConditions = () => {
    if (!segment || !draft) return;
    update.mutate(
      { id: segment.id, filter: draft },
      {
        onSuccess: () => {
          toast.success(`Segment “${segment.name}” updated`);
          onSaved();
        },
        onError: (e) => toast.error('Could not save the segment', { description: errorMessage(e) }),
      },
    );
  };

  const onDelete = () => {
    if (!segment) return;
    remove.mutate(
      { id: segment.id },
      {
        onSuccess: () => {
          toast.success(`Segment “${segment.name}” deleted`);
          setDeleting(false);
          onClear();
        },
        onError: (e) => {
          toast.error('Could not delete the segment', { description: errorMessage(e) });
          setDeleting(false);
        },
      },
    );
  };

  return (
    <div
      className="flex items-center gap-3 rounded-md border border-indigo-200 bg-accent-subtle px-3 py-2 text-sm text-indigo-900"
      data-testid="segment-banner"
    >
      <Layers aria-hidden="true" className="size-4 shrink-0 text-accent" />
      <span className="min-w-0 flex-1 truncate">
        Segment: <span className="font-semibold">{segment?.name ?? 'not found'}</span>
        {segment && draft ? (
          <span className="ml-2 text-indigo-700" data-testid="segment-edited">
            · unsaved changes
          </span>
        ) : null}
      </span>
      {segment && draft ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="ghost" size="sm" onClick={onDiscard}>
            <Undo2 aria-hidden="true" />
            Discard changes
          </Button>
          <SaveSegmentDialog
            filter={draft}
            disabled={!canWrite}
            triggerLabel="Save as new segment"
            onSaved={onSavedAsNew}
          />
          <DisabledHint reason={cannot} align="end">
            <Button size="sm" onClick={onSaveConditions} loading={update.isPending} disabled={!canWrite}>
              <Save aria-hidden="true" />
              Save changes
            </Button>
          </DisabledHint>
        </div>
      ) : null}
      {segment ? (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon" aria-label="Segment actions">
              <MoreHorizontal aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            <DropdownMenuItem onSelect={onEditConditions}>
              <ListFilter aria-hidden="true" />
              {canWrite ? 'Edit conditions' : 'Show conditions'}
            </DropdownMenuItem>
            <DropdownMenuItem
              disabled={!canWrite}
              onSelect={() => {
                setName(segment.name);
                setNameError(undefined);
                setRenaming(true);
              }}
            >
              <Pencil aria-hidden="true" />
              Rename segment
            </DropdownMenuItem>
            <DropdownMenuItem destructive disabled={!canWrite} onSelect={() => setDeleting(true)}>
              <Trash2 aria-hidden="true" />
              Delete segment
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      ) : null}
      <Button variant="ghost" size="icon" onClick={onClear} aria-label="Show all contacts">
        <X aria-hidden="true" />
      </Button>
      <Dialog open={renaming} onOpenChange={setRenaming}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Rename segment</DialogTitle>
            <DialogDescription>The filter stays the same.</DialogDescription>
          </DialogHeader>
          <form noValidate onSubmit={onRename} className="grid gap-5">
            <FormField id="rename-segment" label="Name" error={nameError}>
              <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
            </FormField>
            <DialogFooter>
              <Button variant="secondary" onClick={() => setRenaming(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={update.isPending}>
                Rename
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete “${segment?.name ?? ''}”?`}
        description="The segment is removed; its contacts are not."
        confirmLabel="Delete segment"
        onConfirm={onDelete}
        pending={remove.isPending}
      />
    </div>
  );
}
