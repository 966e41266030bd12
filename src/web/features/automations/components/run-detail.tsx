import { OPEN_RUN_STATES } from '@common/automations';
import { Link } from '@tanstack/react-router';
import { Ban, RotateCw } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { PageHeader } from '@/components/ui/page-header';
import { errorMessage } from '@/lib/api';
import { useCan, useDisabledReason } from '@/lib/session';
import { formatDateTime } from '@/lib/utils';
import { type RunAction, useRunAction } from '../api/get-run';
import type { RunDetail } from '../api/types';
import { STEP_STATE_VARIANTS } from '../lib/labels';
import { NODE_TYPE_INFO } from '../lib/node-types';
import { RunStateBadge } from './status-badge';

function resultText(result: unknown): string | null {
  if (result === null || result === undefined) return null;
  if (typeof result === 'string') return result;
  try {
    const text = JSON.stringify(result);
    return text === '{}' ? null : text;
  } catch {
    return null;
  }
}

/** One run: the contact, its state and version, and every step taken with outcome, times and errors. */
export function RunDetailView({ orgId, run }: { orgId: string; run: RunDetail }) {
  const canWrite = useCan('automations:write');
  const cannot = useDisabledReason('automations:write', 'cancel or retry runs');
  const act = useRunAction(orgId);
  const [confirmCancel, setConfirmCancel] = React.useState(false);
  const open = OPEN_RUN_STATES.includes(run.state);

  const perform = (action: RunAction) =>
    act.mutate(
      { runId: run.id, action },
      {
        onSuccess: () => {
          setConfirmCancel(false);
          toast.success(action === 'cancel' ? 'Run canceled' : 'Run retried', {
            description: action === 'retry' ? 'The failed step runs again.' : undefined,
          });
        },
        onError: (error) =>
          toast.error(action === 'cancel' ? 'Could not cancel the run' : 'Could not retry the run', {
            description: errorMessage(error),
          }),
      },
    );

  const contactName = run.contact.name || run.contact.email || 'Unnamed contact';
  return (
    <div className="grid gap-6">
      <div className="text-sm text-muted-foreground">
        <Link to="/automations" className="hover:text-foreground hover:underline">
          Automations
        </Link>{' '}
        /{' '}
        <Link
          to="/automations/$id"
          params={{ id: run.automation.id }}
          className="hover:text-foreground hover:underline"
        >
          {run.automation.name}
        </Link>{' '}
        /{' '}
        <Link
          to="/automations/$id/runs"
          params={{ id: run.automation.id }}
          className="hover:text-foreground hover:underline"
        >
          Runs
        </Link>
      </div>
      <PageHeader
        title={`Run of ${contactName}`}
        description={
          <>
            <Link
              to="/contacts/$id"
              params={{ id: run.contact.id }}
              className="font-medium text-foreground underline"
            >
              {contactName}
            </Link>
            {run.contact.email && run.contact.name ? ` · ${run.contact.email}` : ''} · version {run.version} ·
            enrolled {formatDateTime(run.enrolledAt)}
            {run.endedAt ? ` · ended ${formatDateTime(run.endedAt)}` : ''}
          </>
        }
        actions={
          <>
            <RunStateBadge state={run.state} />
            {open ? (
              <DisabledHint reason={cannot} align="end">
                <Button variant="secondary" disabled={!canWrite} onClick={() => setConfirmCancel(true)}>
                  <Ban aria-hidden="true" />
                  Cancel run
                </Button>
              </DisabledHint>
            ) : null}
            {run.state === 'failed' ? (
              <DisabledHint reason={cannot} align="end">
                <Button disabled={!canWrite} loading={act.isPending} onClick={() => perform('retry')}>
                  <RotateCw aria-hidden="true" />
                  Retry
                </Button>
              </DisabledHint>
            ) : null}
          </>
        }
      />
      {run.state === 'failed' && run.error ? (
        <Alert variant="error" title="The run failed">
          {run.error}
        </Alert>
      ) : run.state === 'waiting' && run.wakeAt ? (
        <Alert variant="info">Waiting until {formatDateTime(run.wakeAt)}.</Alert>
      ) : run.exitReason ? (
        <Alert variant="info">Ended: {run.exitReason}</Alert>
      ) : null}
      <Card>
        <CardHeader className="pb-3">
          <CardTitle>Steps</CardTitle>
        </CardHeader>
        <CardContent>
          {run.steps.length === 0 ? (
            <p className="text-sm text-muted-foreground">No step has run yet.</p>
          ) : (
            <ol aria-label="Steps" className="grid gap-3">
              {run.steps.map((s, i) => {
                const info = NODE_TYPE_INFO[s.nodeType];
                const Icon = info?.icon;
                const result = resultText(s.result);
                return (
                  <li
                    key={`${s.nodeId}-${i}`}
                    className="flex gap-3 rounded-md border border-border p-3"
                    data-testid="run-step"
                  >
                    <span className="flex size-7 shrink-0 items-center justify-center rounded-md bg-muted text-muted-foreground">
                      {Icon ? <Icon aria-hidden="true" className="size-4" /> : i + 1}
                    </span>
                    <div className="grid min-w-0 flex-1 gap-1 text-sm">
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-medium break-words">{s.summary}</span>
                        <Badge variant={STEP_STATE_VARIANTS[s.state] ?? 'neutral'} data-testid="step-state">
                          {s.state}
                        </Badge>
                        {s.outcome && s.outcome !== 'next' ? (
                          <Badge variant="outline">→ {s.outcome}</Badge>
                        ) : null}
                        {s.attempts > 1 ? (
                          <span className="text-xs text-muted-foreground">{s.attempts} attempts</span>
                        ) : null}
                      </div>
                      <div className="text-xs text-muted-foreground">
                        {info?.label ?? s.nodeType} · <span className="font-mono">{s.nodeId}</span> · started{' '}
                        {formatDateTime(s.startedAt)}
                        {s.finishedAt ? ` · finished ${formatDateTime(s.finishedAt)}` : ''}
                      </div>
                      {s.error ? (
                        <p className="text-[0.8125rem] break-words text-destructive">{s.error}</p>
                      ) : null}
                      {result ? (
                        <p className="truncate font-mono text-xs text-muted-foreground" title={result}>
                          {result}
                        </p>
                      ) : null}
                    </div>
                  </li>
                );
              })}
            </ol>
          )}
        </CardContent>
      </Card>
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title="Cancel this run?"
        description={`${contactName} leaves the workflow now; steps already taken stay done.`}
        confirmLabel="Cancel run"
        cancelLabel="Keep running"
        pending={act.isPending}
        onConfirm={() => perform('cancel')}
      />
    </div>
  );
}
