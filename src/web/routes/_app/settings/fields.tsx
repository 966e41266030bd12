import type { FieldEntity } from '@common/contacts';
import { createFileRoute, useNavigate } from '@tanstack/react-router';
import { CustomFieldsSettings } from '@/features/custom-fields/components/custom-fields-settings';
import { useDocumentTitle } from '@/lib/use-document-title';

export const Route = createFileRoute('/_app/settings/fields')({
  validateSearch: (search: Record<string, unknown>): { entity?: FieldEntity } => ({
    entity: search.entity === 'company' ? 'company' : undefined,
  }),
  component: FieldsPage,
});

function FieldsPage() {
  useDocumentTitle('Custom fields');
  const { entity } = Route.useSearch();
  const navigate = useNavigate();
  return (
    <CustomFieldsSettings
      entity={entity ?? 'contact'}
      onEntityChange={(next) =>
        void navigate({
          to: '/settings/fields',
          search: { entity: next === 'company' ? 'company' : undefined },
          replace: true,
        })
      }
    />
  );
}
