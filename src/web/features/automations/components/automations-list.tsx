import { Link, useNavigate } from '@tanstack/react-router';
import { Plus, Workflow } from 'lucide-react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { useCan, useDisabledReason } from '@/lib/session';
import { formatDateTime, formatNumber, formatRelative } from '@/lib/utils';
import { useAutomations } from '../api/list-automations';
import { NEW_AUTOMATION, useCreateAutomation } from '../api/save-automation';
import { AutomationStatusBadge } from './status-badge';

function Num({ value, className }: { value: number; className?: string }) {
  return value ? (
    <span className={className}>{formatNumber(value)}</span>
  ) : (
    <span className="text-muted-foreground">0</span>
  );
}

/** The organisation's automations with their run counts; "New automation" opens the builder on a draft. */
export function AutomationsList({ orgId }: { orgId: string }) {
  const canWrite = useCan('automations:write');
  const cannot = useDisabledReason('automations:write', 'create automations');
  const query = useAutomations(orgId);
  const create = useCreateAutomation(orgId);
  const navigate = useNavigate();
  const items = query.data ?? [];
  const empty = query.isSuccess && items.length === 0;

  const onCreate = () =>
    create.mutate(NEW_AUTOMATION, {
      onSuccess: (a) => void navigate({ to: '/automations/$id', params: { id: a.id } }),
      onError: (error) =>
        toast.error('Could not create the automation', { description: errorMessage(error) }),
    });

  const newButton = (
    <DisabledHint reason={cannot} align="end">
      <Button disabled={!canWrite} loading={create.isPending} onClick={onCreate}>
        <Plus aria-hidden="true" />
        New automation
      </Button>
    </DisabledHint>
  );

  return (
    <div className="grid gap-4">
      <PageHeader
        title="Automations"
        description="Workflows that run when something happens to a contact."
        actions={empty ? null : newButton}
      />
      {query.isPending ? (
        <Card className="grid gap-3 p-4" role="status" aria-label="Loading automations">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-5 w-full" />
          ))}
        </Card>
      ) : query.isError ? (
        <ErrorState
          title="Could not load the automations"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : empty ? (
        <EmptyState
          icon={Workflow}
          title="No automations yet"
          description={
            canWrite
              ? 'Welcome series, follow-ups after a click, tag rules and reminders before a renewal date: build them once and they run on their own.'
              : 'Nobody has created an automation yet. Members who may change automations can create the first one.'
          }
          actions={canWrite ? newButton : null}
        />
      ) : (
        <Card className="overflow-hidden p-0">
          <Table aria-label="Automations">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead className="w-24">Status</TableHead>
                <TableHead>Trigger</TableHead>
                <TableHead className="w-20 text-right">Enrolled</TableHead>
                <TableHead className="w-20 text-right">Active</TableHead>
                <TableHead className="w-24 text-right">Completed</TableHead>
                <TableHead className="w-20 text-right">Failed</TableHead>
                <TableHead className="w-32">Updated</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((a) => (
                <TableRow key={a.id} data-testid="automation-row">
                  <TableCell className="min-w-48 font-medium">
                    <Link
                      to="/automations/$id"
                      params={{ id: a.id }}
                      className="rounded outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                    >
                      {a.name}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <AutomationStatusBadge status={a.status} />
                  </TableCell>
                  <TableCell className="max-w-64 truncate text-muted-foreground" title={a.triggerSummary}>
                    {a.triggerSummary}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    <Num value={a.counts.enrolled} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    <Num value={a.counts.active + a.counts.waiting} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    <Num value={a.counts.completed} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    <Num value={a.counts.failed} className="font-medium text-destructive" />
                  </TableCell>
                  <TableCell
                    className="whitespace-nowrap text-muted-foreground"
                    title={formatDateTime(a.updatedAt)}
                  >
                    {formatRelative(a.updatedAt)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
