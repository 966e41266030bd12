import { createFileRoute } from '@tanstack/react-router';
import { Workflow } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/automations')({
  component: AutomationsPage,
});

function AutomationsPage() {
  useDocumentTitle('Automations');
  return (
    <div className="grid gap-8">
      <PageHeader title="Automations" description="Workflows that run when something happens to a contact." />
      <EmptyState
        icon={Workflow}
        title="No automations yet"
        description="Welcome series, follow-ups and tag rules will run here on their own. Automations arrive in an upcoming release."
      />
    </div>
  );
}
