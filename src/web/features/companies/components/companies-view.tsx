import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowDown, ArrowUp, Building2, Search, SearchX } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { cn, formatDate, plural } from '@/lib/utils';
import { useCompanies } from '../api/list-companies';
import { NewCompanyDialog } from './new-company-dialog';

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
  className,
}: {
  label: string;
  sortKey: string;
  sort: string;
  onSort: (sort: string) => void;
  className?: string;
}) {
  const dir = sort === sortKey ? 'asc' : sort === `-${sortKey}` ? 'desc' : null;
  return (
    <TableHead
      className={className}
      aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
    >
      <button
        type="button"
        onClick={() => onSort(dir === 'asc' ? `-${sortKey}` : sortKey)}
        className="inline-flex items-center gap-1 rounded uppercase outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
      >
        {label}
        {dir === 'asc' ? <ArrowUp aria-hidden="true" className="size-3.5" /> : null}
        {dir === 'desc' ? <ArrowDown aria-hidden="true" className="size-3.5" /> : null}
      </button>
    </TableHead>
  );
}

/** Companies: search, sort by name or date, keyset pages ("Load more"). */
export function CompaniesView({
  search,
  sort,
  onChange,
}: {
  search: string;
  sort: string;
  onChange: (next: { q?: string; sort?: string }) => void;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('contacts:write');
  const cannot = useDisabledReason('contacts:write', 'add companies');
  const navigate = useNavigate();
  const [text, setText] = React.useState(search);
  const debounced = useDebouncedValue(text.trim(), 300);
  React.useEffect(() => {
    if (debounced !== search) onChange({ q: debounced || undefined, sort });
  }, [debounced, search, sort, onChange]);

  const query = useCompanies(orgId, { ...(search ? { search } : {}), sort });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const empty = query.data !== undefined && rows.length === 0 && !query.isPlaceholderData;

  const newCompany = (
    <DisabledHint reason={cannot} align="end">
      <NewCompanyDialog
        orgId={orgId}
        disabled={!canWrite}
        onCreated={(c) => void navigate({ to: '/companies/$id', params: { id: c.id } })}
      />
    </DisabledHint>
  );

  return (
    <div className="grid gap-4">
      <PageHeader
        title="Companies"
        description="The organisations your contacts work for."
        actions={empty && !search ? null : newCompany}
      />
      {empty && !search ? (
        <EmptyState
          icon={Building2}
          title="No companies yet"
          description="Add companies here, or create them while adding contacts."
          actions={canWrite ? newCompany : null}
        />
      ) : (
        <>
          <div className="relative w-full max-w-xs">
            <Search
              aria-hidden="true"
              className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground"
            />
            <Input
              type="search"
              aria-label="Search companies"
              placeholder="Search name or domain…"
              value={text}
              onChange={(e) => setText(e.target.value)}
              className="pl-8"
              maxLength={200}
            />
          </div>
          {query.isPending ? (
            <Card className="grid gap-3 p-4" role="status" aria-label="Loading companies">
              {[0, 1, 2, 3].map((i) => (
                <Skeleton key={i} className="h-5 w-full" />
              ))}
            </Card>
          ) : query.isError ? (
            <ErrorState
              title="Could not load companies"
              error={query.error}
              onRetry={() => void query.refetch()}
            />
          ) : empty ? (
            <EmptyState
              icon={SearchX}
              title="No companies match"
              description="Try another search."
              actions={
                <Button variant="secondary" onClick={() => setText('')}>
                  Clear search
                </Button>
              }
            />
          ) : (
            <Card className={cn('overflow-hidden', query.isPlaceholderData && 'opacity-60')}>
              <Table aria-label="Companies">
                <TableHeader className="bg-subtle">
                  <TableRow className="hover:bg-transparent">
                    <SortHeader
                      label="Name"
                      sortKey="name"
                      sort={sort}
                      onSort={(s) => onChange({ q: search || undefined, sort: s })}
                      className="pl-4"
                    />
                    <TableHead>Domain</TableHead>
                    <TableHead className="hidden md:table-cell">Industry</TableHead>
                    <TableHead className="hidden lg:table-cell">Size</TableHead>
                    <TableHead className="text-right">Contacts</TableHead>
                    <SortHeader
                      label="Created"
                      sortKey="createdAt"
                      sort={sort}
                      onSort={(s) => onChange({ q: search || undefined, sort: s })}
                      className="hidden w-32 sm:table-cell"
                    />
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {rows.map((c) => (
                    <TableRow key={c.id}>
                      <TableCell className="max-w-64 truncate pl-4">
                        <Link
                          to="/companies/$id"
                          params={{ id: c.id }}
                          className="font-medium hover:underline"
                        >
                          {c.name}
                        </Link>
                      </TableCell>
                      <TableCell className="max-w-48 truncate text-muted-foreground">
                        {c.domain || '—'}
                      </TableCell>
                      <TableCell className="hidden max-w-40 truncate text-muted-foreground md:table-cell">
                        {c.industry || '—'}
                      </TableCell>
                      <TableCell className="hidden text-muted-foreground lg:table-cell">
                        {c.size || '—'}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">
                        {c.contactCount.toLocaleString()}
                      </TableCell>
                      <TableCell className="hidden text-muted-foreground sm:table-cell">
                        {formatDate(c.createdAt)}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Card>
          )}
          {query.data ? (
            <div className="flex items-center justify-between gap-4 text-xs text-muted-foreground">
              <span>{plural(rows.length, 'company', 'companies')} shown</span>
              {query.hasNextPage ? (
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => void query.fetchNextPage()}
                  loading={query.isFetchingNextPage}
                >
                  Load more
                </Button>
              ) : null}
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
