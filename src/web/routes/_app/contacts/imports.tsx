import { createFileRoute } from '@tanstack/react-router';
import { ImportsHistory } from '@/features/imports/components/imports-history';
import { useCan } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

/** /contacts/imports: the organisation's import history. */
export const Route = createFileRoute('/_app/contacts/imports')({
  component: ImportsPage,
});

function ImportsPage() {
  useDocumentTitle('Import history');
  return <ImportsHistory canWrite={useCan('contacts:write')} />;
}
