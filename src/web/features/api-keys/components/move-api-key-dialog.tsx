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
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { ApiError, errorMessage, type ItemOf, type Res } from '@/lib/api';
import type { ApiKey } from '../api/list-api-keys';
import { useMoveApiKey } from '../api/move-api-key';

/** A member a key can belong to (the route passes the organisation's members in). */
export type KeyOwnerCandidate = Pick<ItemOf<Res<'/api/v1/members', 'get'>>, 'userId' | 'name' | 'email'>;

/** "Move to…": gives a key to another member, so it keeps working when its member leaves. */
export function MoveApiKeyDialog({
  orgId,
  apiKey,
  members,
  onClose,
}: {
  orgId: string;
  /** The key to move; the dialog is open while set. */
  apiKey: ApiKey | undefined;
  members: KeyOwnerCandidate[];
  onClose: () => void;
}) {
  const move = useMoveApiKey(orgId);
  const [ownerId, setOwnerId] = React.useState<string>();
  const [error, setError] = React.useState<string>();
  const [formError, setFormError] = React.useState<string>();
  const candidates = members.filter((m) => m.userId !== apiKey?.ownerId);
  const owner = apiKey?.createdByName;

  // A fresh choice each time the dialog opens for a key.
  const keyId = apiKey?.id;
  React.useEffect(() => {
    if (keyId === undefined) return;
    setOwnerId(undefined);
    setError(undefined);
    setFormError(undefined);
  }, [keyId]);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!apiKey) return;
    const to = candidates.find((m) => m.userId === ownerId);
    if (!to) {
      setError('Choose the member the key should belong to.');
      return;
    }
    setError(undefined);
    setFormError(undefined);
    move.mutate(
      { id: apiKey.id, ownerId: to.userId },
      {
        onSuccess: () => {
          toast.success(`Key “${apiKey.name}” now belongs to ${to.name}`);
          onClose();
        },
        onError: (e) => {
          const field = e instanceof ApiError ? e.fieldErrors().ownerId : undefined;
          if (field) setError(field);
          else setFormError(errorMessage(e));
        },
      },
    );
  };

  return (
    <Dialog
      open={apiKey !== undefined}
      onOpenChange={(open) => (open || move.isPending ? undefined : onClose())}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Move “{apiKey?.name ?? ''}” to another member</DialogTitle>
          <DialogDescription>
            A key works only while the member it belongs to is in the organisation.{' '}
            {owner
              ? `It belongs to ${owner}: move it to someone who stays, so it keeps working when ${owner} leaves.`
              : 'Move it to a member to make it work again.'}
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          {candidates.length === 0 ? (
            <Alert variant="info">There is no other member to move it to. Invite someone first.</Alert>
          ) : (
            <FormField
              id="api-key-owner"
              label="New member"
              error={error}
              hint="Whatever uses the key keeps working; it acts with the key’s access, not the member’s role."
            >
              <Select
                value={ownerId ?? ''}
                onValueChange={(value) => {
                  setOwnerId(value);
                  setError(undefined);
                }}
              >
                <SelectTrigger id="api-key-owner">
                  <SelectValue placeholder="Choose a member" />
                </SelectTrigger>
                <SelectContent>
                  {candidates.map((m) => (
                    <SelectItem key={m.userId} value={m.userId} description={m.email}>
                      {m.name || m.email}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </FormField>
          )}
          <DialogFooter>
            <Button variant="secondary" onClick={onClose} disabled={move.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={move.isPending} disabled={candidates.length === 0}>
              Move key
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
