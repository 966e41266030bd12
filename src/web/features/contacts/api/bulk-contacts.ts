import { useMutation } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';

type BulkInput = Body<'/api/v1/contacts/bulk', 'post'>;

/** `{ ids }`, or `{ filter?, search?, segmentId?, all? }`. */
export type BulkSelection = BulkInput['selection'];

export { selectsEverything } from '@common/filters';

export type BulkAction = BulkInput['action'];

/** 200 `{ operationId: null, affected }` when done inline; 202 `{ operationId, affected: null }` when queued. */
export type BulkResult = Res<'/api/v1/contacts/bulk', 'post'>;

export const bulkContacts = (input: BulkInput) => api.post<BulkResult>('/api/v1/contacts/bulk', input);

/** POST /api/v1/contacts/bulk. The caller refreshes lists when the work is done (see useBulkOperation). */
export function useBulkContacts() {
  return useMutation({ mutationFn: bulkContacts });
}
