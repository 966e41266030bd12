import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { contactDetailKey, contactsKey } from './types';

/** Per field, which contact's value the merge keeps. */
export type MergePreference = NonNullable<Body<'/api/v1/contacts/{id}/merge', 'post'>['prefer']>;

export const mergeContacts = ({
  id,
  otherId,
  prefer,
}: {
  id: string;
  otherId: string;
  prefer?: MergePreference;
}) =>
  api.post<Res<'/api/v1/contacts/{id}/merge', 'post'>>(`/api/v1/contacts/${encodeURIComponent(id)}/merge`, {
    otherId,
    prefer,
  });

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
