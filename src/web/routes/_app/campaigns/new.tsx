import { createFileRoute } from '@tanstack/react-router';
import { CampaignWizard } from '@/features/campaigns/components/campaign-wizard';
import { useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/campaigns/new')({
  staticData: { wide: true },
  component: NewCampaignPage,
});

/** The wizard's first step; the first choice creates the draft and moves to /campaigns/$id. */
function NewCampaignPage() {
  useDocumentTitle('New campaign');
  return (
    <CampaignWizard
      orgId={useMe().activeOrganization!.id}
      campaign={undefined}
      step="audience"
      onStepChange={() => undefined}
    />
  );
}
