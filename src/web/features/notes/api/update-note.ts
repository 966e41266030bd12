import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Note, type NoteTarget, notesQueryKey } from './list-notes';

export const updateNote = ({ id, body }: { id: string; body: string }) =>
  api.patch<Note>(`/api/v1/notes/${encodeURIComponent(id)}`, { body });

/** PATCH /api/v1/notes/{id} */
export function useUpdateNote(orgId: string, target: NoteTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateNote,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notesQueryKey(orgId, target) }),
  });
}
