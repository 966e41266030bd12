import { Layers, MoreHorizontal, Pencil, Trash2, X } from 'lucide-react';
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
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useDeleteSegment } from '../api/delete-segment';
import { useSegments } from '../api/list-segments';
import { useUpdateSegment } from '../api/update-segment';

/** Shown above the contacts table while a segment is selected: its name, rename, delete, clear. */
export function SegmentBanner({
  segmentId,
  canWrite,
  onClear,
}: {
  segmentId: string;
  canWrite: boolean;
  onClear: () => void;
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
      </span>
      {segment ? (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon" aria-label="Segment actions" disabled={!canWrite}>
              <MoreHorizontal aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            <DropdownMenuItem
              onSelect={() => {
                setName(segment.name);
                setNameError(undefined);
                setRenaming(true);
              }}
            >
              <Pencil aria-hidden="true" />
              Rename segment
            </DropdownMenuItem>
            <DropdownMenuItem destructive onSelect={() => setDeleting(true)}>
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
