import { createFileRoute } from '@tanstack/react-router';
import { useFields } from '@/features/custom-fields/api/list-fields';
import { TemplateEditor } from '@/features/templates/components/template-editor';
import { useMe } from '@/lib/session';

export const Route = createFileRoute('/_app/templates/new')({
  staticData: { wide: true },
  component: NewTemplatePage,
});

function NewTemplatePage() {
  const orgId = useMe().activeOrganization!.id;
  const fields = useFields(orgId, 'contact');
  return <TemplateEditor orgId={orgId} customFields={fields.data ?? []} />;
}
