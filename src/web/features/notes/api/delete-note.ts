import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type NoteTarget, notesQueryKey } from './list-notes';

export const deleteNote = ({ id }: { id: string }) => api.delete(`/api/v1/notes/${encodeURIComponent(id)}`);

/** DELETE /api/v1/notes/{id} */
export function useDeleteNote(orgId: string, target: NoteTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteNote,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notesQueryKey(orgId, target) }),
  });
}
