import type { FilterNode } from '@common/filters';
import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';

export type BulkSelection =
  | { ids: string[] }
  | { filter?: FilterNode; search?: string; segmentId?: string; all?: true };

/** True when nothing narrows the selection: it would act on every contact (needs `all: true`). */
export function selectsEverything(selection: BulkSelection): boolean {
  if ('ids' in selection) return false;
  const hasCondition = (node: FilterNode | undefined): boolean => {
    if (!node) return false;
    if ('and' in node) return node.and.some(hasCondition);
    if ('or' in node) return node.or.some(hasCondition);
    return true;
  };
  return !hasCondition(selection.filter) && !selection.search?.trim() && !selection.segmentId;
}

export type BulkAction =
  | { type: 'add_tags' | 'remove_tags'; tags: string[] }
  | { type: 'set_field'; field: string; value: unknown }
  | { type: 'set_owner'; ownerId: string | null }
  | { type: 'delete' };

/** 200 `{ operationId: null, affected }` when done inline; 202 `{ operationId }` when queued. */
export interface BulkResult {
  operationId: string | null;
  affected?: number;
}

export const bulkContacts = (input: { selection: BulkSelection; action: BulkAction }) =>
  api.post<BulkResult>('/api/v1/contacts/bulk', input);

/** POST /api/v1/contacts/bulk. The caller refreshes lists when the work is done (see useBulkOperation). */
export function useBulkContacts() {
  return useMutation({ mutationFn: bulkContacts });
}
