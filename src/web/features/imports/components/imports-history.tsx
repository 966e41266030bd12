import { Link } from '@tanstack/react-router';
import { ChevronLeft, Download, FileSpreadsheet, FileUp } from 'lucide-react';
import { Badge, type BadgeProps } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useMe } from '@/lib/session';
import { formatBytes, formatDateTime, formatNumber, formatRelative } from '@/lib/utils';
import { useImports } from '../api/list-imports';
import { errorReportUrl, type Import, type ImportStatus } from '../api/types';

const STATUS: Record<ImportStatus, { label: string; variant: BadgeProps['variant'] }> = {
  uploaded: { label: 'Not started', variant: 'neutral' },
  queued: { label: 'Queued', variant: 'accent' },
  running: { label: 'Running', variant: 'accent' },
  done: { label: 'Done', variant: 'success' },
  failed: { label: 'Failed', variant: 'destructive' },
  cancelled: { label: 'Cancelled', variant: 'warning' },
};

function Counts({ imp }: { imp: Import }) {
  if (imp.status === 'uploaded') return <span className="text-muted-foreground">—</span>;
  const { created, updated, unchanged, skipped, failed } = imp.counts;
  const items: Array<[string, number, string]> = [
    ['created', created, 'text-foreground'],
    ['updated', updated, 'text-foreground'],
    ...(unchanged > 0 ? [['unchanged', unchanged, 'text-muted-foreground'] as [string, number, string]] : []),
    ['skipped', skipped, 'text-muted-foreground'],
    ['failed', failed, failed > 0 ? 'text-destructive' : 'text-muted-foreground'],
  ];
  return (
    <span className="flex flex-wrap gap-x-3 gap-y-0.5 text-[0.8125rem] tabular-nums">
      {items.map(([label, n, cls]) => (
        <span key={label} className={cls}>
          <span className="font-medium">{formatNumber(n)}</span> {label}
        </span>
      ))}
    </span>
  );
}

/** /contacts/imports: every import of the organisation, newest first, with its counts and error report. */
export function ImportsHistory({ canWrite }: { canWrite: boolean }) {
  const orgId = useMe().activeOrganization!.id;
  const imports = useImports(orgId);

  const newImport = canWrite ? (
    <Button asChild>
      <Link to="/contacts/import">
        <FileUp aria-hidden="true" />
        Import contacts
      </Link>
    </Button>
  ) : null;

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <div className="grid gap-4">
        <Link
          to="/contacts"
          className="inline-flex w-fit items-center gap-1 text-[0.8125rem] text-muted-foreground hover:text-foreground"
        >
          <ChevronLeft aria-hidden="true" className="size-4" />
          All contacts
        </Link>
        <PageHeader
          title="Import history"
          description="CSV files imported into this organisation, with what each one did."
          actions={imports.data?.length ? newImport : null}
        />
      </div>
      {imports.isPending ? (
        <div className="grid gap-3" role="status" aria-label="Loading imports">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-12 w-full" />
          ))}
        </div>
      ) : imports.isError ? (
        <ErrorState
          title="Could not load the import history"
          error={imports.error}
          onRetry={() => void imports.refetch()}
        />
      ) : imports.data.length === 0 ? (
        <EmptyState
          icon={FileSpreadsheet}
          title="No imports yet"
          description="Import contacts from a CSV file exported from a spreadsheet or another CRM. Each import is listed here with its report."
          actions={newImport}
        />
      ) : (
        <Card className="overflow-hidden">
          <Table aria-label="Imports" data-testid="imports-table">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-6">File</TableHead>
                <TableHead>Date</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden text-right md:table-cell">Rows</TableHead>
                <TableHead>Result</TableHead>
                <TableHead className="pr-6 text-right">Report</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {imports.data.map((imp) => {
                const status = STATUS[imp.status] ?? { label: imp.status, variant: 'neutral' as const };
                const active = imp.status === 'queued' || imp.status === 'running';
                const hasReport = imp.counts.failed + imp.counts.skipped > 0 && imp.status !== 'uploaded';
                return (
                  <TableRow key={imp.id} data-testid="import-row">
                    <TableCell className="max-w-72 pl-6">
                      <Link
                        to="/contacts/import"
                        search={{ id: imp.id }}
                        className="block truncate font-medium text-foreground hover:text-accent hover:underline"
                        title={imp.fileName}
                      >
                        {imp.fileName}
                      </Link>
                      <span className="text-xs text-muted-foreground">{formatBytes(imp.fileSize)}</span>
                    </TableCell>
                    <TableCell className="whitespace-nowrap">
                      <span title={formatDateTime(imp.createdAt)}>{formatRelative(imp.createdAt)}</span>
                    </TableCell>
                    <TableCell>
                      <div className="flex flex-wrap items-center gap-1.5">
                        <Badge variant={status.variant}>{status.label}</Badge>
                        {imp.dryRun && imp.status !== 'uploaded' ? (
                          <Badge variant="outline" className="font-normal">
                            Dry run
                          </Badge>
                        ) : null}
                      </div>
                      {active ? (
                        <Progress
                          value={imp.status === 'queued' ? null : imp.progress.percent}
                          label={`Progress of ${imp.fileName}`}
                          size="sm"
                          className="mt-2 w-28"
                        />
                      ) : null}
                    </TableCell>
                    <TableCell className="hidden text-right tabular-nums md:table-cell">
                      {formatNumber(imp.totalRows)}
                    </TableCell>
                    <TableCell>
                      <Counts imp={imp} />
                    </TableCell>
                    <TableCell className="pr-6 text-right">
                      {hasReport ? (
                        <Button variant="ghost" size="sm" asChild>
                          <a
                            href={errorReportUrl(imp.id)}
                            download
                            aria-label={`Download the error report of ${imp.fileName}`}
                          >
                            <Download aria-hidden="true" />
                            Errors
                          </a>
                        </Button>
                      ) : imp.status === 'uploaded' && canWrite ? (
                        <Button variant="ghost" size="sm" asChild>
                          <Link to="/contacts/import" search={{ id: imp.id }}>
                            Continue
                          </Link>
                        </Button>
                      ) : (
                        <span className="text-muted-foreground">—</span>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
