import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Body } from '@/lib/api';
import { type Import, importKey } from './types';

export type FormatOverride = Body<'/api/v1/imports/{id}/format', 'post'> & { id: string };

export const overrideFormat = ({ id, ...body }: FormatOverride) =>
  api.post<Import>(`/api/v1/imports/${encodeURIComponent(id)}/format`, body);

/** POST /api/v1/imports/{id}/format: re-reads the file with another encoding or delimiter (fresh preview and suggestions). */
export function useOverrideFormat(orgId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: overrideFormat,
    onSuccess: (imp) => queryClient.setQueryData(importKey(orgId, imp.id), imp),
  });
}
