import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute, useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { contactsKey } from '@/features/contacts/api/types';
import { useContactsEnv } from '@/features/contacts/components/contacts-env';
import { fieldsQueryKey } from '@/features/custom-fields/api/list-fields';
import { ImportWizard } from '@/features/imports/components/import-wizard';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /contacts/import?id=…: the CSV import wizard; the id of the import in progress is in the URL. */
export const Route = createFileRoute('/_app/contacts/import')({
  validateSearch: (search: Record<string, unknown>): { id?: string } => ({
    id: typeof search.id === 'string' && UUID.test(search.id) ? search.id : undefined,
  }),
  component: ImportPage,
});

function ImportPage() {
  useDocumentTitle('Import contacts');
  const { id } = Route.useSearch();
  const navigate = useNavigate();
  const orgId = useMe().activeOrganization!.id;
  const canWrite = useCan('contacts:write');
  const env = useContactsEnv();
  const queryClient = useQueryClient();

  const onFinished = React.useCallback(() => {
    // New contacts, tags (counts), segments (counts) and perhaps new custom fields.
    void queryClient.invalidateQueries({ queryKey: contactsKey(orgId) });
    void queryClient.invalidateQueries({ queryKey: fieldsQueryKey(orgId) });
    env.onContactsChanged();
  }, [queryClient, orgId, env]);

  return (
    <ImportWizard
      importId={id}
      onImportIdChange={(next) => void navigate({ to: '/contacts/import', search: { id: next } })}
      fields={env.fields}
      canWrite={canWrite}
      onFinished={onFinished}
    />
  );
}
