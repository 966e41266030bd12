import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Outlet } from '@tanstack/react-router';
import * as React from 'react';
import { createCompany } from '@/features/companies/api/create-company';
import { deleteCompany } from '@/features/companies/api/delete-company';
import { companiesKey } from '@/features/companies/api/types';
import { CompanyPicker } from '@/features/companies/components/company-picker';
import { type ContactsEnv, ContactsEnvProvider } from '@/features/contacts/components/contacts-env';
import { fieldsQueryOptions, useFields } from '@/features/custom-fields/api/list-fields';
import { membersQueryOptions, useMembers } from '@/features/members/api/list-members';
import { segmentsQueryKey } from '@/features/segments/api/list-segments';
import { tagsQueryKey, tagsQueryOptions, useTags } from '@/features/tags/api/list-tags';
import { useMe } from '@/lib/session';

/**
 * Layout of the contacts screens: composes what they need from other features (tags, members,
 * custom fields, the company picker) into the contacts feature's environment.
 */
export const Route = createFileRoute('/_app/contacts')({
  staticData: { wide: true },
  loader: ({ context }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) {
      void context.queryClient.prefetchQuery(tagsQueryOptions(orgId));
      void context.queryClient.prefetchQuery(membersQueryOptions(orgId));
      void context.queryClient.prefetchQuery(fieldsQueryOptions(orgId, 'contact'));
    }
  },
  component: ContactsLayout,
});

const NONE: never[] = [];

function ContactsLayout() {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const queryClient = useQueryClient();
  const tags = useTags(orgId);
  const members = useMembers(orgId);
  const fields = useFields(orgId, 'contact');

  const onContactsChanged = React.useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: tagsQueryKey(orgId) });
    void queryClient.invalidateQueries({ queryKey: segmentsQueryKey(orgId) });
  }, [queryClient, orgId]);

  const companyActions = React.useMemo(
    () => ({
      createCompany: async (name: string) => {
        const company = await createCompany({ name });
        void queryClient.invalidateQueries({ queryKey: companiesKey(orgId) });
        return { id: company.id, name: company.name };
      },
      deleteCompany: async (id: string) => {
        await deleteCompany({ id });
        void queryClient.invalidateQueries({ queryKey: companiesKey(orgId) });
      },
    }),
    [queryClient, orgId],
  );

  const env = React.useMemo<ContactsEnv>(
    () => ({
      tags: tags.data ?? NONE,
      members: members.data ?? NONE,
      fields: fields.data ?? NONE,
      CompanyPicker,
      ...companyActions,
      onContactsChanged,
    }),
    [tags.data, members.data, fields.data, companyActions, onContactsChanged],
  );

  return (
    <ContactsEnvProvider value={env}>
      <Outlet />
    </ContactsEnvProvider>
  );
}
