import { Building2, MailOpen } from 'lucide-react';
import { toast } from 'sonner';
import { AuthCard } from '@/components/layout/auth-card';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { useMe } from '@/lib/session';
import { useSetActiveOrganization } from '../api/set-active-organization';
import { CreateOrganizationForm } from './create-organization-form';

/** Shown instead of the app when the user has no active organization yet. */
export function NoOrganization() {
  const me = useMe();
  const setActive = useSetActiveOrganization();
  const firstName = me.user.name.split(' ')[0] || me.user.name;

  if (me.organizations.length > 0) {
    return (
      <AuthCard
        title="Choose an organisation"
        description="Pick the organisation you want to work in. You can switch at any time from the sidebar."
      >
        <ul className="grid gap-2">
          {me.organizations.map((org) => (
            <li key={org.id}>
              <Button
                variant="secondary"
                size="lg"
                className="h-12 w-full justify-start"
                disabled={setActive.isPending}
                onClick={() =>
                  setActive.mutate(
                    { organizationId: org.id },
                    {
                      onError: (error) =>
                        toast.error('Could not open organisation', { description: errorMessage(error) }),
                    },
                  )
                }
              >
                <Avatar name={org.name} size="sm" square />
                <span className="flex-1 truncate text-left">{org.name}</span>
                <span className="text-xs text-muted-foreground">{roleLabel(org.role)}</span>
              </Button>
            </li>
          ))}
        </ul>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      icon={
        <div className="flex size-10 items-center justify-center rounded-lg bg-accent-subtle">
          <Building2 aria-hidden="true" className="size-5 text-accent" />
        </div>
      }
      title={
        me.removedFrom ? `You are no longer a member of ${me.removedFrom.name}` : `Welcome, ${firstName}`
      }
      description={
        me.removedFrom
          ? 'Create an organisation of your own, or open an invitation from your email.'
          : 'Create your organisation to start. Your contacts, campaigns and teammates live inside it.'
      }
      footer={
        <span className="inline-flex items-start gap-2 text-left">
          <MailOpen aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
          <span>Joining a team instead? Open the invitation link from your email.</span>
        </span>
      }
    >
      <CreateOrganizationForm
        fullWidth
        submitLabel="Create organisation"
        onCreated={(organization) => toast.success(`Welcome to ${organization.name}`)}
      />
    </AuthCard>
  );
}
