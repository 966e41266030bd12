import { Archive } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card';
import { errorMessage } from '@/lib/api';
import { useCreateExport } from '../api/create-export';
import { useExport } from '../api/get-export';
import { useExports } from '../api/list-exports';
import { isExportActive } from '../api/types';
import { ExportStatus } from './export-status';

/**
 * Settings → Organisation, owners only: "Export all data" writes a zip of everything the organisation
 * holds (JSON Lines, a contacts CSV and a README). A recent export still running or downloadable is shown.
 */
export function OrganizationExportCard({ orgId }: { orgId: string }) {
  const create = useCreateExport(orgId);
  const recent = useExports(orgId);
  const [startedId, setStartedId] = React.useState<string>();

  // The newest organisation export, so a reload still shows the link (or the running export).
  const latest = recent.data?.find((e) => e.kind === 'organization_zip');
  const shownId =
    startedId ??
    (latest && (isExportActive(latest.status) || latest.status === 'done') ? latest.id : undefined);
  const current = useExport(orgId, shownId);
  const active = current.data ? isExportActive(current.data.status) : false;

  const run = () =>
    create.mutate(
      { kind: 'organization_zip' },
      {
        onSuccess: (exp) => setStartedId(exp.id),
        onError: (e) => toast.error('Could not start the export', { description: errorMessage(e) }),
      },
    );

  return (
    <Card data-testid="organization-export">
      <CardHeader>
        <CardTitle>Export all data</CardTitle>
        <CardDescription>
          A ZIP file with everything this organisation holds: contacts, companies, notes, timelines, custom
          fields, tags, segments, members and import history, as JSON Lines and CSV with a README describing
          each file. Use it for backups or to move to another tool.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid max-w-2xl gap-4">
        {shownId ? (
          <ExportStatus
            orgId={orgId}
            exportId={shownId}
            preparingText="Collecting the organisation’s data…"
            onRetry={() => {
              setStartedId(undefined);
              run();
            }}
          />
        ) : null}
        <p className="text-[0.8125rem] text-muted-foreground">
          Only owners can export all data. The download link expires 24 hours after the export finishes;
          export again for a fresh copy.
        </p>
      </CardContent>
      <CardFooter className="justify-start">
        <Button
          variant={shownId ? 'secondary' : 'primary'}
          onClick={run}
          loading={create.isPending}
          disabled={active}
        >
          <Archive aria-hidden="true" />
          {shownId ? 'Export again' : 'Export all data'}
        </Button>
      </CardFooter>
    </Card>
  );
}
