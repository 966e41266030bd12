import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Res } from '@/lib/api';
import { type ExportInput, exportKey, exportsKey } from './types';

export const createExport = (input: ExportInput) =>
  api.post<Res<'/api/v1/exports', 'post'>>('/api/v1/exports', input);

/**
 * POST /api/v1/exports → 202 with the export, queued. Contacts CSV for anyone who may read contacts;
 * the organisation zip for owners (org:export).
 */
export function useCreateExport(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createExport,
    onSuccess: (exp) => {
      queryClient.setQueryData(exportKey(orgId, exp.id), exp);
      void queryClient.invalidateQueries({ queryKey: exportsKey(orgId), exact: true });
    },
  });
}
