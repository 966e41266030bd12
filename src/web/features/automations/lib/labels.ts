import type { AutomationStatus, RunState } from '@common/automations';
import type { BadgeProps } from '@/components/ui/badge';

export const STATUS_LABELS: Record<AutomationStatus, string> = {
  draft: 'Draft',
  active: 'Active',
  paused: 'Paused',
};
export const STATUS_VARIANTS: Record<AutomationStatus, NonNullable<BadgeProps['variant']>> = {
  draft: 'neutral',
  active: 'success',
  paused: 'warning',
};

export const RUN_STATE_LABELS: Record<RunState, string> = {
  active: 'Active',
  waiting: 'Waiting',
  completed: 'Completed',
  exited: 'Exited',
  failed: 'Failed',
  canceled: 'Canceled',
};
export const RUN_STATE_VARIANTS: Record<RunState, NonNullable<BadgeProps['variant']>> = {
  active: 'accent',
  waiting: 'warning',
  completed: 'success',
  exited: 'neutral',
  failed: 'destructive',
  canceled: 'outline',
};

/** Step ledger states (done, waiting, running, failed, skipped …). */
export const STEP_STATE_VARIANTS: Record<string, NonNullable<BadgeProps['variant']>> = {
  done: 'success',
  completed: 'success',
  waiting: 'warning',
  running: 'accent',
  failed: 'destructive',
  skipped: 'outline',
};
