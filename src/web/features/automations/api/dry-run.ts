import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';
import type { DryRun, DryRunBody } from './types';

export type DryRunInput = DryRunBody & { id: string };

export const dryRun = ({ id, ...body }: DryRunInput) =>
  api.post<DryRun>(`/api/v1/automations/${encodeURIComponent(id)}/dry-run`, body);

/** POST /api/v1/automations/{id}/dry-run: the path a contact would take, without side effects. */
export function useDryRun() {
  return useMutation({ mutationFn: dryRun });
}
