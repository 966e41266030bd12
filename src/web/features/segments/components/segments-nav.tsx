import { Link } from '@tanstack/react-router';
import { useMe } from '@/lib/session';
import { formatNumber } from '@/lib/utils';
import { useSegmentCount } from '../api/get-segment-count';
import { type Segment, useSegments } from '../api/list-segments';

function SegmentLink({
  orgId,
  segment,
  onNavigate,
}: {
  orgId: string;
  segment: Segment;
  onNavigate?: () => void;
}) {
  const count = useSegmentCount(orgId, segment.id);
  return (
    <li>
      <Link
        to="/contacts"
        search={{ segment: segment.id }}
        onClick={onNavigate}
        activeOptions={{ includeSearch: true }}
        className="group flex h-7 items-center gap-2 rounded-md pr-2 pl-9 text-[0.8125rem] text-zinc-600 outline-none hover:bg-zinc-200/60 hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
        activeProps={{ className: 'bg-zinc-200/70 text-foreground font-medium', 'aria-current': 'page' }}
        data-testid="segment-link"
      >
        <span className="min-w-0 flex-1 truncate">{segment.name}</span>
        <span className="shrink-0 text-xs text-zinc-400 tabular-nums" data-testid="segment-count">
          {count.data === undefined ? '…' : formatNumber(count.data)}
        </span>
      </Link>
    </li>
  );
}

/** Saved segments, listed in the sidebar under Contacts with live counts. */
export function SegmentsNav({ onNavigate }: { onNavigate?: () => void }) {
  const me = useMe();
  const orgId = me.activeOrganization?.id;
  const segments = useSegments(orgId ?? '');
  if (!orgId || !segments.data || segments.data.length === 0) return null;
  return (
    <ul aria-label="Segments" className="mt-0.5 mb-1 grid gap-0.5">
      {segments.data.map((segment) => (
        <SegmentLink key={segment.id} orgId={orgId} segment={segment} onNavigate={onNavigate} />
      ))}
    </ul>
  );
}
