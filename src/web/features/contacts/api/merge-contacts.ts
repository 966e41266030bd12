import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Contact, contactDetailKey, contactsKey } from './types';

export type MergePreference = Record<string, 'this' | 'other'>;

export const mergeContacts = ({
  id,
  otherId,
  prefer,
}: {
  id: string;
  otherId: string;
  prefer?: MergePreference;
}) => api.post<Contact>(`/api/v1/contacts/${encodeURIComponent(id)}/merge`, { otherId, prefer });

/** POST /api/v1/contacts/{id}/merge: `id` survives, `otherId` is deleted. */
export function useMergeContacts(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: mergeContacts,
    onSuccess: (contact, { otherId }) => {
      queryClient.setQueryData(contactDetailKey(orgId, contact.id), contact);
      queryClient.removeQueries({ queryKey: contactDetailKey(orgId, otherId) });
      void queryClient.invalidateQueries({ queryKey: contactsKey(orgId) });
    },
  });
}
