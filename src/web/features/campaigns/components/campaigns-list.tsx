import { Link } from '@tanstack/react-router';
import { Circle, CircleCheck, Mail, Plus } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useCan, useDisabledReason } from '@/lib/session';
import { formatDateTime, formatNumber } from '@/lib/utils';
import { type CampaignSummary, useCampaigns } from '../api/list-campaigns';
import { useSendingSettings, useTemplateOptions } from '../api/wizard-options';
import { formatRate, STATUS_LABELS, STATUS_VARIANTS } from './labels';

export function StatusBadge({ status }: { status: CampaignSummary['status'] }) {
  return (
    <Badge variant={STATUS_VARIANTS[status]} data-testid="campaign-status">
      {STATUS_LABELS[status]}
    </Badge>
  );
}

/** "Sent Dec 2, 10:14", "Scheduled for …", "Started …", "Created …". */
function when(c: CampaignSummary): string {
  if (c.status === 'sent' && c.finishedAt) return `Finished ${formatDateTime(c.finishedAt)}`;
  if (c.status === 'canceled' && c.finishedAt) return `Canceled ${formatDateTime(c.finishedAt)}`;
  if (c.status === 'scheduled' && c.scheduledAt) return `Scheduled for ${formatDateTime(c.scheduledAt)}`;
  if ((c.status === 'sending' || c.status === 'paused') && c.startedAt)
    return `Started ${formatDateTime(c.startedAt)}`;
  return `Edited ${formatDateTime(c.updatedAt)}`;
}

function Engagement({ count, sent }: { count: number; sent: number }) {
  if (sent === 0) return <span className="text-muted-foreground">—</span>;
  return (
    <span>
      {formatNumber(count)} <span className="text-muted-foreground">({formatRate(count / sent)})</span>
    </span>
  );
}

/** What to do before the first campaign: a template, a sender and the postal address, then the campaign. */
function FirstSteps({ orgId, canWrite }: { orgId: string; canWrite: boolean }) {
  const templates = useTemplateOptions(orgId);
  const sending = useSendingSettings(orgId);
  const hasTemplate = (templates.data?.length ?? 0) > 0;
  const missing = sending.data?.missing ?? [];
  const steps = [
    {
      done: hasTemplate,
      text: (
        <>
          <Link to="/templates/new" className="font-medium text-foreground underline">
            Create a template
          </Link>{' '}
          with the email’s content.
        </>
      ),
    },
    {
      done: sending.isSuccess && !missing.includes('sender'),
      text: (
        <>
          Add a sender (the From address) in{' '}
          <Link to="/settings/sending" className="font-medium text-foreground underline">
            Settings → Sending
          </Link>
          .
        </>
      ),
    },
    {
      done: sending.isSuccess && !missing.includes('postalAddress'),
      text: (
        <>
          Add your postal address for the email footer in{' '}
          <Link to="/settings/sending" className="font-medium text-foreground underline">
            Settings → Sending
          </Link>
          .
        </>
      ),
    },
    { done: false, text: <>Create a campaign: pick the audience, the template and the sender, then send.</> },
  ];
  return (
    <div className="grid gap-4">
      <p>
        {canWrite
          ? 'Send an email to a segment or a tag of your contacts, and see who opened it and clicked.'
          : 'Nobody has created a campaign yet. Members who may change campaigns can create the first one.'}
      </p>
      {canWrite ? (
        <ol className="grid gap-2 text-left" aria-label="Before your first campaign">
          {steps.map((s, i) => (
            <li key={i} className="flex items-start gap-2">
              {s.done ? (
                <CircleCheck aria-label="Done" className="mt-0.5 size-4 shrink-0 text-success" />
              ) : (
                <Circle aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
              )}
              <span>
                {i + 1}. {s.text}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

/** The organisation's campaigns, newest first. */
export function CampaignsList({ orgId }: { orgId: string }) {
  const canWrite = useCan('campaigns:write');
  const cannot = useDisabledReason('campaigns:write', 'create campaigns');
  const query = useCampaigns(orgId);
  const items = query.data ?? [];
  const empty = query.isSuccess && items.length === 0;

  const newButton = (
    <DisabledHint reason={cannot} align="end">
      {canWrite ? (
        <Button asChild>
          <Link to="/campaigns/new">
            <Plus aria-hidden="true" />
            New campaign
          </Link>
        </Button>
      ) : (
        <Button disabled>
          <Plus aria-hidden="true" />
          New campaign
        </Button>
      )}
    </DisabledHint>
  );

  return (
    <div className="grid gap-4">
      <PageHeader
        title="Campaigns"
        description="Email campaigns to segments and tags of your contacts, with opens and clicks."
        actions={empty ? null : newButton}
      />
      {query.isPending ? (
        <Card className="grid gap-3 p-4" role="status" aria-label="Loading campaigns">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-5 w-full" />
          ))}
        </Card>
      ) : query.isError ? (
        <ErrorState
          title="Could not load the campaigns"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : empty ? (
        <EmptyState
          icon={Mail}
          title="No campaigns yet"
          description={<FirstSteps orgId={orgId} canWrite={canWrite} />}
          actions={canWrite ? newButton : null}
        />
      ) : (
        <Card className="overflow-hidden p-0">
          <Table aria-label="Campaigns">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead className="w-28">Status</TableHead>
                <TableHead className="w-28 text-right">Recipients</TableHead>
                <TableHead className="w-24 text-right">Sent</TableHead>
                <TableHead className="w-36 text-right">Unique opens</TableHead>
                <TableHead className="w-36 text-right">Unique clicks</TableHead>
                <TableHead className="w-52">Date</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((c) => (
                <TableRow key={c.id} data-testid="campaign-row">
                  <TableCell className="min-w-56 font-medium">
                    <Link
                      to="/campaigns/$id"
                      params={{ id: c.id }}
                      className="rounded outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                    >
                      {c.name}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={c.status} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    {c.recipientCount === null ? (
                      <span className="text-muted-foreground">—</span>
                    ) : (
                      formatNumber(c.recipientCount)
                    )}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{formatNumber(c.sent)}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    <Engagement count={c.uniqueOpens} sent={c.sent} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">
                    <Engagement count={c.uniqueClicks} sent={c.sent} />
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-muted-foreground">{when(c)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
