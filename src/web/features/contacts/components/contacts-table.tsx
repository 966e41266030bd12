import {
  type ColumnDef,
  type ColumnVisibilityState,
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import * as React from 'react';
import { Checkbox } from '@/components/ui/checkbox';
import { Skeleton } from '@/components/ui/skeleton';
import { Spinner } from '@/components/ui/spinner';
import { cn } from '@/lib/utils';
import { type Contact, contactName } from '../api/types';
import type { ColumnSpec } from './columns';

const features = tableFeatures({ columnVisibilityFeature, columnSizingFeature });
const helper = createColumnHelper<typeof features, Contact>();

const ROW_HEIGHT = 44;
const HEADER_HEIGHT = 40;
const SELECT_WIDTH = 44;
/** Cells that stay put when the table scrolls sideways (checkbox, name); opaque so rows slide under them. */
const STICKY_CELL = 'sticky z-10 bg-background group-hover:bg-subtle group-aria-selected:bg-accent-subtle';
/** Start loading the next page this many rows before the end. */
const PREFETCH_ROWS = 40;

export interface Selection {
  ids: Set<string>;
  /** Every contact matching the current search/filter/segment, not only the loaded rows. */
  allMatching: boolean;
}

export interface ContactsTableProps {
  rows: Contact[];
  columns: ColumnSpec[];
  visibility: ColumnVisibilityState;
  sort: string;
  onSortChange: (sort: string) => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  /** Present when rows can be selected (users who may write). */
  selection?: Selection;
  onSelectionChange?: (selection: Selection) => void;
  onOpen: (contact: Contact) => void;
  total: number | undefined;
  /** Rows are being replaced (new search/sort): dim them. */
  stale?: boolean;
}

function SortIcon({ direction }: { direction: 'asc' | 'desc' | null }) {
  if (direction === 'asc') return <ArrowUp aria-hidden="true" className="size-3.5 text-foreground" />;
  if (direction === 'desc') return <ArrowDown aria-hidden="true" className="size-3.5 text-foreground" />;
  return <ArrowUpDown aria-hidden="true" className="size-3.5 opacity-0 group-hover:opacity-60" />;
}

/**
 * The contacts grid: TanStack Table for the column model, TanStack Virtual for the rows, so only
 * the rows on screen are in the DOM and the next keyset page loads as the end comes near.
 */
export function ContactsTable({
  rows,
  columns,
  visibility,
  sort,
  onSortChange,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  selection,
  onSelectionChange,
  onOpen,
  total,
  stale,
}: ContactsTableProps) {
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const selectable = selection !== undefined && onSelectionChange !== undefined;

  const specById = React.useMemo(() => new Map(columns.map((c) => [c.id, c])), [columns]);
  const columnDefs = React.useMemo(
    () =>
      columns.map(
        (spec) =>
          helper.display({
            id: spec.id,
            header: spec.label,
            size: spec.width,
            enableHiding: !spec.fixed,
            cell: ({ row }) => spec.render(row.original),
          }) as ColumnDef<typeof features, Contact, unknown>,
      ),
    [columns],
  );

  const table = useTable({
    features,
    columns: columnDefs,
    data: rows,
    getRowId: (row) => row.id,
    state: { columnVisibility: visibility },
  });

  const rowModel = table.getRowModel().rows;
  const count = rowModel.length + (hasNextPage ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    paddingStart: HEADER_HEIGHT,
    getItemKey: (index) => rowModel[index]?.id ?? `loader-${index}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  React.useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rowModel.length - PREFETCH_ROWS) fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, rowModel.length, fetchNextPage]);

  // A new query (search, filter, sort) starts at the top.
  const firstId = rows[0]?.id;
  React.useEffect(() => {
    if (firstId !== undefined) scrollRef.current?.scrollTo({ top: 0 });
  }, [sort, firstId]);

  const leafColumns = table.getVisibleLeafColumns();
  const width = leafColumns.reduce((sum, c) => sum + c.getSize(), 0) + (selectable ? SELECT_WIDTH : 0);
  const colCount = leafColumns.length + (selectable ? 1 : 0);
  const paddingTop = Math.max(0, (items[0]?.start ?? HEADER_HEIGHT) - HEADER_HEIGHT);
  const paddingBottom = Math.max(
    0,
    virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? HEADER_HEIGHT),
  );

  const loadedIds = rowModel.map((r) => r.id);
  const selectedCount = selection
    ? selection.allMatching
      ? loadedIds.length
      : loadedIds.filter((id) => selection.ids.has(id)).length
    : 0;
  const headerChecked: boolean | 'indeterminate' =
    selectedCount === 0 ? false : selectedCount === loadedIds.length ? true : 'indeterminate';

  const toggleAll = (on: boolean) => {
    if (!onSelectionChange) return;
    onSelectionChange({ ids: on ? new Set(loadedIds) : new Set(), allMatching: false });
  };
  const toggleOne = (id: string, on: boolean) => {
    if (!selection || !onSelectionChange) return;
    // Leaving "all matching" keeps the loaded rows selected except this one.
    const ids = new Set(selection.allMatching ? loadedIds : selection.ids);
    if (on) ids.add(id);
    else ids.delete(id);
    onSelectionChange({ ids, allMatching: false });
  };

  const sortDirection = (key: string | undefined): 'asc' | 'desc' | null => {
    if (!key) return null;
    if (sort === key) return 'asc';
    if (sort === `-${key}`) return 'desc';
    return null;
  };
  const nextSort = (key: string) => {
    const current = sortDirection(key);
    if (key === 'createdAt') return current === 'desc' ? 'createdAt' : '-createdAt';
    if (current === null) return key;
    if (current === 'asc') return `-${key}`;
    return '-createdAt';
  };

  return (
    <div
      ref={scrollRef}
      className={cn(
        'relative max-h-[max(20rem,calc(100dvh-16rem))] overflow-auto rounded-lg border border-border bg-background',
        stale && 'opacity-60 transition-opacity',
      )}
      data-testid="contacts-scroll"
    >
      <table
        className="text-sm"
        style={{ tableLayout: 'fixed', width, minWidth: '100%' }}
        aria-label="Contacts"
        aria-rowcount={total !== undefined ? total + 1 : -1}
        aria-busy={stale || undefined}
      >
        <colgroup>
          {selectable ? <col style={{ width: SELECT_WIDTH }} /> : null}
          {leafColumns.map((c) => (
            <col key={c.id} style={{ width: c.getSize() }} />
          ))}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1} style={{ height: HEADER_HEIGHT }}>
              {selectable ? (
                <th className="sticky top-0 left-0 z-30 bg-subtle px-3 text-left shadow-[inset_0_-1px_0_var(--color-border)]">
                  <Checkbox
                    aria-label="Select all loaded contacts"
                    checked={selection?.allMatching ? true : headerChecked}
                    onCheckedChange={(v) => toggleAll(v === true)}
                    disabled={loadedIds.length === 0}
                  />
                </th>
              ) : null}
              {group.headers.map((header) => {
                const spec = specById.get(header.column.id);
                const dir = sortDirection(spec?.sortKey);
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                    className={cn(
                      'sticky top-0 z-20 bg-subtle px-3 text-left text-xs font-medium tracking-wide whitespace-nowrap text-muted-foreground uppercase shadow-[inset_0_-1px_0_var(--color-border)]',
                      spec?.fixed && 'z-30',
                      spec?.fixed && (selectable ? 'left-11' : 'left-0'),
                      spec?.fixed && 'shadow-[inset_-1px_-1px_0_var(--color-border)]',
                    )}
                  >
                    {spec?.sortKey ? (
                      <button
                        type="button"
                        onClick={() => onSortChange(nextSort(spec.sortKey!))}
                        className="group -mx-1 inline-flex max-w-full items-center gap-1 rounded px-1 py-0.5 uppercase outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
                      >
                        <span className="truncate">
                          <table.FlexRender header={header} />
                        </span>
                        <SortIcon direction={dir} />
                      </button>
                    ) : (
                      <span className="block truncate">
                        <table.FlexRender header={header} />
                      </span>
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr>
              <td colSpan={colCount} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = rowModel[item.index];
            if (!row) {
              return (
                <tr key={item.key} style={{ height: ROW_HEIGHT }}>
                  <td colSpan={colCount} className="px-3 text-muted-foreground">
                    <span className="flex items-center gap-2">
                      <Spinner />
                      Loading more contacts…
                    </span>
                  </td>
                </tr>
              );
            }
            const contact = row.original;
            const checked = selection ? selection.allMatching || selection.ids.has(row.id) : false;
            return (
              <tr
                key={item.key}
                aria-rowindex={item.index + 2}
                aria-selected={selectable ? checked : undefined}
                style={{ height: ROW_HEIGHT }}
                className="group cursor-pointer border-b border-border bg-background hover:bg-subtle aria-selected:bg-accent-subtle"
                onClick={(e) => {
                  // Clicks on links, buttons and checkboxes do their own thing.
                  if ((e.target as HTMLElement).closest('a,button,input,[role="checkbox"]')) return;
                  onOpen(contact);
                }}
              >
                {selectable ? (
                  <td className={cn(STICKY_CELL, 'left-0 px-3')}>
                    <Checkbox
                      aria-label={`Select ${contactName(contact)}`}
                      checked={checked}
                      onCheckedChange={(v) => toggleOne(row.id, v === true)}
                    />
                  </td>
                ) : null}
                {row.getVisibleCells().map((cell) => (
                  <td
                    key={cell.id}
                    className={cn(
                      'truncate px-3',
                      specById.get(cell.column.id)?.fixed &&
                        cn(
                          STICKY_CELL,
                          selectable ? 'left-11' : 'left-0',
                          'shadow-[inset_-1px_0_0_var(--color-border)]',
                        ),
                    )}
                  >
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr>
              <td colSpan={colCount} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

export function ContactsTableSkeleton() {
  return (
    <div
      className="grid gap-0 overflow-hidden rounded-lg border border-border"
      role="status"
      aria-label="Loading contacts"
    >
      <div className="h-10 border-b border-border bg-subtle" />
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="flex h-11 items-center gap-6 border-b border-border px-3">
          <Skeleton className="h-3.5 w-40" />
          <Skeleton className="h-3.5 w-52" />
          <Skeleton className="h-3.5 w-28" />
          <Skeleton className="h-3.5 w-24" />
        </div>
      ))}
    </div>
  );
}
