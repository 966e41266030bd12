import { createFileRoute } from '@tanstack/react-router';
import { TagsSettings } from '@/features/tags/components/tags-settings';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/tags')({
  component: TagsPage,
});

function TagsPage() {
  useDocumentTitle('Tags');
  return <TagsSettings />;
}
