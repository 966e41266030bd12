import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
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
import { Label } from '@/components/ui/label';
import { ApiError, errorMessage } from '@/lib/api';
import { useCreateSender } from '../api/create-sender';
import type { Sender } from '../api/list-senders';
import { useUpdateSender } from '../api/update-sender';

const looksLikeEmail = (v: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);

/** Add a sender identity, or edit one (`sender` given). */
export function SenderDialog({
  orgId,
  sender,
  isFirst,
  onClose,
}: {
  orgId: string;
  sender?: Sender;
  /** No sender exists yet: this one becomes the default whatever is chosen. */
  isFirst: boolean;
  onClose: () => void;
}) {
  const create = useCreateSender(orgId);
  const update = useUpdateSender(orgId);
  const pending = create.isPending || update.isPending;
  const [name, setName] = React.useState(sender?.name ?? '');
  const [email, setEmail] = React.useState(sender?.email ?? '');
  const [replyTo, setReplyTo] = React.useState(sender?.replyTo ?? '');
  const [isDefault, setIsDefault] = React.useState(sender?.isDefault ?? isFirst);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!name.trim()) next.name = 'Enter the name recipients see, e.g. your company.';
    if (!looksLikeEmail(email.trim())) next.email = 'Enter an email address such as news@example.com.';
    if (replyTo.trim() && !looksLikeEmail(replyTo.trim()))
      next.replyTo = 'Enter an email address, or leave it empty.';
    setErrors(next);
    setFormError(undefined);
    if (Object.keys(next).length > 0) return;
    const onError = (e: unknown) => {
      if (e instanceof ApiError) {
        const fields = e.fieldErrors();
        if (e.code === 'CONFLICT') setErrors({ email: 'Another sender already uses this address.' });
        else if (fields.name || fields.email || fields.replyTo) setErrors(fields);
        else setFormError(e.message);
      } else setFormError(errorMessage(e));
    };
    const body = { name: name.trim(), email: email.trim(), replyTo: replyTo.trim() || null };
    if (sender) {
      update.mutate(
        { id: sender.id, ...body, ...(isDefault && !sender.isDefault ? { isDefault: true } : {}) },
        {
          onSuccess: () => {
            toast.success('Sender saved');
            onClose();
          },
          onError,
        },
      );
    } else {
      create.mutate(
        { ...body, isDefault },
        {
          onSuccess: (s) => {
            toast.success(`Sender ${s.email} added`);
            onClose();
          },
          onError,
        },
      );
    }
  };

  return (
    <Dialog open onOpenChange={(open) => (open || pending ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{sender ? 'Edit sender' : 'Add a sender'}</DialogTitle>
          <DialogDescription>
            The name and address campaigns come from. Use an address of a domain your mail provider is allowed
            to send for.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <FormField id="sender-name" label="From name" error={errors.name}>
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. Acme News"
              maxLength={100}
              autoFocus
            />
          </FormField>
          <FormField id="sender-email" label="From address" error={errors.email}>
            <Input
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="news@example.com"
              maxLength={254}
            />
          </FormField>
          <FormField
            id="sender-reply-to"
            label="Reply-To (optional)"
            error={errors.replyTo}
            hint="Where replies go when it is not the From address."
          >
            <Input
              type="email"
              value={replyTo}
              onChange={(e) => setReplyTo(e.target.value)}
              placeholder="support@example.com"
              maxLength={254}
            />
          </FormField>
          <div className="flex items-start gap-2.5">
            <Checkbox
              id="sender-default"
              checked={isDefault}
              disabled={isFirst || sender?.isDefault}
              onCheckedChange={(v) => setIsDefault(v === true)}
            />
            <div className="grid gap-1">
              <Label htmlFor="sender-default">Default sender</Label>
              <p className="text-[0.8125rem] text-muted-foreground">
                {isFirst
                  ? 'Your first sender is the default.'
                  : sender?.isDefault
                    ? 'To change the default, make another sender the default.'
                    : 'New campaigns and transactional mail use the default sender unless they pick another.'}
              </p>
            </div>
          </div>
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              {sender ? 'Save' : 'Add sender'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
