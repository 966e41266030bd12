import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, type ItemOf, type Res } from '@/lib/api';

/** The notes of a contact and of a company have the same shape. */
type NoteList = Res<'/api/v1/contacts/{id}/notes', 'get'> & Res<'/api/v1/companies/{id}/notes', 'get'>;
export type Note = ItemOf<NoteList>;

export type NoteTarget = { type: 'contact' | 'company'; id: string };

export const notesPath = (target: NoteTarget) =>
  `/api/v1/${target.type === 'contact' ? 'contacts' : 'companies'}/${encodeURIComponent(target.id)}/notes`;

export const notesQueryKey = (orgId: string, target: NoteTarget) =>
  ['orgs', orgId, 'notes', target.type, target.id] as const;

export const notesQueryOptions = (orgId: string, target: NoteTarget) =>
  queryOptions({
    queryKey: notesQueryKey(orgId, target),
    queryFn: ({ signal }) => api.get<NoteList>(notesPath(target), { signal }),
    select: (data) => data.items,
  });

/** GET /api/v1/contacts/{id}/notes or /api/v1/companies/{id}/notes */
export function useNotes(orgId: string, target: NoteTarget) {
  return useQuery(notesQueryOptions(orgId, target));
}
