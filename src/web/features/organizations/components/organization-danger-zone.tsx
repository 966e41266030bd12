import { useNavigate } from '@tanstack/react-router';
import { LogOut, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
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
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { errorMessage } from '@/lib/api';
import { useCan, useMe } from '@/lib/session';
import { useDeleteOrganization } from '../api/delete-organization';
import { useLeaveOrganization } from '../api/leave-organization';

/** Asks for the organisation's name before deleting it and everything in it. */
function DeleteOrganizationDialog({
  open,
  onOpenChange,
  organization,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  organization: { id: string; name: string };
}) {
  const remove = useDeleteOrganization();
  const navigate = useNavigate();
  const [typed, setTyped] = React.useState('');
  const [error, setError] = React.useState<string>();
  const matches = typed.trim() === organization.name;

  React.useEffect(() => {
    if (!open) {
      setTyped('');
      setError(undefined);
    }
  }, [open]);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!matches) {
      setError('Type the organisation’s name exactly as shown.');
      return;
    }
    remove.mutate(
      { id: organization.id, confirm: typed.trim() },
      {
        onSuccess: async () => {
          toast.success(`${organization.name} was deleted`);
          onOpenChange(false);
          await navigate({ to: '/contacts' });
        },
        onError: (e) => setError(errorMessage(e)),
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={(next) => (remove.isPending ? undefined : onOpenChange(next))}>
      <DialogContent role="alertdialog">
        <DialogHeader>
          <DialogTitle>Delete {organization.name}?</DialogTitle>
          <DialogDescription>
            Its contacts, companies, notes, segments, imports, exports, API keys and memberships are deleted
            for everyone, at once. This cannot be undone.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-5">
          <FormField
            id="delete-organization-name"
            label={
              <>
                Type <strong className="font-semibold">{organization.name}</strong> to confirm
              </>
            }
            error={error}
          >
            <Input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </FormField>
          <DialogFooter>
            <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant="destructive" loading={remove.isPending} disabled={!matches}>
              Delete organisation
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/**
 * Leave the active organisation (anyone; not its only owner) and delete it (owners). `soleOwner`
 * comes from the route, which knows the members.
 */
export function OrganizationDangerZone({ soleOwner }: { soleOwner: boolean }) {
  const me = useMe();
  const org = me.activeOrganization!;
  const canDelete = useCan('org:delete');
  const leave = useLeaveOrganization();
  const navigate = useNavigate();
  const [leaving, setLeaving] = React.useState(false);
  const [deleting, setDeleting] = React.useState(false);
  const [leaveError, setLeaveError] = React.useState<string>();

  const onLeave = () =>
    leave.mutate(
      { id: org.id },
      {
        onSuccess: async () => {
          toast.success(`You left ${org.name}`);
          setLeaving(false);
          await navigate({ to: '/contacts' });
        },
        onError: (e) => {
          setLeaving(false);
          setLeaveError(errorMessage(e));
        },
      },
    );

  return (
    <Card className="border-destructive/30" data-testid="danger-zone">
      <CardHeader>
        <CardTitle>Leave or delete</CardTitle>
        <CardDescription>
          {canDelete
            ? 'Leave this organisation, or delete it with everything in it.'
            : 'Leave this organisation. You can join again if someone invites you.'}
        </CardDescription>
      </CardHeader>
      {leaveError ? (
        <div className="px-6 pb-4">
          <Alert variant="error">{leaveError}</Alert>
        </div>
      ) : null}
      <CardFooter className="flex flex-wrap gap-3">
        <DisabledHint
          reason={
            soleOwner &&
            'You are the only owner: make another member owner first (Settings › Members), or delete the organisation.'
          }
          align="start"
        >
          <Button variant="secondary" onClick={() => setLeaving(true)} disabled={soleOwner}>
            <LogOut aria-hidden="true" />
            Leave organisation
          </Button>
        </DisabledHint>
        {canDelete ? (
          <Button variant="destructive" onClick={() => setDeleting(true)}>
            <Trash2 aria-hidden="true" />
            Delete organisation
          </Button>
        ) : null}
      </CardFooter>
      <ConfirmDialog
        open={leaving}
        onOpenChange={setLeaving}
        title={`Leave ${org.name}?`}
        description="You lose access to its contacts and settings at once. To come back, someone has to invite you again."
        confirmLabel="Leave organisation"
        onConfirm={onLeave}
        pending={leave.isPending}
      />
      <DeleteOrganizationDialog open={deleting} onOpenChange={setDeleting} organization={org} />
    </Card>
  );
}
