import { createFileRoute, Link } from '@tanstack/react-router';
import { Users } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { useCan } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/contacts')({
  component: ContactsPage,
});

function ContactsPage() {
  useDocumentTitle('Contacts');
  const canInvite = useCan('members:invite');
  return (
    <div className="grid gap-8">
      <PageHeader title="Contacts" description="The people and companies you keep in touch with." />
      <EmptyState
        icon={Users}
        title="No contacts yet"
        description="Contacts you add or import will appear here, with their history, tags and consent. Contact management arrives in an upcoming release."
        actions={
          canInvite ? (
            <Button asChild variant="secondary">
              <Link to="/settings/members">Invite your team</Link>
            </Button>
          ) : null
        }
      />
    </div>
  );
}
