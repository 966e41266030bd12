import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Contact, type ContactInput, contactDetailKey, contactsKey } from './types';

export const updateContact = ({ id, ...input }: ContactInput & { id: string }) =>
  api.patch<Contact>(`/api/v1/contacts/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/contacts/{id} (partial). The answer replaces the cached contact; lists and the timeline refresh. */
export function useUpdateContact(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateContact,
    onSuccess: (contact) => {
      queryClient.setQueryData(contactDetailKey(orgId, contact.id), contact);
      void queryClient.invalidateQueries({ queryKey: contactDetailKey(orgId, contact.id) });
      void queryClient.invalidateQueries({ queryKey: [...contactsKey(orgId), 'search'] });
      void queryClient.invalidateQueries({ queryKey: [...contactsKey(orgId), 'list'] });
    },
  });
}
