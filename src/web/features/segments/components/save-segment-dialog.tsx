import type { FilterNode } from '@common/filters';
import { BookmarkPlus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { useDisabledReason, useMe } from '@/lib/session';
import { useCreateSegment } from '../api/create-segment';
import type { Segment } from '../api/list-segments';

/** "Save as segment": names the current filter and saves it. */
export function SaveSegmentDialog({
  filter,
  disabled,
  onSaved,
  triggerLabel = 'Save as segment',
}: {
  filter: FilterNode | undefined;
  disabled?: boolean;
  onSaved?: (segment: Segment) => void;
  triggerLabel?: string;
}) {
  const me = useMe();
  const cannot = useDisabledReason('contacts:write', 'save segments');
  const create = useCreateSegment(me.activeOrganization!.id);
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState('');
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    if (!filter) return;
    if (!name.trim()) {
      setError('Name the segment.');
      return;
    }
    setError(undefined);
    create.mutate(
      { name: name.trim(), filter },
      {
        onSuccess: (segment) => {
          toast.success(`Segment “${segment.name}” saved`);
          setOpen(false);
          setName('');
          onSaved?.(segment);
        },
        onError: (e) => {
          if (e instanceof ApiError && (e.fieldErrors().name || e.status === 409)) {
            setError(e.fieldErrors().name ?? e.message);
          } else {
            setFormError(errorMessage(e));
          }
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={(next) => (create.isPending ? undefined : setOpen(next))}>
      <DisabledHint reason={cannot}>
        <DialogTrigger asChild>
          <Button variant="secondary" size="sm" disabled={disabled || !filter}>
            <BookmarkPlus aria-hidden="true" />
            {triggerLabel}
          </Button>
        </DialogTrigger>
      </DisabledHint>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{triggerLabel}</DialogTitle>
          <DialogDescription>
            A segment keeps this filter. Its contacts update as contacts change; find it in the sidebar under
            Contacts.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="segment-name" label="Segment name" error={error}>
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. Customers in Berlin"
              maxLength={80}
            />
          </FormField>
          <DialogFooter>
            <Button variant="secondary" onClick={() => setOpen(false)} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Save segment
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
