import { Ban, Plus, Search } from 'lucide-react';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { Switch } from '@/components/ui/switch';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { formatDateTime } from '@/lib/utils';
import { type Suppression, useSuppressions } from '../api/list-suppressions';
import { AddSuppressionDialog } from './add-suppression-dialog';
import { RemoveSuppressionDialog } from './remove-suppression-dialog';

const REASONS: Record<
  Suppression['reason'],
  { label: string; variant: 'destructive' | 'warning' | 'neutral' }
> = {
  hard_bounce: { label: 'Hard bounce', variant: 'destructive' },
  soft_bounce: { label: 'Repeated soft bounces', variant: 'warning' },
  complaint: { label: 'Spam complaint', variant: 'destructive' },
  manual: { label: 'Added by hand', variant: 'neutral' },
};

/** Settings → Suppressions: addresses Moxora never mails, with search, add, remove and history. */
export function SuppressionsSettings() {
  const orgId = useMe().activeOrganization!.id;
  const canWrite = useCan('settings:write');
  const cannot = useDisabledReason('settings:write', 'add or remove suppressed addresses');
  const [search, setSearch] = React.useState('');
  const [showRemoved, setShowRemoved] = React.useState(false);
  const q = useDebouncedValue(search.trim(), 250);
  const list = useSuppressions(orgId, { q: q || undefined, includeRemoved: showRemoved });
  const [adding, setAdding] = React.useState(false);
  const [removing, setRemoving] = React.useState<Suppression>();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(q) || showRemoved;

  const addButton = (
    <DisabledHint reason={cannot} align="end">
      <Button onClick={() => setAdding(true)} disabled={!canWrite}>
        <Plus aria-hidden="true" />
        Add address
      </Button>
    </DisabledHint>
  );

  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-4">
        <div className="grid gap-1.5">
          <CardTitle>Suppressions</CardTitle>
          <CardDescription>
            Addresses that never receive email from this organisation, transactional email included.
          </CardDescription>
        </div>
        {addButton}
      </CardHeader>
      {cannot ? (
        <div className="px-6 pb-4">
          <Alert variant="info">{cannot}</Alert>
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-4 border-b border-border px-6 pb-4">
        <div className="relative w-72 max-w-full">
          <Search
            aria-hidden="true"
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
          />
          <Input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search by email"
            aria-label="Search suppressed addresses by email"
            className="pl-9"
          />
        </div>
        <div className="flex items-center gap-2">
          <Switch id="suppressions-show-removed" checked={showRemoved} onCheckedChange={setShowRemoved} />
          <Label htmlFor="suppressions-show-removed">Show removed</Label>
        </div>
      </div>
      {list.isPending ? (
        <div className="grid gap-3 p-6" role="status" aria-label="Loading suppressions">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-6 w-80" />
          ))}
        </div>
      ) : list.isError ? (
        <ErrorState
          className="m-6"
          title="Could not load suppressions"
          error={list.error}
          onRetry={() => void list.refetch()}
        />
      ) : items.length === 0 ? (
        filtered ? (
          <EmptyState
            className="m-6"
            icon={Search}
            title="No matching address"
            description={
              q
                ? `No suppressed address starts with “${q}”. Check the spelling, or search from the start of the address.`
                : 'Nothing has been suppressed or removed yet.'
            }
          />
        ) : (
          <EmptyState
            className="m-6"
            icon={Ban}
            title="No suppressed addresses"
            description="Hard bounces and spam complaints land here automatically. Suppressed addresses never receive email from Moxora, transactional email included. Add an address by hand when someone asks never to be contacted."
            actions={canWrite ? addButton : undefined}
          />
        )
      ) : (
        <>
          <Table aria-label="Suppressed addresses">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-6">Email</TableHead>
                <TableHead>Reason</TableHead>
                <TableHead>Note</TableHead>
                <TableHead>Added</TableHead>
                <TableHead>By</TableHead>
                <TableHead className="w-28 pr-6">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((s) => (
                <TableRow key={s.id} className={s.removedAt ? 'text-muted-foreground' : undefined}>
                  <TableCell className="pl-6 font-medium break-all">{s.email}</TableCell>
                  <TableCell>
                    <Badge variant={REASONS[s.reason].variant}>{REASONS[s.reason].label}</Badge>
                  </TableCell>
                  <TableCell className="max-w-64 text-muted-foreground">{s.note || '—'}</TableCell>
                  <TableCell className="whitespace-nowrap text-muted-foreground">
                    {formatDateTime(s.createdAt)}
                  </TableCell>
                  <TableCell className="text-muted-foreground">
                    {s.createdBy ? s.createdBy.name || 'A former member' : 'Automatic'}
                  </TableCell>
                  <TableCell className="pr-6 text-right">
                    {s.removedAt ? (
                      <span className="text-[0.8125rem]" title={s.removedReason ?? undefined}>
                        Removed {formatDateTime(s.removedAt)}
                        {s.removedBy ? ` by ${s.removedBy.name}` : ''}
                        {s.removedReason ? (
                          <span className="block max-w-64 truncate">“{s.removedReason}”</span>
                        ) : null}
                      </span>
                    ) : (
                      <Button
                        variant="destructive-ghost"
                        size="sm"
                        onClick={() => setRemoving(s)}
                        disabled={!canWrite}
                        title={cannot}
                        aria-label={`Remove ${s.email} from the suppression list`}
                      >
                        Remove
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {list.hasNextPage ? (
            <div className="flex justify-center p-4">
              <Button
                variant="secondary"
                onClick={() => void list.fetchNextPage()}
                loading={list.isFetchingNextPage}
              >
                Show more
              </Button>
            </div>
          ) : null}
        </>
      )}
      {adding ? <AddSuppressionDialog orgId={orgId} onClose={() => setAdding(false)} /> : null}
      {removing ? (
        <RemoveSuppressionDialog
          orgId={orgId}
          suppression={removing}
          onClose={() => setRemoving(undefined)}
        />
      ) : null}
    </Card>
  );
}
