import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Import, importKey, importsKey } from './types';

export type StartImportInput = Body<'/api/v1/imports/{id}/start', 'post'> & { id: string };

export const startImport = ({ id, ...body }: StartImportInput) =>
  api.post<Import>(`/api/v1/imports/${encodeURIComponent(id)}/start`, body);

/**
 * POST /api/v1/imports/{id}/start → the import, queued. 400 VALIDATION_FAILED names the column at fault
 * (`details.issues[].path = ['mapping', index]`). A finished dry run can be started again.
 */
export function useStartImport(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startImport,
    onSuccess: (imp) => {
      queryClient.setQueryData(importKey(orgId, imp.id), imp);
      void queryClient.invalidateQueries({ queryKey: importsKey(orgId), exact: true });
    },
  });
}
