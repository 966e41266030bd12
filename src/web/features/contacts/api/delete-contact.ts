import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { contactDetailKey, contactsKey } from './types';

export const deleteContact = ({ id }: { id: string }) =>
  api.delete(`/api/v1/contacts/${encodeURIComponent(id)}`);

/** DELETE /api/v1/contacts/{id} */
export function useDeleteContact(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteContact,
    onSuccess: (_data, { id }) => {
      queryClient.removeQueries({ queryKey: contactDetailKey(orgId, id) });
      void queryClient.invalidateQueries({ queryKey: contactsKey(orgId) });
    },
  });
}
