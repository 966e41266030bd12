import { Link } from '@tanstack/react-router';
import {
  CircleAlert,
  CircleCheck,
  CircleSlash,
  Download,
  FileUp,
  FlaskConical,
  Play,
  SlidersHorizontal,
  Users,
} from 'lucide-react';
import type * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Progress } from '@/components/ui/progress';
import { errorMessage } from '@/lib/api';
import { cn, formatDateTime, formatNumber } from '@/lib/utils';
import { useStartImport } from '../api/start-import';
import { type DuplicatePolicy, errorReportUrl, type Import, type Target } from '../api/types';
import { describeMarketing } from '../lib/marketing';
import { formatDuration } from '../lib/targets';

const POLICY_LABELS: Record<DuplicatePolicy, string> = {
  create_update: 'Create and update',
  create_only: 'Create only',
  update_only: 'Update only',
};

function CountTile({
  label,
  value,
  hint,
  tone,
  testId,
}: {
  label: string;
  value: number;
  hint: string;
  tone: 'success' | 'accent' | 'neutral' | 'destructive';
  testId: string;
}) {
  return (
    <div className="grid content-start gap-1 rounded-lg border border-border bg-background p-4">
      <dt className="flex items-center gap-2 text-[0.8125rem] font-medium text-muted-foreground">
        <span
          aria-hidden="true"
          className={cn(
            'size-2 rounded-full',
            tone === 'success' && 'bg-success',
            tone === 'accent' && 'bg-accent',
            tone === 'neutral' && 'bg-zinc-400',
            tone === 'destructive' && 'bg-destructive',
          )}
        />
        {label}
      </dt>
      <dd className="grid gap-1">
        <span
          className={cn(
            'text-2xl font-semibold tracking-tight tabular-nums',
            tone === 'destructive' && value > 0 && 'text-destructive',
          )}
          data-testid={testId}
        >
          {formatNumber(value)}
        </span>
        <span className="text-xs text-muted-foreground">{hint}</span>
      </dd>
    </div>
  );
}

function Heading({ imp }: { imp: Import }) {
  const { status, dryRun } = imp;
  let icon: React.ReactNode;
  let title: string;
  let description: string;
  if (status === 'done') {
    icon = dryRun ? (
      <FlaskConical aria-hidden="true" className="size-5 text-accent" />
    ) : (
      <CircleCheck aria-hidden="true" className="size-5 text-success" />
    );
    title = dryRun ? 'Dry run complete' : 'Import complete';
    description = dryRun
      ? 'Every row was checked. Nothing has been saved yet: these are the numbers the import would give.'
      : `${formatNumber(imp.progress.rowsDone)} rows of ${imp.fileName} were processed.`;
  } else if (status === 'cancelled') {
    icon = <CircleSlash aria-hidden="true" className="size-5 text-warning" />;
    title = dryRun ? 'Dry run cancelled' : 'Import cancelled';
    description = dryRun
      ? 'The dry run was stopped. Nothing was saved.'
      : `Stopped after ${formatNumber(imp.progress.rowsDone)} of ${formatNumber(imp.totalRows)} rows. Contacts imported before that stay.`;
  } else {
    icon = <CircleAlert aria-hidden="true" className="size-5 text-destructive" />;
    title = dryRun ? 'The dry run failed' : 'The import failed';
    description = `Stopped after ${formatNumber(imp.progress.rowsDone)} of ${formatNumber(imp.totalRows)} rows.`;
  }
  return (
    <CardHeader>
      <CardTitle className="flex items-center gap-2 text-lg" data-testid="import-result-title">
        {icon}
        {title}
      </CardTitle>
      <CardDescription>{description}</CardDescription>
    </CardHeader>
  );
}

function targetsSummary(mapping: Target[] | null): number {
  return (mapping ?? []).filter((t) => t.type !== 'ignore').length;
}

/** Step 3 once the import has ended: counts, the error report, and what to do next. */
export function ResultStep({
  orgId,
  imp,
  canWrite,
  onEditMapping,
  onNewImport,
}: {
  orgId: string;
  imp: Import;
  /** Viewers see the result but cannot start imports. */
  canWrite: boolean;
  /** After a dry run: back to the mapping, to change it before importing. */
  onEditMapping: () => void;
  onNewImport: () => void;
}) {
  const start = useStartImport(orgId);
  const { created, updated, unchanged, skipped, failed } = imp.counts;
  const dry = imp.dryRun;
  const canRunForReal =
    canWrite && dry && (imp.status === 'done' || imp.status === 'failed') && imp.mapping !== null;
  const hasReport = failed + skipped > 0;
  const duration =
    imp.startedAt && imp.finishedAt
      ? (new Date(imp.finishedAt).getTime() - new Date(imp.startedAt).getTime()) / 1000
      : null;

  const runForReal = () => {
    if (!imp.mapping) return;
    start.mutate(
      {
        id: imp.id,
        mapping: imp.mapping,
        duplicatePolicy: imp.duplicatePolicy ?? 'create_update',
        dryRun: false,
        extraTags: imp.extraTags,
        triggerAutomations: imp.triggerAutomations ?? true,
        ...(imp.marketing ? { marketing: imp.marketing } : {}),
      },
      {
        onError: (e) => toast.error('Could not start the import', { description: errorMessage(e) }),
      },
    );
  };

  return (
    <Card className="max-w-4xl" data-testid="import-result">
      <Heading imp={imp} />
      <CardContent className="grid gap-6">
        <div className="grid gap-2">
          <Progress
            value={imp.progress.percent}
            label={dry ? 'Dry run progress' : 'Import progress'}
            valueText={`${formatNumber(imp.progress.rowsDone)} of ${formatNumber(imp.totalRows)} rows`}
            tone={imp.status === 'done' ? 'success' : imp.status === 'failed' ? 'destructive' : 'warning'}
            size="sm"
            data-testid="import-progressbar"
          />
          <p className="text-xs text-muted-foreground tabular-nums">
            {formatNumber(imp.progress.rowsDone)} of {formatNumber(imp.totalRows)} rows
            {duration !== null ? ` · ${formatDuration(duration)}` : ''}
            {imp.progress.rowsPerSecond ? ` · ${formatNumber(imp.progress.rowsPerSecond)} rows/s` : ''}
          </p>
        </div>

        {imp.status === 'failed' && imp.error ? (
          <Alert variant="error" title="What went wrong">
            {imp.error}
          </Alert>
        ) : null}

        <dl className="grid grid-cols-2 gap-3 md:grid-cols-5" aria-label="Results">
          <CountTile
            label={dry ? 'Would be created' : 'Created'}
            value={created}
            hint="New contacts"
            tone="success"
            testId="count-created"
          />
          <CountTile
            label={dry ? 'Would be updated' : 'Updated'}
            value={updated}
            hint="Existing contacts, matched by email"
            tone="accent"
            testId="count-updated"
          />
          <CountTile
            label="Unchanged"
            value={unchanged}
            hint="Matched, and already up to date"
            tone="neutral"
            testId="count-unchanged"
          />
          <CountTile
            label={dry ? 'Would be skipped' : 'Skipped'}
            value={skipped}
            hint="Merged duplicates, or excluded by the policy"
            tone="neutral"
            testId="count-skipped"
          />
          <CountTile
            label={dry ? 'Would fail' : 'Failed'}
            value={failed}
            hint="Rows with invalid values or the wrong number of fields"
            tone="destructive"
            testId="count-failed"
          />
        </dl>

        {hasReport ? (
          <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-border bg-subtle px-4 py-3">
            <p className="text-sm">
              <span className="font-medium">
                {formatNumber(failed + skipped)} {failed + skipped === 1 ? 'row needs' : 'rows need'} a look.
              </span>{' '}
              <span className="text-muted-foreground">
                The report lists each with its row number, column, value and the reason.
              </span>
            </p>
            <Button variant="secondary" size="sm" asChild>
              <a href={errorReportUrl(imp.id)} download data-testid="error-report-link">
                <Download aria-hidden="true" />
                Download error report
              </a>
            </Button>
          </div>
        ) : null}

        <div className="flex flex-wrap gap-x-6 gap-y-2 text-[0.8125rem] text-muted-foreground">
          <span>
            File: <span className="text-foreground">{imp.fileName}</span>
          </span>
          {imp.duplicatePolicy ? (
            <span>
              Existing contacts: <span className="text-foreground">{POLICY_LABELS[imp.duplicatePolicy]}</span>
            </span>
          ) : null}
          <span>
            Columns imported: <span className="text-foreground">{targetsSummary(imp.mapping)}</span>
          </span>
          {imp.duplicatePolicy && imp.duplicatePolicy !== 'update_only' ? (
            <span data-testid="import-marketing-summary">
              New contacts: <span className="text-foreground">{describeMarketing(imp.marketing)}</span>
            </span>
          ) : null}
          {imp.extraTags.length ? (
            <span className="inline-flex flex-wrap items-center gap-1">
              Tagged:
              {imp.extraTags.map((t) => (
                <Badge key={t} variant="outline" className="font-normal">
                  {t}
                </Badge>
              ))}
            </span>
          ) : null}
          {imp.finishedAt ? <span>Finished {formatDateTime(imp.finishedAt)}</span> : null}
        </div>

        <div className="flex flex-wrap items-center gap-3 border-t border-border pt-5">
          {canRunForReal ? (
            <>
              <Button onClick={runForReal} loading={start.isPending}>
                <Play aria-hidden="true" />
                Import for real
              </Button>
              <Button variant="secondary" onClick={onEditMapping} disabled={start.isPending}>
                <SlidersHorizontal aria-hidden="true" />
                Change mapping
              </Button>
            </>
          ) : (
            <Button asChild>
              <Link to="/contacts">
                <Users aria-hidden="true" />
                View contacts
              </Link>
            </Button>
          )}
          {canRunForReal ? (
            <Button variant="ghost" asChild>
              <Link to="/contacts">
                <Users aria-hidden="true" />
                View contacts
              </Link>
            </Button>
          ) : null}
          {canWrite ? (
            <Button variant="ghost" className="ml-auto" onClick={onNewImport}>
              <FileUp aria-hidden="true" />
              Import another file
            </Button>
          ) : null}
        </div>
      </CardContent>
    </Card>
  );
}
