import { createFileRoute } from '@tanstack/react-router';
import { SendingSettings } from '@/features/sending/components/sending-settings';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/sending')({
  component: SendingPage,
});

function SendingPage() {
  useDocumentTitle('Sending');
  return <SendingSettings />;
}
