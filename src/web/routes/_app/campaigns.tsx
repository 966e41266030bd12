import { createFileRoute } from '@tanstack/react-router';
import { Mail } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/campaigns')({
  component: CampaignsPage,
});

function CampaignsPage() {
  useDocumentTitle('Campaigns');
  return (
    <div className="grid gap-8">
      <PageHeader title="Campaigns" description="Email campaigns sent to your contacts." />
      <EmptyState
        icon={Mail}
        title="No campaigns yet"
        description="Write, schedule and measure email campaigns to segments of your contacts. Campaigns arrive in an upcoming release."
      />
    </div>
  );
}
