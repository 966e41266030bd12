import { assignableRoles, type Role } from '@common/permissions';
import { UserPlus } from 'lucide-react';
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
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { ApiError, errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useCreateInvitation } from '../api/create-invitation';
import { RoleSelect } from './role-select';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function InviteForm({ onDone }: { onDone: () => void }) {
  const me = useMe();
  const org = me.activeOrganization!;
  const roles = assignableRoles(org.role);
  const create = useCreateInvitation(org.id);
  const [email, setEmail] = React.useState('');
  const [role, setRole] = React.useState<Role>(
    roles.includes('member') ? 'member' : (roles[roles.length - 1] ?? 'viewer'),
  );
  const [errors, setErrors] = React.useState<{ email?: string; role?: string }>({});
  const [formError, setFormError] = React.useState<string>();

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(undefined);
    const address = email.trim();
    if (!address || !EMAIL_RE.test(address)) {
      setErrors({ email: address ? 'Enter a valid email address.' : 'Enter the email address to invite.' });
      document.getElementById('invite-email')?.focus();
      return;
    }
    setErrors({});
    create.mutate(
      { email: address, role },
      {
        onSuccess: () => {
          toast.success('Invitation sent', {
            description: `${address} will receive an email to join ${org.name}.`,
          });
          onDone();
        },
        onError: (error) => {
          if (error instanceof ApiError) {
            const fields = error.fieldErrors();
            if (fields.email || fields.role) {
              setErrors({ email: fields.email, role: fields.role });
              return;
            }
            // Already a member / already invited: that is about the address.
            if (error.status === 409) {
              setErrors({ email: error.message });
              return;
            }
          }
          setFormError(errorMessage(error));
        },
      },
    );
  };

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-5">
      {formError ? <Alert variant="error">{formError}</Alert> : null}
      <FormField id="invite-email" label="Email address" error={errors.email}>
        <Input
          name="email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="teammate@company.com"
        />
      </FormField>
      <FormField id="invite-role" label="Role" error={errors.role}>
        <RoleSelect value={role} roles={roles} onValueChange={setRole} withDescriptions />
      </FormField>
      <DialogFooter>
        <Button variant="secondary" onClick={onDone} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" loading={create.isPending}>
          Send invitation
        </Button>
      </DialogFooter>
    </form>
  );
}

/** "Invite member": only rendered for users holding members:invite. */
export function InviteMemberDialog() {
  const me = useMe();
  const [open, setOpen] = React.useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button>
          <UserPlus aria-hidden="true" />
          Invite member
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Invite a teammate</DialogTitle>
          <DialogDescription>
            They will get an email with a link to join {me.activeOrganization?.name}. The link is valid for a
            limited time.
          </DialogDescription>
        </DialogHeader>
        {open ? <InviteForm onDone={() => setOpen(false)} /> : null}
      </DialogContent>
    </Dialog>
  );
}
