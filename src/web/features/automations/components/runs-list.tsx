import { describeNode, RUN_STATES, type RunState } from '@common/automations';
import { Link } from '@tanstack/react-router';
import { ListChecks } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { Tabs } from '@/components/ui/tabs';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { useAutomation } from '../api/get-automation';
import { useAutomationRuns } from '../api/list-runs';
import { RUN_STATE_LABELS } from '../lib/labels';
import { AutomationStatusBadge, RunStateBadge } from './status-badge';

export type RunFilter = RunState | 'all';
const FILTERS: Array<{ value: RunFilter; label: string }> = [
  { value: 'all', label: 'All' },
  ...RUN_STATES.map((s) => ({ value: s, label: RUN_STATE_LABELS[s] })),
];

/** The runs of one automation, newest first, filtered by state; each opens its step history. */
export function RunsList({
  orgId,
  automationId,
  state,
  onStateChange,
}: {
  orgId: string;
  automationId: string;
  state: RunFilter;
  onStateChange: (state: RunFilter) => void;
}) {
  const automation = useAutomation(orgId, automationId);
  const runs = useAutomationRuns(orgId, automationId, state === 'all' ? undefined : state);
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const nodes = automation.data?.definition.nodes ?? [];
  const stepName = (nodeId: string | null) => {
    if (!nodeId) return '—';
    const n = nodes.find((x) => x.id === nodeId);
    return n ? (n.label ?? describeNode(n)) : nodeId;
  };

  return (
    <div className="grid gap-4">
      <div className="text-sm text-muted-foreground">
        <Link to="/automations" className="hover:text-foreground hover:underline">
          Automations
        </Link>{' '}
        /{' '}
        <Link
          to="/automations/$id"
          params={{ id: automationId }}
          className="hover:text-foreground hover:underline"
        >
          {automation.data?.name ?? 'Automation'}
        </Link>
      </div>
      <PageHeader
        title={`Runs${automation.data ? ` of ${automation.data.name}` : ''}`}
        description="Every contact that went through this workflow, and where they are now."
        actions={
          <>
            {automation.data ? <AutomationStatusBadge status={automation.data.status} /> : null}
            <Button variant="secondary" asChild>
              <Link to="/automations/$id" params={{ id: automationId }}>
                Open builder
              </Link>
            </Button>
          </>
        }
      />
      <Tabs
        aria-label="Run state"
        value={state}
        onValueChange={onStateChange}
        items={FILTERS}
        className="flex-wrap justify-self-start"
      />
      {runs.isPending ? (
        <Card className="grid gap-3 p-4" role="status" aria-label="Loading runs">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-5 w-full" />
          ))}
        </Card>
      ) : runs.isError ? (
        <ErrorState title="Could not load the runs" error={runs.error} onRetry={() => void runs.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={ListChecks}
          title={state === 'all' ? 'No runs yet' : `No ${RUN_STATE_LABELS[state].toLowerCase()} runs`}
          description={
            state === 'all'
              ? 'Contacts are enrolled when the trigger happens while the automation is active, or when you enrol them.'
              : 'Choose another state to see more runs.'
          }
        />
      ) : (
        <Card className="overflow-hidden p-0">
          <Table aria-label="Runs">
            <TableHeader>
              <TableRow>
                <TableHead>Contact</TableHead>
                <TableHead className="w-28">State</TableHead>
                <TableHead>Current step</TableHead>
                <TableHead className="w-20">Version</TableHead>
                <TableHead className="w-44">Enrolled</TableHead>
                <TableHead className="w-36">Updated</TableHead>
                <TableHead className="w-20">
                  <span className="sr-only">Details</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((r) => (
                <TableRow key={r.id} data-testid="run-row">
                  <TableCell className="min-w-48">
                    <Link
                      to="/contacts/$id"
                      params={{ id: r.contact.id }}
                      className="grid rounded outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                    >
                      <span className="font-medium">
                        {r.contact.name || r.contact.email || 'Unnamed contact'}
                      </span>
                      {r.contact.name && r.contact.email ? (
                        <span className="text-xs text-muted-foreground">{r.contact.email}</span>
                      ) : null}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <RunStateBadge state={r.state} />
                  </TableCell>
                  <TableCell className="text-muted-foreground">
                    {r.state === 'failed' && r.error ? (
                      <span className="text-destructive" title={r.error}>
                        {stepName(r.currentNode)}:{' '}
                        {r.error.length > 60 ? `${r.error.slice(0, 60)}…` : r.error}
                      </span>
                    ) : r.state === 'waiting' && r.wakeAt ? (
                      <>
                        {stepName(r.currentNode)}{' '}
                        <span className="text-xs" title={formatDateTime(r.wakeAt)}>
                          (until {formatDateTime(r.wakeAt)})
                        </span>
                      </>
                    ) : r.endedAt ? (
                      (r.exitReason ?? '—')
                    ) : (
                      stepName(r.currentNode)
                    )}
                  </TableCell>
                  <TableCell className="tabular-nums text-muted-foreground">v{r.version}</TableCell>
                  <TableCell className="whitespace-nowrap text-muted-foreground">
                    {formatDateTime(r.enrolledAt)}
                  </TableCell>
                  <TableCell
                    className="whitespace-nowrap text-muted-foreground"
                    title={formatDateTime(r.updatedAt)}
                  >
                    {formatRelative(r.updatedAt)}
                  </TableCell>
                  <TableCell>
                    <Button variant="ghost" size="sm" asChild>
                      <Link
                        to="/automations/runs/$runId"
                        params={{ runId: r.id }}
                        aria-label={`Run of ${r.contact.name || r.contact.email || 'contact'}`}
                      >
                        Open
                      </Link>
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {runs.hasNextPage ? (
            <div className="border-t border-border p-2">
              <Button
                variant="ghost"
                size="sm"
                className="w-full"
                loading={runs.isFetchingNextPage}
                onClick={() => void runs.fetchNextPage()}
              >
                Load more
              </Button>
            </div>
          ) : null}
        </Card>
      )}
    </div>
  );
}
