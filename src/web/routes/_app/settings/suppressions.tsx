import { createFileRoute } from '@tanstack/react-router';
import { SuppressionsSettings } from '@/features/suppressions/components/suppressions-settings';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/suppressions')({
  component: SuppressionsPage,
});

function SuppressionsPage() {
  useDocumentTitle('Suppressions');
  return <SuppressionsSettings />;
}
