import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';
import type { DryRun } from './types';

export interface DryRunInput {
  id: string;
  contactId: string;
  event?: { type: string; data: Record<string, unknown> };
}

export const dryRun = ({ id, ...body }: DryRunInput) =>
  api.post<DryRun>(`/api/v1/automations/${encodeURIComponent(id)}/dry-run`, body);

/** POST /api/v1/automations/{id}/dry-run: the path a contact would take, without side effects. */
export function useDryRun() {
  return useMutation({ mutationFn: dryRun });
}
