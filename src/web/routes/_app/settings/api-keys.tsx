import { createFileRoute } from '@tanstack/react-router';
import { ApiKeysSettings } from '@/features/api-keys/components/api-keys-settings';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/api-keys')({
  component: ApiKeysPage,
});

function ApiKeysPage() {
  useDocumentTitle('API keys');
  return <ApiKeysSettings />;
}
