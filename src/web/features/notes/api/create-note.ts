import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Note, type NoteTarget, notesPath, notesQueryKey } from './list-notes';

/** POST /api/v1/contacts/{id}/notes or /api/v1/companies/{id}/notes */
export function useCreateNote(orgId: string, target: NoteTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (
      input: Body<'/api/v1/contacts/{id}/notes', 'post'> & Body<'/api/v1/companies/{id}/notes', 'post'>,
    ) => api.post<Note>(notesPath(target), input),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notesQueryKey(orgId, target) }),
  });
}
