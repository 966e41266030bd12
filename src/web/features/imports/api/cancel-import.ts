import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Import, importKey, importsKey } from './types';

export const cancelImport = (id: string) =>
  api.post<Import>(`/api/v1/imports/${encodeURIComponent(id)}/cancel`);

/** POST /api/v1/imports/{id}/cancel: stops the import; rows already committed stay. */
export function useCancelImport(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelImport,
    onSuccess: (imp) => {
      queryClient.setQueryData(importKey(orgId, imp.id), imp);
      void queryClient.invalidateQueries({ queryKey: importsKey(orgId), exact: true });
    },
  });
}
