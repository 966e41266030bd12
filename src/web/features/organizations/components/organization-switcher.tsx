import { useRouter } from '@tanstack/react-router';
import { Check, ChevronsUpDown, Plus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Avatar } from '@/components/ui/avatar';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/api';
import { roleLabel } from '@/lib/roles';
import { useMe } from '@/lib/session';
import { useSetActiveOrganization } from '../api/set-active-organization';
import { CreateOrganizationDialog } from './create-organization-dialog';

/** The organization picker at the top of the sidebar: switch organization or create one. */
export function OrganizationSwitcher() {
  const me = useMe();
  const active = me.activeOrganization;
  const setActive = useSetActiveOrganization();
  const router = useRouter();
  const [createOpen, setCreateOpen] = React.useState(false);

  const onSwitch = async (organizationId: string, name: string) => {
    if (organizationId === active?.id) return;
    // A record, segment or filter of this organisation means nothing in the next one: go to the list first.
    const { pathname, searchStr } = router.state.location;
    const section = /^\/(contacts|companies)(\/|$)/.exec(pathname)?.[1] as
      | 'contacts'
      | 'companies'
      | undefined;
    if (section && (pathname !== `/${section}` || searchStr)) {
      await router.navigate({ to: section === 'contacts' ? '/contacts' : '/companies' });
    }
    setActive.mutate(
      { organizationId },
      {
        onSuccess: () => toast.success(`Switched to ${name}`),
        onError: (error) =>
          toast.error('Could not switch organisation', { description: errorMessage(error) }),
      },
    );
  };

  return (
    <>
      {/* Not modal, so the Create dialog can take focus as the menu closes. */}
      <DropdownMenu modal={false}>
        <DropdownMenuTrigger
          data-testid="org-switcher"
          aria-label={active ? `Organisation: ${active.name}. Switch organisation` : 'Choose an organisation'}
          className="flex w-full items-center gap-2.5 rounded-md border border-border bg-background p-1.5 text-left shadow-xs outline-none hover:bg-muted/60 focus-visible:ring-2 focus-visible:ring-ring"
        >
          <Avatar name={active?.name ?? '?'} square />
          <span className="grid min-w-0 flex-1 leading-tight">
            <span className="truncate text-sm font-semibold">{active?.name ?? 'No organisation'}</span>
            <span className="truncate text-xs text-muted-foreground">
              {active ? roleLabel(active.role) : 'Choose or create one'}
            </span>
          </span>
          {setActive.isPending ? (
            <Spinner className="text-muted-foreground" label="Switching organisation" />
          ) : (
            <ChevronsUpDown aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
          )}
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-(--radix-dropdown-menu-trigger-width) min-w-60">
          <DropdownMenuLabel>Organisations</DropdownMenuLabel>
          {me.organizations.map((org) => {
            const isActive = org.id === active?.id;
            return (
              <DropdownMenuItem
                key={org.id}
                onSelect={() => void onSwitch(org.id, org.name)}
                aria-current={isActive ? 'true' : undefined}
              >
                <Avatar name={org.name} size="sm" square />
                <span className="min-w-0 flex-1 truncate">{org.name}</span>
                {isActive ? <Check aria-label="Active" className="text-accent!" /> : null}
              </DropdownMenuItem>
            );
          })}
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setCreateOpen(true)}>
            <Plus aria-hidden="true" />
            Create organisation
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <CreateOrganizationDialog open={createOpen} onOpenChange={setCreateOpen} />
    </>
  );
}
