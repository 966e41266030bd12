import { useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import * as React from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { Tabs } from '@/components/ui/tabs';
import { cn, formatDateTime, formatNumber, plural } from '@/lib/utils';
import { type Campaign, campaignQueryKey, isLive } from '../api/get-campaign';
import {
  type CampaignReport,
  type Recipient,
  type SendState,
  useCampaignRecipients,
  useCampaignReport,
} from '../api/get-report';
import { EXCLUSION_LABELS, formatRate, SEND_STATE_LABELS } from './labels';

function Stat({
  label,
  value,
  rate,
  note,
  tone,
}: {
  label: string;
  value: number;
  rate?: number;
  note?: string;
  tone?: 'warning' | 'destructive';
}) {
  return (
    <Card className="p-4" data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
      <p className="text-xs font-medium tracking-wide text-muted-foreground uppercase">{label}</p>
      <p
        className={cn(
          'mt-1 text-2xl font-semibold tabular-nums',
          tone === 'warning' && value > 0 && 'text-amber-700',
          tone === 'destructive' && value > 0 && 'text-red-700',
        )}
      >
        {formatNumber(value)}
        {rate !== undefined ? (
          <span className="ml-1.5 text-sm font-normal text-muted-foreground">{formatRate(rate)}</span>
        ) : null}
      </p>
      {note ? <p className="mt-1 text-xs text-muted-foreground">{note}</p> : null}
    </Card>
  );
}

const hourFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit' });

/** Opens and clicks per hour, people and machines apart. */
function ActivityChart({ series }: { series: CampaignReport['series'] }) {
  const data = series.map((s) => ({
    at: hourFormat.format(new Date(s.at)),
    Opens: s.opens,
    'Machine opens': s.machineOpens,
    Clicks: s.clicks,
    'Machine clicks': s.machineClicks,
  }));
  if (data.length === 0) {
    return <p className="text-sm text-muted-foreground">No opens or clicks yet.</p>;
  }
  return (
    <div className="h-64 w-full" data-testid="activity-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} maxBarSize={40}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="at" tick={{ fontSize: 12, fill: '#6b7280' }} tickLine={false} axisLine={false} />
          <YAxis
            allowDecimals={false}
            tick={{ fontSize: 12, fill: '#6b7280' }}
            tickLine={false}
            axisLine={false}
          />
          <Tooltip cursor={{ fill: '#f3f4f6' }} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
          <Bar dataKey="Opens" stackId="opens" fill="#4f46e5" />
          <Bar dataKey="Machine opens" stackId="opens" fill="#c7d2fe" />
          <Bar dataKey="Clicks" stackId="clicks" fill="#059669" />
          <Bar dataKey="Machine clicks" stackId="clicks" fill="#a7f3d0" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

const STATE_FILTERS = ['all', 'sent', 'failed', 'skipped', 'queued'] as const;
type StateFilter = (typeof STATE_FILTERS)[number];

/** What happened to one recipient's message, most telling first. */
function outcome(r: Recipient): {
  text: string;
  variant: 'neutral' | 'success' | 'warning' | 'destructive' | 'accent';
} {
  if (r.state === 'skipped')
    return {
      text: `Skipped: ${EXCLUSION_LABELS[r.reason ?? ''] ?? r.reason ?? 'excluded'}`,
      variant: 'neutral',
    };
  if (r.state === 'failed') return { text: 'Failed', variant: 'destructive' };
  if (r.state === 'queued' || r.state === 'sending')
    return { text: SEND_STATE_LABELS[r.state]!, variant: 'neutral' };
  if (r.complainedAt) return { text: 'Marked as spam', variant: 'destructive' };
  if (r.bouncedAt)
    return { text: `Bounced${r.bounceType ? ` (${r.bounceType})` : ''}`, variant: 'destructive' };
  if (r.unsubscribedAt) return { text: 'Unsubscribed', variant: 'warning' };
  if (r.clickedAt) return { text: 'Clicked', variant: 'success' };
  if (r.openedAt) return { text: 'Opened', variant: 'accent' };
  if (r.deliveredAt) return { text: 'Delivered', variant: 'neutral' };
  return { text: 'Sent', variant: 'neutral' };
}

function RecipientsCard({ orgId, campaignId }: { orgId: string; campaignId: string }) {
  const [filter, setFilter] = React.useState<StateFilter>('all');
  const query = useCampaignRecipients(
    orgId,
    campaignId,
    filter === 'all' ? undefined : (filter as SendState),
  );
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card className="overflow-hidden p-0">
      <div className="flex flex-wrap items-center justify-between gap-3 p-6 pb-4">
        <div className="grid gap-1">
          <CardTitle>Recipients</CardTitle>
          <CardDescription>Each contact’s message and what they did with it.</CardDescription>
        </div>
        <Tabs
          aria-label="Recipient state"
          value={filter}
          onValueChange={setFilter}
          items={STATE_FILTERS.map((s) => ({ value: s, label: s === 'all' ? 'All' : SEND_STATE_LABELS[s]! }))}
        />
      </div>
      {query.isPending ? (
        <div className="grid gap-3 px-6 pb-6" role="status" aria-label="Loading recipients">
          <Skeleton className="h-5 w-full" />
          <Skeleton className="h-5 w-full" />
        </div>
      ) : query.isError ? (
        <div className="px-6 pb-6">
          <ErrorState
            title="Could not load the recipients"
            error={query.error}
            onRetry={() => void query.refetch()}
          />
        </div>
      ) : items.length === 0 ? (
        <p className="px-6 pb-6 text-sm text-muted-foreground">
          {filter === 'all'
            ? 'No recipients yet.'
            : `No ${SEND_STATE_LABELS[filter]!.toLowerCase()} recipients.`}
        </p>
      ) : (
        <>
          <Table aria-label="Recipients">
            <TableHeader>
              <TableRow>
                <TableHead className="pl-6">Contact</TableHead>
                <TableHead>Outcome</TableHead>
                <TableHead className="text-right">Opens</TableHead>
                <TableHead className="text-right">Clicks</TableHead>
                <TableHead>Sent</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((r) => {
                const o = outcome(r);
                const label = r.name ? `${r.name} <${r.email}>` : r.email;
                return (
                  <TableRow key={r.id} data-testid="recipient-row">
                    <TableCell className="max-w-xs truncate pl-6">
                      {r.contactId ? (
                        <Link
                          to="/contacts/$id"
                          params={{ id: r.contactId }}
                          className="rounded font-medium outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                        >
                          {r.name ?? r.email}
                        </Link>
                      ) : (
                        <span className="font-medium">{r.name ?? r.email}</span>
                      )}
                      {r.name ? (
                        <span className="block truncate text-xs text-muted-foreground">{r.email}</span>
                      ) : null}
                      <span className="sr-only">{label}</span>
                    </TableCell>
                    <TableCell>
                      <Badge variant={o.variant} title={r.lastError ?? undefined}>
                        {o.text}
                      </Badge>
                      {r.machineOpenedAt && !r.openedAt ? (
                        <span className="ml-2 text-xs text-muted-foreground">machine open</span>
                      ) : null}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{formatNumber(r.opens)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatNumber(r.clicks)}</TableCell>
                    <TableCell className="text-muted-foreground">
                      {r.sentAt ? formatDateTime(r.sentAt) : '—'}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
          {query.hasNextPage ? (
            <div className="border-t border-border p-3">
              <Button
                variant="ghost"
                size="sm"
                className="w-full"
                onClick={() => void query.fetchNextPage()}
                loading={query.isFetchingNextPage}
              >
                Load more
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}

/** The report: stat cards, activity over time, clicks per link and the recipients. */
export function CampaignReportView({ orgId, campaign }: { orgId: string; campaign: Campaign }) {
  const live = isLive(campaign.status);
  const report = useCampaignReport(orgId, campaign.id, live ? 5_000 : false);
  const queryClient = useQueryClient();
  // When the status moves (sending → sent), the report and the recipients are read again.
  const status = campaign.status;
  React.useEffect(() => {
    void status;
    void queryClient.invalidateQueries({ queryKey: [...campaignQueryKey(orgId, campaign.id), 'report'] });
    void queryClient.invalidateQueries({ queryKey: [...campaignQueryKey(orgId, campaign.id), 'recipients'] });
  }, [status, orgId, campaign.id, queryClient]);

  if (report.isPending) {
    return (
      <div className="grid gap-4 sm:grid-cols-4" role="status" aria-label="Loading report">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-24" />
        ))}
      </div>
    );
  }
  if (report.isError) {
    return (
      <ErrorState
        title="Could not load the report"
        error={report.error}
        onRetry={() => void report.refetch()}
      />
    );
  }
  const { totals: t, rates, links, series } = report.data;
  return (
    <div className="grid gap-6" data-testid="campaign-report">
      <section aria-label="Results" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Sent" value={t.sent} />
        <Stat
          label="Delivered"
          value={t.delivered}
          rate={rates.delivery ?? 0}
          note={t.delivered === 0 && t.sent > 0 ? 'Reported by your email provider’s webhooks' : undefined}
        />
        <Stat
          label="Unique opens"
          value={t.uniqueOpens}
          rate={rates.open ?? 0}
          note={
            t.machineOpens > 0
              ? `+ ${plural(t.machineOpens, 'machine open')} (privacy proxies)`
              : `${plural(t.opens, 'open')} in all`
          }
        />
        <Stat
          label="Unique clicks"
          value={t.uniqueClicks}
          rate={rates.click ?? 0}
          note={
            t.machineClicks > 0
              ? `+ ${plural(t.machineClicks, 'machine click')} (security scanners)`
              : `${plural(t.clicks, 'click')} in all`
          }
        />
        <Stat label="Bounced" value={t.bounced} rate={rates.bounce ?? 0} tone="warning" />
        <Stat label="Unsubscribed" value={t.unsubscribed} rate={rates.unsubscribe ?? 0} tone="warning" />
        <Stat label="Complained" value={t.complained} rate={rates.complaint ?? 0} tone="destructive" />
      </section>
      <p className="-mt-3 text-xs text-muted-foreground">
        Rates are of messages sent. Opens by mail privacy proxies and clicks by security scanners are counted
        apart, so the numbers show what people did. Opens are a lower bound: many people read with images off.
      </p>

      <Card>
        <CardHeader className="pb-3">
          <CardTitle>Opens and clicks over time</CardTitle>
          <CardDescription>Per hour; the lighter part of each bar is machines.</CardDescription>
        </CardHeader>
        <CardContent>
          <ActivityChart series={series} />
        </CardContent>
      </Card>

      <Card className="overflow-hidden p-0">
        <div className="grid gap-1 p-6 pb-4">
          <CardTitle>Clicks per link</CardTitle>
        </div>
        {links.length === 0 ? (
          <p className="px-6 pb-6 text-sm text-muted-foreground">This email had no tracked links.</p>
        ) : (
          <Table aria-label="Clicks per link">
            <TableHeader>
              <TableRow>
                <TableHead className="pl-6">Link</TableHead>
                <TableHead className="w-32 text-right">People</TableHead>
                <TableHead className="w-40 pr-6 text-right">Machines</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {links.map((l) => (
                <TableRow key={l.id} data-testid="link-row">
                  <TableCell className="max-w-md truncate pl-6 font-mono text-[0.8125rem]" title={l.url}>
                    {l.url}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{formatNumber(l.humanClicks)}</TableCell>
                  <TableCell className="pr-6 text-right text-muted-foreground tabular-nums">
                    {formatNumber(l.clicks - l.humanClicks)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>

      <RecipientsCard orgId={orgId} campaignId={campaign.id} />
    </div>
  );
}
