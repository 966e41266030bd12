import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Import, importKey, importsKey } from './types';

export const uploadImport = (file: File) => {
  const form = new FormData();
  form.append('file', file, file.name);
  return api.upload<Import>('/api/v1/imports', form);
};

/**
 * POST /api/v1/imports (multipart, field "file") → 201 with the detected format, headers, preview
 * and suggested mapping. A file that cannot be read answers 400 with a message meant for the user; 413 when too large.
 */
export function useUploadImport(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: uploadImport,
    onSuccess: (imp) => {
      queryClient.setQueryData(importKey(orgId, imp.id), imp);
      void queryClient.invalidateQueries({ queryKey: importsKey(orgId), exact: true });
    },
  });
}
