import { createFileRoute } from '@tanstack/react-router';
import { SecurityPage } from '@/features/account/components/security-page';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/security')({
  component: AccountSecurityPage,
});

function AccountSecurityPage() {
  useDocumentTitle('Account security');
  return <SecurityPage />;
}
