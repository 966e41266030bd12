import { MessageSquareText, MoreHorizontal, Pencil, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Markdown } from '@/components/markdown';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs } from '@/components/ui/tabs';
import { Textarea } from '@/components/ui/textarea';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { useCreateNote } from '../api/create-note';
import { useDeleteNote } from '../api/delete-note';
import { type Note, type NoteTarget, useNotes } from '../api/list-notes';
import { useUpdateNote } from '../api/update-note';

const MAX_LENGTH = 20_000;

/** A Markdown textarea with a preview tab. Ctrl/⌘+Enter submits. */
function NoteEditor({
  value,
  onChange,
  onSubmit,
  onCancel,
  submitLabel,
  pending,
  autoFocus,
  label,
}: {
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  onCancel?: () => void;
  submitLabel: string;
  pending: boolean;
  autoFocus?: boolean;
  label: string;
}) {
  const [mode, setMode] = React.useState<'write' | 'preview'>('write');
  return (
    <div className="grid gap-2">
      <div className="flex items-center justify-between gap-2">
        <Tabs
          aria-label="Editor mode"
          value={mode}
          onValueChange={setMode}
          items={[
            { value: 'write', label: 'Write' },
            { value: 'preview', label: 'Preview' },
          ]}
          className="p-0.5 [&_button]:px-2 [&_button]:py-0.5 [&_button]:text-xs"
        />
        <span className="text-xs text-muted-foreground">
          Markdown: **bold**, _italic_, - lists, [links](https://…)
        </span>
      </div>
      {mode === 'write' ? (
        <Textarea
          aria-label={label}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
              e.preventDefault();
              onSubmit();
            } else if (e.key === 'Escape' && onCancel) {
              e.preventDefault();
              onCancel();
            }
          }}
          placeholder="Write a note…"
          maxLength={MAX_LENGTH}
          rows={4}
          autoFocus={autoFocus}
          disabled={pending}
        />
      ) : (
        <div className="min-h-24 rounded-md border border-border bg-subtle px-3 py-2">
          {value.trim() ? (
            <Markdown>{value}</Markdown>
          ) : (
            <p className="text-sm text-muted-foreground">Nothing to preview.</p>
          )}
        </div>
      )}
      <div className="flex justify-end gap-2">
        {onCancel ? (
          <Button variant="secondary" size="sm" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
        ) : null}
        <Button size="sm" onClick={onSubmit} loading={pending} disabled={!value.trim()}>
          {submitLabel}
        </Button>
      </div>
    </div>
  );
}

function NoteItem({
  note,
  canWrite,
  onEdit,
  onDelete,
  editing,
  editor,
}: {
  note: Note;
  canWrite: boolean;
  onEdit: () => void;
  onDelete: () => void;
  editing: boolean;
  editor: React.ReactNode;
}) {
  const edited = note.updatedAt && note.updatedAt !== note.createdAt;
  const author = note.author?.name ?? 'Someone';
  return (
    <li className="flex gap-3" data-testid="note">
      <Avatar name={author} size="sm" className="mt-0.5" />
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-2">
          <span className="text-[0.8125rem] font-medium">{author}</span>
          <time
            className="text-xs text-muted-foreground"
            dateTime={note.createdAt}
            title={formatDateTime(note.createdAt)}
          >
            {formatRelative(note.createdAt)}
            {edited ? ' · edited' : ''}
          </time>
          {canWrite && !editing ? (
            <DropdownMenu>
              <DropdownMenuTrigger asChild>
                <Button variant="ghost" size="icon" className="ml-auto size-7" aria-label="Note actions">
                  <MoreHorizontal aria-hidden="true" />
                </Button>
              </DropdownMenuTrigger>
              <DropdownMenuContent align="end" className="min-w-40">
                <DropdownMenuItem onSelect={onEdit}>
                  <Pencil aria-hidden="true" />
                  Edit note
                </DropdownMenuItem>
                <DropdownMenuItem destructive onSelect={onDelete}>
                  <Trash2 aria-hidden="true" />
                  Delete note
                </DropdownMenuItem>
              </DropdownMenuContent>
            </DropdownMenu>
          ) : null}
        </div>
        <div className="mt-1">{editing ? editor : <Markdown>{note.body}</Markdown>}</div>
      </div>
    </li>
  );
}

/** Notes on a contact or company: a Markdown composer and the list, newest first. */
export function NotesPanel({
  target,
  canWrite,
  onChanged,
}: {
  target: NoteTarget;
  canWrite: boolean;
  /** Called after a note is added, edited or deleted (e.g. to refresh a timeline). */
  onChanged?: () => void;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const notes = useNotes(orgId, target);
  const create = useCreateNote(orgId, target);
  const update = useUpdateNote(orgId, target);
  const remove = useDeleteNote(orgId, target);
  const [draft, setDraft] = React.useState('');
  const [editingId, setEditingId] = React.useState<string>();
  const [editDraft, setEditDraft] = React.useState('');
  const [deleting, setDeleting] = React.useState<Note>();

  const onAdd = () => {
    const body = draft.trim();
    if (!body) return;
    create.mutate(
      { body },
      {
        onSuccess: () => {
          setDraft('');
          onChanged?.();
        },
        onError: (e) => toast.error('Could not add the note', { description: errorMessage(e) }),
      },
    );
  };

  const onSaveEdit = () => {
    if (!editingId || !editDraft.trim()) return;
    update.mutate(
      { id: editingId, body: editDraft.trim() },
      {
        onSuccess: () => {
          setEditingId(undefined);
          onChanged?.();
        },
        onError: (e) => toast.error('Could not save the note', { description: errorMessage(e) }),
      },
    );
  };

  const onDelete = () => {
    if (!deleting) return;
    remove.mutate(
      { id: deleting.id },
      {
        onSuccess: () => {
          toast.success('Note deleted');
          onChanged?.();
        },
        onError: (e) => toast.error('Could not delete the note', { description: errorMessage(e) }),
        onSettled: () => setDeleting(undefined),
      },
    );
  };

  const sorted = notes.data ? [...notes.data].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) : [];

  return (
    <Card>
      <CardHeader className="pb-3">
        <CardTitle className="flex items-center gap-2">
          <MessageSquareText aria-hidden="true" className="size-4 text-muted-foreground" />
          Notes
          {notes.data ? (
            <span className="font-normal text-muted-foreground">({notes.data.length})</span>
          ) : null}
        </CardTitle>
      </CardHeader>
      <CardContent className="grid gap-5">
        {canWrite ? (
          <NoteEditor
            label="New note"
            value={draft}
            onChange={setDraft}
            onSubmit={onAdd}
            submitLabel="Add note"
            pending={create.isPending}
          />
        ) : null}
        {notes.isPending ? (
          <div className="grid gap-3" role="status" aria-label="Loading notes">
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-4 w-1/2" />
          </div>
        ) : notes.isError ? (
          <ErrorState title="Could not load notes" error={notes.error} onRetry={() => void notes.refetch()} />
        ) : sorted.length === 0 ? (
          <p className="text-sm text-muted-foreground">No notes yet.</p>
        ) : (
          <ul aria-label="Notes" className="grid gap-5">
            {sorted.map((note) => (
              <NoteItem
                key={note.id}
                note={note}
                canWrite={canWrite}
                editing={editingId === note.id}
                onEdit={() => {
                  setEditDraft(note.body);
                  setEditingId(note.id);
                }}
                onDelete={() => setDeleting(note)}
                editor={
                  <NoteEditor
                    label="Edit note"
                    value={editDraft}
                    onChange={setEditDraft}
                    onSubmit={onSaveEdit}
                    onCancel={() => setEditingId(undefined)}
                    submitLabel="Save"
                    pending={update.isPending}
                    autoFocus
                  />
                }
              />
            ))}
          </ul>
        )}
      </CardContent>
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(open) => (open ? undefined : setDeleting(undefined))}
        title="Delete this note?"
        description="It will be removed for everyone. This cannot be undone."
        confirmLabel="Delete note"
        onConfirm={onDelete}
        pending={remove.isPending}
      />
    </Card>
  );
}
