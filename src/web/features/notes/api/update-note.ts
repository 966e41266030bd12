import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';
import { type NoteTarget, notesQueryKey } from './list-notes';

export const updateNote = ({ id, ...input }: Body<'/api/v1/notes/{id}', 'patch'> & { id: string }) =>
  api.patch<Res<'/api/v1/notes/{id}', 'patch'>>(`/api/v1/notes/${encodeURIComponent(id)}`, input);

/** PATCH /api/v1/notes/{id} */
export function useUpdateNote(orgId: string, target: NoteTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateNote,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notesQueryKey(orgId, target) }),
  });
}
