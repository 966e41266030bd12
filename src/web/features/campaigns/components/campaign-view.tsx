import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeft, Ban, Pause, Play, Trash2 } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { Progress } from '@/components/ui/progress';
import { errorMessage } from '@/lib/api';
import { useCan, useDisabledReason } from '@/lib/session';
import { formatDateTime, formatNumber } from '@/lib/utils';
import { type CampaignAction, useCampaignAction } from '../api/campaign-actions';
import type { Campaign } from '../api/get-campaign';
import { useDeleteCampaign } from '../api/save-campaign';
import { CampaignReportView } from './campaign-report';
import { StatusBadge } from './campaigns-list';
import { exclusionText } from './labels';

/** Sent + failed + skipped over the ledger total, with the counts. */
function ProgressCard({ campaign }: { campaign: Campaign }) {
  const c = campaign.counts;
  const done = c.sent + c.failed + c.skipped;
  const total = c.total || campaign.recipientCount || 0;
  // Sending with no ledger yet: the audience is being queued (an indeterminate bar).
  const pct = total > 0 ? (done / total) * 100 : campaign.status === 'sending' ? null : 0;
  const notStarted = total === 0 && (campaign.status === 'scheduled' || campaign.status === 'canceled');
  const excluded = exclusionText(campaign.excluded);
  return (
    <Card>
      <CardHeader className="pb-3">
        <CardTitle>
          {campaign.status === 'scheduled'
            ? campaign.scheduledAt && new Date(campaign.scheduledAt).getTime() > Date.now()
              ? `Scheduled for ${formatDateTime(campaign.scheduledAt)}`
              : 'Starting…'
            : campaign.status === 'paused'
              ? 'Paused'
              : campaign.status === 'sending'
                ? 'Sending'
                : 'Delivery'}
        </CardTitle>
      </CardHeader>
      <CardContent className="grid gap-3">
        {notStarted ? null : (
          <Progress
            value={pct}
            label="Sending progress"
            valueText={`${formatNumber(done)} of ${formatNumber(total)}`}
            tone={campaign.status === 'paused' ? 'warning' : 'accent'}
          />
        )}
        {notStarted ? (
          <p className="text-sm text-muted-foreground" data-testid="campaign-progress">
            {campaign.status === 'canceled'
              ? 'Canceled before sending started: nobody got it.'
              : 'The audience is counted when sending starts, so contacts who join or leave it until then are included or left out.'}
          </p>
        ) : (
          <p className="text-sm text-muted-foreground" data-testid="campaign-progress">
            <span className="font-medium text-foreground">
              {formatNumber(done)} of {formatNumber(total)}
            </span>{' '}
            done · {formatNumber(c.sent)} sent · {formatNumber(c.failed)} failed · {formatNumber(c.skipped)}{' '}
            skipped
            {c.queued + c.sending > 0 ? ` · ${formatNumber(c.queued + c.sending)} to go` : ''}
          </p>
        )}
        {excluded ? (
          <p className="text-sm text-muted-foreground">Excluded before sending: {excluded}.</p>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** "Started …, finished …", "Scheduled for …, canceled …". */
function timeline(c: Campaign): string {
  const parts: string[] = [];
  if (c.startedAt) parts.push(`Started ${formatDateTime(c.startedAt)}`);
  else if (c.scheduledAt) parts.push(`Scheduled for ${formatDateTime(c.scheduledAt)}`);
  if (c.finishedAt)
    parts.push(`${c.status === 'canceled' ? 'canceled' : 'finished'} ${formatDateTime(c.finishedAt)}`);
  return parts.join(' · ');
}

const ACTION_TEXT: Record<CampaignAction, { done: string; label: string }> = {
  pause: { done: 'paused', label: 'Pause' },
  resume: { done: 'resumed', label: 'Resume' },
  cancel: { done: 'canceled', label: 'Cancel campaign' },
};

/** A campaign that left the draft state: its status, live progress, controls and report. */
export function CampaignView({ orgId, campaign }: { orgId: string; campaign: Campaign }) {
  const navigate = useNavigate();
  const act = useCampaignAction(orgId);
  const remove = useDeleteCampaign(orgId);
  const canSend = useCan('campaigns:send');
  const cannotSend = useDisabledReason('campaigns:send', 'pause, resume or cancel campaigns');
  const canWrite = useCan('campaigns:write');
  const cannotWrite = useDisabledReason('campaigns:write', 'delete campaigns');
  const [confirm, setConfirm] = React.useState<'cancel' | 'delete' | null>(null);
  const status = campaign.status;

  const run = (action: CampaignAction) =>
    act.mutate(
      { id: campaign.id, action },
      {
        onSuccess: () => {
          setConfirm(null);
          toast.success(`“${campaign.name}” ${ACTION_TEXT[action].done}`);
        },
        onError: (error) => {
          setConfirm(null);
          toast.error(errorMessage(error));
        },
      },
    );

  const actionButton = (
    action: CampaignAction,
    icon: React.ReactNode,
    variant: 'secondary' | 'destructive-ghost',
  ) => (
    <DisabledHint reason={cannotSend} align="end">
      <Button
        variant={variant}
        disabled={!canSend}
        loading={act.isPending && act.variables?.action === action}
        onClick={() => (action === 'cancel' ? setConfirm('cancel') : run(action))}
      >
        {icon}
        {ACTION_TEXT[action].label}
      </Button>
    </DisabledHint>
  );

  return (
    <div className="grid gap-6">
      <div className="grid gap-2">
        <Button variant="link" size="sm" asChild className="justify-self-start text-muted-foreground">
          <Link to="/campaigns">
            <ArrowLeft aria-hidden="true" />
            All campaigns
          </Link>
        </Button>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="grid gap-1">
            <div className="flex items-center gap-3">
              <h1 className="text-2xl font-semibold tracking-tight">{campaign.name}</h1>
              <StatusBadge status={status} />
            </div>
            <p className="text-sm text-muted-foreground">{timeline(campaign)}</p>
          </div>
          <div className="flex flex-wrap gap-2">
            {status === 'sending' ? actionButton('pause', <Pause aria-hidden="true" />, 'secondary') : null}
            {status === 'paused' ? actionButton('resume', <Play aria-hidden="true" />, 'secondary') : null}
            {status === 'scheduled' || status === 'sending' || status === 'paused'
              ? actionButton('cancel', <Ban aria-hidden="true" />, 'destructive-ghost')
              : null}
            {status === 'sent' || status === 'canceled' ? (
              <DisabledHint reason={cannotWrite} align="end">
                <Button variant="destructive-ghost" disabled={!canWrite} onClick={() => setConfirm('delete')}>
                  <Trash2 aria-hidden="true" />
                  Delete
                </Button>
              </DisabledHint>
            ) : null}
          </div>
        </div>
      </div>

      {status === 'canceled' ? (
        <Alert variant="warning">This campaign was canceled: contacts not reached by then got nothing.</Alert>
      ) : null}
      {status !== 'sent' ? <ProgressCard campaign={campaign} /> : null}
      {status === 'scheduled' || (status === 'canceled' && campaign.counts.total === 0) ? null : (
        <CampaignReportView orgId={orgId} campaign={campaign} />
      )}

      <ConfirmDialog
        open={confirm === 'cancel'}
        onOpenChange={(open) => setConfirm(open ? 'cancel' : null)}
        title="Cancel this campaign?"
        description={`Messages already sent stay sent; the ${formatNumber(
          campaign.counts.queued,
        )} contacts still queued get nothing. A canceled campaign cannot be resumed.`}
        confirmLabel="Cancel campaign"
        cancelLabel="Keep it"
        destructive
        pending={act.isPending}
        onConfirm={() => run('cancel')}
      />
      <ConfirmDialog
        open={confirm === 'delete'}
        onOpenChange={(open) => setConfirm(open ? 'delete' : null)}
        title="Delete this campaign?"
        description="Its report and recipient list go with it. Contacts’ timelines keep what happened."
        confirmLabel="Delete campaign"
        destructive
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(
            { id: campaign.id },
            {
              onSuccess: () => {
                toast.success(`“${campaign.name}” deleted`);
                void navigate({ to: '/campaigns' });
              },
              onError: (error) => {
                setConfirm(null);
                toast.error(errorMessage(error));
              },
            },
          )
        }
      />
    </div>
  );
}
