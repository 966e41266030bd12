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
import { Input } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import { ApiError, errorMessage } from '@/lib/api';
import { useAddSuppression } from '../api/add-suppression';

export function AddSuppressionDialog({ orgId, onClose }: { orgId: string; onClose: () => void }) {
  const add = useAddSuppression(orgId);
  const [email, setEmail] = React.useState('');
  const [note, setNote] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const value = email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      setErrors({ email: 'Enter an email address such as ann@example.com.' });
      return;
    }
    setErrors({});
    setFormError(undefined);
    add.mutate(
      { email: value, ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: (s) => {
          toast.success(`${s.email} will not receive any email`);
          onClose();
        },
        onError: (e) => {
          if (e instanceof ApiError && Object.keys(e.fieldErrors()).length > 0) setErrors(e.fieldErrors());
          else setFormError(errorMessage(e));
        },
      },
    );
  };

  return (
    <Dialog open onOpenChange={(open) => (open || add.isPending ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Suppress an address</DialogTitle>
          <DialogDescription>
            Moxora will never email this address again, transactional email included, until someone removes it
            from this list.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="suppression-email" label="Email address" error={errors.email}>
            <Input
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="ann@example.com"
              maxLength={254}
              autoFocus
            />
          </FormField>
          <FormField
            id="suppression-note"
            label="Note (optional)"
            error={errors.note}
            hint="Why, for whoever looks later."
          >
            <Textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={500} />
          </FormField>
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={add.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending}>
              Suppress address
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
