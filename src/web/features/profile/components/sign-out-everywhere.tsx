import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { LogOut } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { errorMessage } from '@/lib/api';
import { useRevokeSessions } from '../api/revoke-sessions';

export function SignOutEverywhere() {
  const revoke = useRevokeSessions();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = React.useState(false);

  const onConfirm = () =>
    revoke.mutate(undefined, {
      onSuccess: async () => {
        setOpen(false);
        await navigate({ to: '/sign-in' });
        queryClient.clear();
        toast.success('Signed out everywhere', { description: 'Sign in again to continue.' });
      },
      onError: (error) => toast.error('Could not sign out everywhere', { description: errorMessage(error) }),
    });

  return (
    <Card className="border-red-200">
      <div className="flex flex-wrap items-center justify-between gap-4 p-6">
        <CardHeader className="p-0">
          <CardTitle>Sign out everywhere</CardTitle>
          <CardDescription>
            Ends every session of your account, on all devices and in this browser. Use it if a device was
            lost.
          </CardDescription>
        </CardHeader>
        <Button variant="secondary" className="text-destructive" onClick={() => setOpen(true)}>
          <LogOut aria-hidden="true" />
          Sign out everywhere
        </Button>
      </div>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Sign out of all devices?"
        description="Every session of your account ends now, including this one. You will need to sign in again."
        confirmLabel="Sign out everywhere"
        onConfirm={onConfirm}
        pending={revoke.isPending}
      />
    </Card>
  );
}
