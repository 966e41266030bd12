import { TAG_COLORS } from '@common/contacts';
import { GitMerge, Pencil, Plus, Tags, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { TagChip } from '@/components/ui/tag-chip';
import { ApiError, errorMessage } from '@/lib/api';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { plural } from '@/lib/utils';
import { useCreateTag } from '../api/create-tag';
import { useDeleteTag } from '../api/delete-tag';
import { type Tag, useTags } from '../api/list-tags';
import { useMergeTag } from '../api/merge-tag';
import { useUpdateTag } from '../api/update-tag';
import { ColorPicker } from './color-picker';

function CreateTagForm({ orgId }: { orgId: string }) {
  const create = useCreateTag(orgId);
  const [name, setName] = React.useState('');
  const [color, setColor] = React.useState<string>(TAG_COLORS[0]);
  const [error, setError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const value = name.trim();
    if (!value) {
      setError('Enter a name for the tag.');
      return;
    }
    setError(undefined);
    create.mutate(
      { name: value, color },
      {
        onSuccess: (tag) => {
          toast.success(`Tag “${tag.name}” created`);
          setName('');
        },
        onError: (e) =>
          setError(e instanceof ApiError ? (e.fieldErrors().name ?? e.message) : errorMessage(e)),
      },
    );
  };

  return (
    <form
      noValidate
      onSubmit={onSubmit}
      className="flex flex-wrap items-end gap-4 border-b border-border px-6 pb-5"
    >
      <FormField id="new-tag-name" label="New tag" error={error} className="w-64">
        <Input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. Customer"
          maxLength={60}
        />
      </FormField>
      <div className="grid gap-2 pb-1.5">
        <span className="text-sm leading-none font-medium">Colour</span>
        <ColorPicker value={color} onChange={setColor} />
      </div>
      <Button type="submit" loading={create.isPending}>
        <Plus aria-hidden="true" />
        Add tag
      </Button>
    </form>
  );
}

function EditTagDialog({ orgId, tag, onClose }: { orgId: string; tag: Tag; onClose: () => void }) {
  const update = useUpdateTag(orgId);
  const [name, setName] = React.useState(tag.name);
  const [color, setColor] = React.useState(tag.color);
  const [error, setError] = React.useState<string>();
  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const value = name.trim();
    if (!value) {
      setError('Enter a name for the tag.');
      return;
    }
    update.mutate(
      { id: tag.id, name: value, color },
      {
        onSuccess: () => {
          toast.success('Tag saved');
          onClose();
        },
        onError: (e) =>
          setError(e instanceof ApiError ? (e.fieldErrors().name ?? e.message) : errorMessage(e)),
      },
    );
  };
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit tag</DialogTitle>
          <DialogDescription>Renaming a tag renames it on every contact that has it.</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          <FormField id="edit-tag-name" label="Name" error={error}>
            <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={60} />
          </FormField>
          <div className="grid gap-2">
            <span className="text-sm leading-none font-medium">Colour</span>
            <ColorPicker value={color} onChange={setColor} />
          </div>
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={update.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** "The 3 contacts tagged “Lead” get the tag you choose…", in the right number. */
function mergeDescription(tag: Pick<Tag, 'name' | 'contactCount'>): string {
  const n = tag.contactCount;
  if (n === 0) return `No contact has “${tag.name}”, so merging only deletes it.`;
  const who =
    n === 1
      ? `The one contact tagged “${tag.name}” gets`
      : `The ${plural(n, 'contact')} tagged “${tag.name}” get`;
  return `${who} the tag you choose, then “${tag.name}” is deleted.`;
}

function deleteDescription(count: number): string {
  if (count === 0) return 'No contact has this tag. This cannot be undone.';
  return `It will be removed from ${count === 1 ? 'the one contact' : `all ${plural(count, 'contact')}`} that ${count === 1 ? 'has' : 'have'} it. This cannot be undone.`;
}

function MergeTagDialog({
  orgId,
  tag,
  tags,
  onClose,
}: {
  orgId: string;
  tag: Tag;
  tags: Tag[];
  onClose: () => void;
}) {
  const merge = useMergeTag(orgId);
  const others = tags.filter((t) => t.id !== tag.id);
  const [intoId, setIntoId] = React.useState<string>('');
  const [error, setError] = React.useState<string>();
  const into = others.find((t) => t.id === intoId);
  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!into) {
      setError('Choose the tag to merge into.');
      return;
    }
    merge.mutate(
      { id: tag.id, intoId: into.id },
      {
        onSuccess: () => {
          toast.success(`Merged “${tag.name}” into “${into.name}”`);
          onClose();
        },
        onError: (e) => setError(errorMessage(e)),
      },
    );
  };
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Merge “{tag.name}”</DialogTitle>
          <DialogDescription>{mergeDescription(tag)}</DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          <FormField id="merge-into" label="Merge into" error={error}>
            <Select value={intoId} onValueChange={setIntoId}>
              <SelectTrigger id="merge-into" aria-invalid={error ? true : undefined}>
                <SelectValue placeholder="Choose a tag" />
              </SelectTrigger>
              <SelectContent>
                {others.map((t) => (
                  <SelectItem key={t.id} value={t.id}>
                    {t.name}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </FormField>
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={merge.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={merge.isPending} disabled={others.length === 0}>
              Merge tags
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Settings → Tags: the organisation's tags with their contact counts. */
export function TagsSettings() {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  // Tags are contact data: the API lets whoever may change contacts manage them.
  const canWrite = useCan('contacts:write');
  const cannot = useDisabledReason('contacts:write', 'create, rename, merge or delete tags');
  const tags = useTags(orgId);
  const remove = useDeleteTag(orgId);
  const [editing, setEditing] = React.useState<Tag>();
  const [merging, setMerging] = React.useState<Tag>();
  const [deleting, setDeleting] = React.useState<Tag>();

  const onDelete = () => {
    if (!deleting) return;
    const tag = deleting;
    remove.mutate(
      { id: tag.id },
      {
        onSuccess: () => toast.success(`Tag “${tag.name}” deleted`),
        onError: (e) => toast.error('Could not delete the tag', { description: errorMessage(e) }),
        onSettled: () => setDeleting(undefined),
      },
    );
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>
          Tags{' '}
          {tags.data ? <span className="font-normal text-muted-foreground">({tags.data.length})</span> : null}
        </CardTitle>
        <CardDescription>Label contacts to filter them and build segments.</CardDescription>
      </CardHeader>
      {canWrite ? (
        <CreateTagForm orgId={orgId} />
      ) : (
        <div className="px-6 pb-4">
          <Alert variant="info">{cannot}</Alert>
        </div>
      )}
      {tags.isPending ? (
        <div className="grid gap-3 p-6" role="status" aria-label="Loading tags">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-6 w-64" />
          ))}
        </div>
      ) : tags.isError ? (
        <ErrorState
          className="m-6"
          title="Could not load tags"
          error={tags.error}
          onRetry={() => void tags.refetch()}
        />
      ) : tags.data.length === 0 ? (
        <EmptyState
          className="m-6"
          icon={Tags}
          title="No tags yet"
          description="Tags you create here, or add to contacts, appear in this list."
        />
      ) : (
        <Table aria-label="Tags">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="pl-6">Tag</TableHead>
              <TableHead className="w-32 text-right">Contacts</TableHead>
              <TableHead className="w-36 pr-6">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tags.data.map((tag) => (
              <TableRow key={tag.id}>
                <TableCell className="pl-6">
                  <TagChip name={tag.name} color={tag.color} />
                </TableCell>
                <TableCell className="text-right text-muted-foreground tabular-nums">
                  {tag.contactCount.toLocaleString()}
                </TableCell>
                <TableCell className="pr-6">
                  <div className="flex justify-end gap-1">
                    <Button
                      variant="ghost"
                      size="icon"
                      onClick={() => setEditing(tag)}
                      disabled={!canWrite}
                      aria-label={`Edit ${tag.name}`}
                      title="Rename or recolour"
                    >
                      <Pencil aria-hidden="true" />
                    </Button>
                    <Button
                      variant="ghost"
                      size="icon"
                      onClick={() => setMerging(tag)}
                      disabled={!canWrite || tags.data.length < 2}
                      aria-label={`Merge ${tag.name}`}
                      title="Merge into another tag"
                    >
                      <GitMerge aria-hidden="true" />
                    </Button>
                    <Button
                      variant="destructive-ghost"
                      size="icon"
                      onClick={() => setDeleting(tag)}
                      disabled={!canWrite}
                      aria-label={`Delete ${tag.name}`}
                      title="Delete"
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
      {editing ? <EditTagDialog orgId={orgId} tag={editing} onClose={() => setEditing(undefined)} /> : null}
      {merging && tags.data ? (
        <MergeTagDialog orgId={orgId} tag={merging} tags={tags.data} onClose={() => setMerging(undefined)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(open) => (open ? undefined : setDeleting(undefined))}
        title={`Delete “${deleting?.name ?? ''}”?`}
        description={deleteDescription(deleting?.contactCount ?? 0)}
        confirmLabel="Delete tag"
        onConfirm={onDelete}
        pending={remove.isPending}
      />
    </Card>
  );
}
