import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Contact, type ContactInput, contactsKey } from './types';

export const createContact = (input: ContactInput) => api.post<Contact>('/api/v1/contacts', input);

/** POST /api/v1/contacts — 409 DUPLICATE_EMAIL with `details.contactId` when the address is taken. */
export function useCreateContact(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createContact,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactsKey(orgId) }),
  });
}
