import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { ChevronsUpDown, LogOut, UserRound } from 'lucide-react';
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
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useSignOut } from '../api/sign-out';

/** The account button at the foot of the sidebar: who is signed in, Profile, Sign out. */
export function UserMenu() {
  const { user } = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const onSignOut = () =>
    signOut.mutate(undefined, {
      onSuccess: async () => {
        await navigate({ to: '/sign-in' });
        queryClient.clear();
      },
      onError: (error) => toast.error('Could not sign out', { description: errorMessage(error) }),
    });

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        aria-label={`Account: ${user.name}`}
        className="flex w-full items-center gap-2.5 rounded-md p-1.5 text-left outline-none hover:bg-zinc-200/60 focus-visible:ring-2 focus-visible:ring-ring data-[state=open]:bg-zinc-200/60"
      >
        <Avatar name={user.name || user.email} />
        <span className="grid min-w-0 flex-1 leading-tight">
          <span className="truncate text-sm font-medium">{user.name}</span>
          <span className="truncate text-xs text-muted-foreground">{user.email}</span>
        </span>
        <ChevronsUpDown aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
      </DropdownMenuTrigger>
      <DropdownMenuContent side="top" align="start" className="w-(--radix-dropdown-menu-trigger-width)">
        <DropdownMenuLabel className="grid font-normal">
          <span className="truncate text-sm font-medium text-foreground">{user.name}</span>
          <span className="truncate">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link to="/settings/profile">
            <UserRound aria-hidden="true" />
            Profile
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem
          disabled={signOut.isPending}
          onSelect={(event) => {
            event.preventDefault();
            onSignOut();
          }}
        >
          <LogOut aria-hidden="true" />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
