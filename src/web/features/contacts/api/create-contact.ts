import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { contactsKey } from './types';

export const createContact = (input: Body<'/api/v1/contacts', 'post'>) =>
  api.post<Res<'/api/v1/contacts', 'post'>>('/api/v1/contacts', input);

/** POST /api/v1/contacts — 409 DUPLICATE_EMAIL with `details.contactId` when the address is taken. */
export function useCreateContact(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createContact,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactsKey(orgId) }),
  });
}
