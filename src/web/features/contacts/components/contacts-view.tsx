import type { FilterNode } from '@common/filters';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { ListFilter, Search, SearchX, Users, X } from 'lucide-react';
import * as React from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useLocalStorage } from '@/lib/use-local-storage';
import { plural } from '@/lib/utils';
import type { BulkSelection } from '../api/bulk-contacts';
import { useFilterFields } from '../api/get-filter-fields';
import { useCampaignOptions } from '../api/list-campaign-options';
import { type ContactSearchParams, useExactContactCount, useSearchContacts } from '../api/search-contacts';
import { contactsKey } from '../api/types';
import { countConditions, sameFilter, summarize } from '../lib/filter';
import { BulkBar } from './bulk-bar';
import { ColumnChooser } from './column-chooser';
import { buildColumns, type ColumnSpec } from './columns';
import { useContactsEnv } from './contacts-env';
import { ContactsTable, ContactsTableSkeleton, type Selection } from './contacts-table';
import { FilterBuilder } from './filter-builder';
import { NewContactDialog } from './new-contact-dialog';

/** What an export control needs to export the current view or the selection (filled in by the route). */
export interface ContactsExportTarget {
  /** The contacts: the view's search/filter/segment, or the ids picked in the table. */
  selection: BulkSelection;
  count: number | undefined;
  /** Who is exported, in words: "all 31 contacts", "the 5 contacts in this view", "3 selected contacts". */
  description: string;
}

export interface ContactsViewParams {
  q?: string;
  segment?: string;
  filter?: FilterNode;
  sort?: string;
}

const EMPTY_SELECTION: Selection = { ids: new Set(), allMatching: false };
const NO_OVERRIDES: Record<string, boolean> = {};

/** The contacts screen: search, filters, segments, column chooser, the virtualised table and bulk actions. */
export function ContactsView({
  params,
  onParamsChange,
  segmentBanner,
  segmentFilter,
  saveSegment,
  importAction,
  exportAction,
}: {
  params: ContactsViewParams;
  onParamsChange: (next: ContactsViewParams) => void;
  /** Shown above the toolbar while a segment is selected; `openFilter` shows its conditions for editing. */
  segmentBanner?: (controls: { openFilter: () => void }) => React.ReactNode;
  /**
   * The selected segment's saved conditions. With a segment selected, `params.filter` is an edited
   * copy of them (not yet saved) that replaces them in the view; the banner saves or discards it.
   */
  segmentFilter?: FilterNode;
  /** The "Save as segment" control for the current filter. */
  saveSegment?: (filter: FilterNode | undefined) => React.ReactNode;
  /** The "Import" control in the header (and the empty state), for users who may write. */
  importAction?: React.ReactNode;
  /** The "Export" control of the toolbar and of the bulk bar. */
  exportAction?: (target: ContactsExportTarget) => React.ReactNode;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('contacts:write');
  const cannotWrite = useDisabledReason('contacts:write', 'add contacts');
  const env = useContactsEnv();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const filterFields = useFilterFields(orgId);

  // Search: typed text, debounced into the URL.
  const [text, setText] = React.useState(params.q ?? '');
  const debounced = useDebouncedValue(text.trim(), 300);
  const lastUrlQ = React.useRef(params.q ?? '');
  React.useEffect(() => {
    // The URL changed from elsewhere (sidebar, back button): follow it.
    if ((params.q ?? '') !== lastUrlQ.current) {
      lastUrlQ.current = params.q ?? '';
      setText(params.q ?? '');
    }
  }, [params.q]);
  React.useEffect(() => {
    // Only once typing has settled: after an outside change the debounced value lags behind `text`.
    if (debounced === text.trim() && debounced !== (params.q ?? '')) {
      lastUrlQ.current = debounced;
      onParamsChange({ ...params, q: debounced || undefined });
    }
  }, [debounced, text, params, onParamsChange]);

  const sort = params.sort ?? '-createdAt';
  // Which contacts: the segment's saved conditions, or (being edited) the filter that replaces them.
  const criteria: BulkSelection = React.useMemo(
    () => ({
      ...(params.filter ? { filter: params.filter } : {}),
      ...(params.q ? { search: params.q } : {}),
      ...(params.segment && !params.filter ? { segmentId: params.segment } : {}),
    }),
    [params.filter, params.q, params.segment],
  );
  const searchParams: ContactSearchParams = React.useMemo(() => ({ ...criteria, sort }), [criteria, sort]);
  const query = useSearchContacts(orgId, searchParams);
  const rows = React.useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);

  // Columns: standard + custom fields; visibility persisted per organisation.
  const columns = React.useMemo(() => buildColumns(env), [env]);
  const [overrides, setOverrides] = useLocalStorage<Record<string, boolean>>(
    `moxora:contacts:columns:${orgId}`,
    NO_OVERRIDES,
  );
  const isVisible = React.useCallback(
    (c: ColumnSpec) => c.fixed || (overrides[c.id] ?? c.defaultVisible),
    [overrides],
  );
  const visibility = React.useMemo(
    () => Object.fromEntries(columns.map((c) => [c.id, isVisible(c)])),
    [columns, isVisible],
  );

  // Filters.
  const [filterOpen, setFilterOpen] = React.useState(false);
  // Picking a segment (sidebar, or after saving one) starts from a closed, fresh filter panel.
  React.useEffect(() => setFilterOpen(false), [params.segment]);
  // The conditions on show: the filter, or the selected segment's own.
  const shownFilter = params.filter ?? (params.segment ? segmentFilter : undefined);
  const conditions = countConditions(shownFilter);
  const memberName = (id: string) => env.members.find((m) => m.userId === id)?.name ?? id;
  // Campaign names for email activity conditions: fetched when the panel is open or a condition names one.
  const campaigns = useCampaignOptions(
    orgId,
    filterOpen || JSON.stringify(shownFilter ?? null).includes('"campaignId"'),
  );
  const campaignName = (id: string) => campaigns.data?.find((c) => c.id === id)?.name ?? 'a campaign';
  const chips = summarize(shownFilter, filterFields.data ?? [], memberName, campaignName);
  const applyFilter = (filter: FilterNode | undefined) => {
    if (!params.segment) {
      onParamsChange({ ...params, filter });
      return;
    }
    // Editing a segment: no conditions means every contact; the segment's own conditions mean no edit.
    const next = filter ?? { and: [] };
    onParamsChange({ ...params, filter: sameFilter(next, segmentFilter) ? undefined : next });
  };
  const filterError =
    query.isError && (isApiError(query.error, 'VALIDATION_FAILED') || isApiError(query.error, 'BAD_REQUEST'))
      ? errorMessage(query.error)
      : undefined;

  // Selection, reset whenever the result set changes.
  const [selection, setSelection] = React.useState<Selection>(EMPTY_SELECTION);
  const selectionKey = JSON.stringify(searchParams);
  React.useEffect(() => setSelection(EMPTY_SELECTION), [selectionKey]);
  // The count: exact up to 10,000; above that the first page says "10,000+" (countCapped) and the
  // exact number is fetched on request, or as soon as contacts are selected (bulk actions and
  // exports name exact numbers).
  const firstPage = query.data?.pages[0];
  const capped = firstPage?.countCapped === true;
  const [exactFor, setExactFor] = React.useState<string | null>(null);
  const exact = useExactContactCount(
    orgId,
    criteria,
    capped && (exactFor === selectionKey || selection.allMatching || selection.ids.size > 0),
  );
  const total = capped ? exact.data : firstPage?.count;
  const totalText =
    total !== undefined
      ? plural(total, 'contact')
      : capped
        ? `${(firstPage?.count ?? 0).toLocaleString()}+ contacts`
        : undefined;
  const selectedCount = selection.allMatching ? (total ?? rows.length) : selection.ids.size;
  const bulkSelection: BulkSelection = selection.allMatching ? criteria : { ids: [...selection.ids] };

  const onBulkDone = React.useCallback(() => {
    setSelection(EMPTY_SELECTION);
    void queryClient.invalidateQueries({ queryKey: contactsKey(orgId) });
    env.onContactsChanged();
  }, [queryClient, orgId, env]);

  const hasCriteria = Boolean(params.q || params.filter || params.segment);
  const firstPageEmpty = query.data !== undefined && rows.length === 0 && !query.isPlaceholderData;
  const orgHasNoContacts = firstPageEmpty && !hasCriteria;

  const newContact = (
    <DisabledHint reason={cannotWrite} align="end">
      <NewContactDialog
        orgId={orgId}
        disabled={!canWrite}
        onCreated={(c) => void navigate({ to: '/contacts/$id', params: { id: c.id } })}
      />
    </DisabledHint>
  );
  const viewSelection: BulkSelection = criteria;
  const viewExport = exportAction?.({
    selection: viewSelection,
    count: total,
    description:
      total === undefined
        ? hasCriteria
          ? 'the contacts in this view'
          : 'all contacts'
        : hasCriteria
          ? `the ${plural(total, 'contact')} in this view`
          : `all ${plural(total, 'contact')}`,
  });
  const bulkExport =
    selectedCount > 0
      ? exportAction?.({
          selection: bulkSelection,
          count: selectedCount,
          description: plural(selectedCount, 'selected contact'),
        })
      : undefined;

  return (
    <div className="grid gap-4">
      <PageHeader
        title="Contacts"
        description={
          totalText !== undefined && !orgHasNoContacts ? (
            <span data-testid="contacts-total">
              {hasCriteria ? `${totalText} match` : totalText}
              {capped && total === undefined ? (
                <>
                  {' · '}
                  <button
                    type="button"
                    className="underline underline-offset-2 hover:text-foreground disabled:no-underline"
                    disabled={exact.isFetching}
                    onClick={() => setExactFor(selectionKey)}
                    data-testid="contacts-exact-count"
                  >
                    {exact.isFetching ? 'Counting…' : 'Count exactly'}
                  </button>
                </>
              ) : null}
            </span>
          ) : (
            'The people you keep in touch with.'
          )
        }
        actions={
          orgHasNoContacts ? null : (
            <>
              {canWrite ? importAction : null}
              {newContact}
            </>
          )
        }
      />
      {segmentBanner?.({ openFilter: () => setFilterOpen(true) })}
      {orgHasNoContacts ? (
        <EmptyState
          icon={Users}
          title="No contacts yet"
          description="Contacts you add or import appear here, with their history, tags and consent."
          actions={
            canWrite ? (
              <>
                {newContact}
                {importAction}
              </>
            ) : null
          }
        />
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-2">
            <div className="relative w-full max-w-xs">
              <Search
                aria-hidden="true"
                className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground"
              />
              <Input
                type="search"
                aria-label="Search contacts"
                placeholder="Search name, email, company…"
                value={text}
                onChange={(e) => setText(e.target.value)}
                className="h-9 pl-8"
                maxLength={200}
              />
            </div>
            <Button
              variant={filterOpen || conditions > 0 ? 'primary' : 'secondary'}
              size="sm"
              onClick={() => setFilterOpen((o) => !o)}
              aria-expanded={filterOpen}
            >
              <ListFilter aria-hidden="true" />
              Filter
              {conditions > 0 ? (
                <span
                  className="rounded-full bg-white/25 px-1.5 text-xs tabular-nums"
                  data-testid="filter-count"
                >
                  {conditions}
                </span>
              ) : null}
            </Button>
            {saveSegment && params.filter ? saveSegment(params.filter) : null}
            <div className="ml-auto flex items-center gap-2">
              {viewExport}
              <ColumnChooser
                columns={columns}
                isVisible={isVisible}
                onToggle={(c, v) => setOverrides((prev) => ({ ...prev, [c.id]: v }))}
                onReset={() => setOverrides(NO_OVERRIDES)}
              />
            </div>
          </div>
          {!filterOpen && chips.length > 0 ? (
            <div className="flex flex-wrap items-center gap-1.5" data-testid="active-filters">
              {chips.map((chip, i) => (
                <Badge key={i} variant="outline" className="max-w-md font-normal">
                  <span className="truncate">{chip}</span>
                </Badge>
              ))}
              {params.segment ? null : (
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => onParamsChange({ ...params, filter: undefined })}
                >
                  <X aria-hidden="true" />
                  Clear filters
                </Button>
              )}
            </div>
          ) : null}
          {filterOpen ? (
            <FilterBuilder
              // A filter changed from outside (URL, segment, "Clear filters") resets the draft.
              key={JSON.stringify(shownFilter ?? null)}
              fields={filterFields.data}
              loading={filterFields.isPending}
              value={shownFilter}
              error={filterError}
              onClose={() => setFilterOpen(false)}
              onApply={applyFilter}
              clearLabel={params.segment ? 'Remove all conditions' : undefined}
              campaigns={campaigns.data ?? []}
            />
          ) : null}
          {canWrite && selectedCount > 0 ? (
            <BulkBar
              orgId={orgId}
              selection={bulkSelection}
              selectedCount={selectedCount}
              loadedCount={rows.length}
              total={total}
              allMatching={selection.allMatching}
              onSelectAllMatching={() => setSelection({ ids: new Set(), allMatching: true })}
              onClear={() => setSelection(EMPTY_SELECTION)}
              onDone={onBulkDone}
              exportAction={bulkExport}
            />
          ) : null}
          {query.isPending ? (
            <ContactsTableSkeleton />
          ) : query.isError ? (
            filterError ? (
              <Alert variant="error" title="This filter cannot be used">
                {filterError}
              </Alert>
            ) : (
              <ErrorState
                title="Could not load contacts"
                error={query.error}
                onRetry={() => void query.refetch()}
              />
            )
          ) : firstPageEmpty ? (
            <EmptyState
              icon={SearchX}
              title="No contacts match"
              description="Try another search, or change or clear the filters."
              actions={
                <Button
                  variant="secondary"
                  onClick={() => {
                    setText('');
                    onParamsChange({ segment: params.segment, sort: params.sort });
                  }}
                >
                  Clear search and filters
                </Button>
              }
            />
          ) : (
            <>
              <ContactsTable
                rows={rows}
                columns={columns}
                visibility={visibility}
                sort={sort}
                onSortChange={(next) =>
                  onParamsChange({ ...params, sort: next === '-createdAt' ? undefined : next })
                }
                hasNextPage={query.hasNextPage}
                isFetchingNextPage={query.isFetchingNextPage}
                fetchNextPage={() => void query.fetchNextPage()}
                selection={canWrite ? selection : undefined}
                onSelectionChange={canWrite ? setSelection : undefined}
                onOpen={(c) => void navigate({ to: '/contacts/$id', params: { id: c.id } })}
                total={total}
                stale={query.isPlaceholderData}
              />
              <p className="text-xs text-muted-foreground" aria-live="polite">
                {totalText !== undefined
                  ? `Showing ${rows.length.toLocaleString()} of ${totalText}`
                  : `${plural(rows.length, 'contact')} loaded`}
                {query.hasNextPage ? ' · scroll for more' : ''}
              </p>
            </>
          )}
        </>
      )}
    </div>
  );
}
