import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { toast } from 'sonner';
import { useSignOut } from '@/features/auth/api/sign-out';
import { InvitationView } from '@/features/invitations/components/invitation-view';
import { errorMessage } from '@/lib/api';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_auth/invitations/$id')({
  component: InvitationPage,
});

function InvitationPage() {
  useDocumentTitle('Invitation');
  const { id } = Route.useParams();
  const navigate = Route.useNavigate();
  const queryClient = useQueryClient();
  const signOut = useSignOut();

  const onSwitchAccount = () =>
    signOut.mutate(undefined, {
      onSuccess: async () => {
        queryClient.clear();
        await navigate({ to: '/sign-in', search: { redirect: `/invitations/${id}` } });
      },
      onError: (error) => toast.error('Could not sign out', { description: errorMessage(error) }),
    });

  return <InvitationView id={id} onSwitchAccount={onSwitchAccount} switchingAccount={signOut.isPending} />;
}
