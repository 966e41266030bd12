import type { FilterNode } from '@common/filters';
import { createFileRoute, Link, useNavigate } from '@tanstack/react-router';
import { FileUp } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { useContactsEnv } from '@/features/contacts/components/contacts-env';
import { ContactsView, type ContactsViewParams } from '@/features/contacts/components/contacts-view';
import { ExportContactsDialog } from '@/features/exports/components/export-contacts-dialog';
import { useSegments } from '@/features/segments/api/list-segments';
import { SaveSegmentDialog } from '@/features/segments/components/save-segment-dialog';
import { SegmentBanner } from '@/features/segments/components/segment-banner';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';

/** Loose structural check of a filter from the URL; the server validates it for real. */
function isFilterNode(value: unknown, depth = 0): value is FilterNode {
  if (depth > 6 || typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.and)) return v.and.every((c) => isFilterNode(c, depth + 1));
  if (Array.isArray(v.or)) return v.or.every((c) => isFilterNode(c, depth + 1));
  return typeof v.field === 'string' && typeof v.op === 'string';
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);

export const Route = createFileRoute('/_app/contacts/')({
  validateSearch: (search: Record<string, unknown>): ContactsViewParams => ({
    q: str(search.q),
    segment: str(search.segment),
    sort: str(search.sort),
    filter: isFilterNode(search.filter) ? search.filter : undefined,
  }),
  component: ContactsPage,
});

function ContactsPage() {
  useDocumentTitle('Contacts');
  const params = Route.useSearch();
  const navigate = useNavigate();
  const me = useMe();
  const canWrite = useCan('contacts:write');
  const segments = useSegments(me.activeOrganization!.id);
  const segment = params.segment ? segments.data?.find((s) => s.id === params.segment) : undefined;
  const env = useContactsEnv();
  const orgId = me.activeOrganization!.id;

  const onParamsChange = React.useCallback(
    (next: ContactsViewParams) => {
      // Typing in the search box replaces the history entry; other changes add one.
      const onlySearch =
        next.segment === params.segment &&
        next.sort === params.sort &&
        JSON.stringify(next.filter) === JSON.stringify(params.filter);
      void navigate({ to: '/contacts', search: next, replace: onlySearch });
    },
    [navigate, params.segment, params.sort, params.filter],
  );

  return (
    <ContactsView
      params={params}
      onParamsChange={onParamsChange}
      importAction={
        <Button variant="secondary" asChild>
          <Link to="/contacts/import">
            <FileUp aria-hidden="true" />
            Import
          </Link>
        </Button>
      }
      exportAction={(target) => (
        <ExportContactsDialog
          orgId={orgId}
          scope={target.selection}
          scopeText={target.description}
          sort={params.sort}
          count={target.count}
          fields={env.fields}
          triggerLabel="Export"
        />
      )}
      segmentFilter={segment?.filter}
      segmentBanner={({ openFilter }) =>
        params.segment ? (
          <SegmentBanner
            segmentId={params.segment}
            canWrite={canWrite}
            draft={params.filter}
            onEditConditions={openFilter}
            onSaved={() => void navigate({ to: '/contacts', search: { ...params, filter: undefined } })}
            onDiscard={() => void navigate({ to: '/contacts', search: { ...params, filter: undefined } })}
            onSavedAsNew={(s) =>
              void navigate({ to: '/contacts', search: { segment: s.id, sort: params.sort } })
            }
            onClear={() => void navigate({ to: '/contacts', search: { q: params.q, sort: params.sort } })}
          />
        ) : null
      }
      // With a segment selected, its banner saves the edited conditions (into it, or as a new one).
      saveSegment={
        params.segment
          ? undefined
          : (filter) => (
              <SaveSegmentDialog
                filter={filter}
                disabled={!canWrite}
                onSaved={(s) => void navigate({ to: '/contacts', search: { segment: s.id } })}
              />
            )
      }
    />
  );
}
