import { CircleStop } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Progress } from '@/components/ui/progress';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/api';
import { formatNumber } from '@/lib/utils';
import { useCancelImport } from '../api/cancel-import';
import type { Import } from '../api/types';
import { formatDuration } from '../lib/targets';

function Stat({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm font-medium tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** Step 3 while the import waits or runs: a real progress bar, speed, time left, and Cancel. */
export function ProgressStep({ orgId, imp, canWrite }: { orgId: string; imp: Import; canWrite: boolean }) {
  const cancel = useCancelImport(orgId);
  const [confirming, setConfirming] = React.useState(false);
  const { rowsDone, totalRows, percent, rowsPerSecond, secondsLeft } = imp.progress;
  const queued = imp.status === 'queued';
  const processed = imp.counts.created + imp.counts.updated;

  const onCancel = () =>
    cancel.mutate(imp.id, {
      onSuccess: () => toast.success('Import cancelled', { description: 'Rows already imported stay.' }),
      onError: (e) => toast.error('Could not cancel the import', { description: errorMessage(e) }),
      onSettled: () => setConfirming(false),
    });

  return (
    <Card className="max-w-3xl" data-testid="import-progress">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Spinner className="size-4 text-accent" />
          {imp.dryRun ? 'Dry run in progress' : 'Importing contacts'}
        </CardTitle>
        <CardDescription>
          {imp.fileName}
          {imp.dryRun ? ' · nothing is saved during a dry run' : ''}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <div className="grid gap-2">
          <div className="flex items-baseline justify-between gap-4 text-sm">
            <span className="font-medium" aria-live="polite" data-testid="import-rows-done">
              {queued ? 'Waiting to start…' : `${formatNumber(rowsDone)} of ${formatNumber(totalRows)} rows`}
            </span>
            <span className="text-2xl font-semibold tracking-tight tabular-nums">{Math.floor(percent)}%</span>
          </div>
          <Progress
            value={percent}
            label={imp.dryRun ? 'Dry run progress' : 'Import progress'}
            valueText={`${formatNumber(rowsDone)} of ${formatNumber(totalRows)} rows`}
            data-testid="import-progressbar"
          />
        </div>
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
          <Stat
            label="Speed"
            value={rowsPerSecond ? `${formatNumber(rowsPerSecond)} rows/s` : '—'}
            testId="import-speed"
          />
          <Stat
            label="Time left"
            value={
              secondsLeft !== null ? `About ${formatDuration(secondsLeft)}` : queued ? '—' : 'Estimating…'
            }
            testId="import-time-left"
          />
          <Stat
            label={imp.dryRun ? 'Would be saved so far' : 'Saved so far'}
            value={formatNumber(processed)}
          />
          <Stat label="Rejected so far" value={formatNumber(imp.counts.failed)} />
        </dl>
        <div className="flex flex-wrap items-center justify-between gap-3 border-t border-border pt-4">
          <p className="text-[0.8125rem] text-muted-foreground">
            You can leave this page: the import keeps running and shows up in the import history.
          </p>
          {canWrite ? (
            <Button variant="secondary" onClick={() => setConfirming(true)} disabled={cancel.isPending}>
              <CircleStop aria-hidden="true" />
              Cancel import
            </Button>
          ) : null}
        </div>
      </CardContent>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Cancel this import?"
        description={
          imp.dryRun
            ? 'The dry run stops. Nothing has been saved.'
            : 'The import stops after the current batch. Contacts already imported stay.'
        }
        confirmLabel="Cancel import"
        cancelLabel={imp.dryRun ? 'Keep checking' : 'Keep importing'}
        onConfirm={onCancel}
        pending={cancel.isPending}
      />
    </Card>
  );
}
