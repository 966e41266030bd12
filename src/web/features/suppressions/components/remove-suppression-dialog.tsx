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
} from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Textarea } from '@/components/ui/textarea';
import { errorMessage } from '@/lib/api';
import type { Suppression } from '../api/list-suppressions';
import { useRemoveSuppression } from '../api/remove-suppression';

const WHY: Record<Suppression['reason'], string> = {
  hard_bounce: 'Its mail server said the address does not exist: email to it will probably bounce again.',
  soft_bounce: 'It bounced several times in a row.',
  complaint: 'Its owner marked your email as spam. Mailing them again can hurt your delivery to everyone.',
  manual: 'Someone added it by hand.',
};

/** Takes an address off the list, with the reason, which is kept with the entry. */
export function RemoveSuppressionDialog({
  orgId,
  suppression,
  onClose,
}: {
  orgId: string;
  suppression: Suppression;
  onClose: () => void;
}) {
  const remove = useRemoveSuppression(orgId);
  const [reason, setReason] = React.useState('');
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Say why this address may receive email again.');
      return;
    }
    setError(undefined);
    remove.mutate(
      { id: suppression.id, reason: reason.trim() },
      {
        onSuccess: () => {
          toast.success(`${suppression.email} can receive email again`);
          onClose();
        },
        onError: (e) => setFormError(errorMessage(e)),
      },
    );
  };

  return (
    <Dialog open onOpenChange={(open) => (open || remove.isPending ? undefined : onClose())}>
      <DialogContent role="alertdialog">
        <DialogHeader>
          <DialogTitle>Remove {suppression.email} from the list?</DialogTitle>
          <DialogDescription>
            {WHY[suppression.reason]} Once removed, it can receive email again. The entry stays in the history
            with your reason.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="suppression-remove-reason" label="Reason" error={error}>
            <Textarea
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
              maxLength={500}
              placeholder="e.g. Confirmed by phone that the mailbox works again"
              autoFocus
            />
          </FormField>
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant="destructive" loading={remove.isPending}>
              Remove from list
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
