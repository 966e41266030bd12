import type { AutomationStatus, RunState } from '@common/automations';
import { Badge } from '@/components/ui/badge';
import { RUN_STATE_LABELS, RUN_STATE_VARIANTS, STATUS_LABELS, STATUS_VARIANTS } from '../lib/labels';

export function AutomationStatusBadge({ status }: { status: AutomationStatus }) {
  return (
    <Badge variant={STATUS_VARIANTS[status]} data-testid="automation-status">
      {STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function RunStateBadge({ state }: { state: RunState }) {
  return (
    <Badge variant={RUN_STATE_VARIANTS[state] ?? 'neutral'} data-testid="run-state">
      {RUN_STATE_LABELS[state] ?? state}
    </Badge>
  );
}
