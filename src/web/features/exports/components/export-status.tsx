import { CircleCheck, Clock, Download, RotateCw } from 'lucide-react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage } from '@/lib/api';
import { formatBytes, formatDateTime, plural } from '@/lib/utils';
import { useExport } from '../api/get-export';
import type { Export } from '../api/types';

function expiryText(exp: Export): string {
  if (!exp.expiresAt) return 'The download link expires 24 hours after the export finished.';
  return `The download link expires in 24 hours (${formatDateTime(exp.expiresAt)}).`;
}

/**
 * The life of one export: an indeterminate bar while the server writes the file, then a Download
 * link (a plain `<a download>`; the browser fetches it with the session cookie), or the error.
 */
export function ExportStatus({
  orgId,
  exportId,
  preparingText,
  onRetry,
}: {
  orgId: string;
  exportId: string;
  /** "Preparing 31 contacts…" */
  preparingText: string;
  /** Offered when the export failed or expired. */
  onRetry?: () => void;
}) {
  const query = useExport(orgId, exportId);
  const exp = query.data;

  if (query.isError) {
    return (
      <Alert variant="error" title="Could not check the export">
        {errorMessage(query.error)}
      </Alert>
    );
  }
  if (!exp) return <Skeleton className="h-16" />;

  if (exp.status === 'queued' || exp.status === 'running') {
    return (
      <div className="grid gap-3 rounded-lg border border-border bg-subtle p-4" data-testid="export-progress">
        <div className="flex items-center justify-between gap-3 text-sm">
          <span className="font-medium" aria-live="polite">
            {exp.status === 'queued' ? 'Waiting to start…' : preparingText}
          </span>
          {exp.rows > 0 ? (
            <span className="text-muted-foreground tabular-nums">{plural(exp.rows, 'row')}</span>
          ) : null}
        </div>
        <Progress value={null} label="Export progress" size="sm" />
        <p className="text-xs text-muted-foreground">
          You can close this window: the export keeps going, and the link appears here when you come back.
        </p>
      </div>
    );
  }

  if (exp.status === 'done' && exp.downloadUrl) {
    return (
      <div
        className="grid gap-3 rounded-lg border border-emerald-200 bg-success-subtle p-4"
        data-testid="export-ready"
        role="status"
      >
        <div className="flex items-start gap-3">
          <CircleCheck aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-success" />
          <div className="grid gap-0.5">
            <p className="text-sm font-medium text-emerald-950">Your file is ready</p>
            <p className="text-[0.8125rem] text-emerald-900/80 tabular-nums">
              {exp.kind === 'contacts_csv' ? `${plural(exp.rows, 'contact')} · ` : ''}
              {exp.fileSize !== null ? formatBytes(exp.fileSize) : ''}
            </p>
          </div>
          <Button asChild className="ml-auto">
            <a href={exp.downloadUrl} download data-testid="export-download">
              <Download aria-hidden="true" />
              Download
            </a>
          </Button>
        </div>
        <p className="flex items-center gap-1.5 text-xs text-emerald-900/80">
          <Clock aria-hidden="true" className="size-3.5" />
          {expiryText(exp)}
        </p>
      </div>
    );
  }

  const expired = exp.status === 'expired' || exp.status === 'done';
  return (
    <Alert
      variant={expired ? 'warning' : 'error'}
      title={expired ? 'This download link has expired' : 'The export failed'}
    >
      <p>
        {expired
          ? 'Links last 24 hours. Export again to get a fresh file.'
          : (exp.error ?? 'Something went wrong while writing the file.')}
      </p>
      {onRetry ? (
        <Button variant="secondary" size="sm" className="mt-2" onClick={onRetry}>
          <RotateCw aria-hidden="true" />
          {expired ? 'Export again' : 'Try again'}
        </Button>
      ) : null}
    </Alert>
  );
}
