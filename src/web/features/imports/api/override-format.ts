import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { type Delimiter, type Encoding, type Import, importKey } from './types';

export interface FormatOverride {
  id: string;
  encoding?: Encoding;
  delimiter?: Delimiter;
}

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
