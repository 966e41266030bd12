import { Link } from '@tanstack/react-router';
import { ChevronLeft, History } from 'lucide-react';
import * as React from 'react';
import type { FieldDefinition } from '@/components/fields/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { isApiError } from '@/lib/api';
import { useMe } from '@/lib/session';
import { useImport } from '../api/get-import';
import { type Import, isActive } from '../api/types';
import { MappingStep } from './mapping-step';
import { ProgressStep } from './progress-step';
import { ResultStep } from './result-step';
import { UploadStep } from './upload-step';
import { WizardSteps } from './wizard-steps';

/**
 * The CSV import wizard: upload → preview and mapping → progress and result. The import's id lives in
 * the URL, so a reload (or a link from the history) comes back to the same step.
 */
export function ImportWizard({
  importId,
  onImportIdChange,
  fields,
  canWrite,
  onFinished,
}: {
  importId: string | undefined;
  onImportIdChange: (id: string | undefined) => void;
  /** Custom contact fields (targets for columns). */
  fields: FieldDefinition[];
  canWrite: boolean;
  /** An import (not a dry run) has ended: refresh what shows contacts, tags and fields. */
  onFinished: (imp: Import) => void;
}) {
  const orgId = useMe().activeOrganization!.id;
  const query = useImport(orgId, importId);
  const imp = importId ? query.data : undefined;
  const [editing, setEditing] = React.useState(false);

  // Tell the route once when a running import ends.
  const lastStatus = React.useRef(imp?.status);
  React.useEffect(() => {
    const before = lastStatus.current;
    lastStatus.current = imp?.status;
    if (imp && before && isActive(before) && !isActive(imp.status) && !imp.dryRun) onFinished(imp);
  }, [imp, onFinished]);

  React.useEffect(() => setEditing(false), [importId]);

  let step: 0 | 1 | 2 = 0;
  let body: React.ReactNode;
  if (!importId) {
    body = canWrite ? (
      <UploadStep orgId={orgId} onUploaded={(i) => onImportIdChange(i.id)} />
    ) : (
      <Alert variant="info">Only members who can edit contacts can import them.</Alert>
    );
  } else if (query.isPending) {
    step = 1;
    body = (
      <div className="grid gap-4" role="status" aria-label="Loading the import">
        <Skeleton className="h-40" />
        <Skeleton className="h-72" />
      </div>
    );
  } else if (query.isError || !imp) {
    body = (
      <ErrorState
        title={
          isApiError(query.error, 'NOT_FOUND') ? 'This import does not exist' : 'Could not load the import'
        }
        error={query.error}
        onRetry={isApiError(query.error, 'NOT_FOUND') ? undefined : () => void query.refetch()}
      />
    );
  } else if (imp.status === 'uploaded' || (editing && !isActive(imp.status))) {
    step = 1;
    body = canWrite ? (
      <MappingStep
        key={`${imp.id}:${editing}`}
        orgId={orgId}
        imp={imp}
        fields={fields}
        onStarted={() => setEditing(false)}
        onStartOver={() => onImportIdChange(undefined)}
      />
    ) : (
      <Alert variant="info">This file was uploaded but not imported yet.</Alert>
    );
  } else if (isActive(imp.status)) {
    step = 2;
    body = <ProgressStep orgId={orgId} imp={imp} canWrite={canWrite} />;
  } else {
    step = 2;
    body = (
      <ResultStep
        orgId={orgId}
        imp={imp}
        canWrite={canWrite}
        onEditMapping={() => setEditing(true)}
        onNewImport={() => onImportIdChange(undefined)}
      />
    );
  }

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <div className="grid gap-4">
        <Link
          to="/contacts"
          className="inline-flex w-fit items-center gap-1 text-[0.8125rem] text-muted-foreground hover:text-foreground"
        >
          <ChevronLeft aria-hidden="true" className="size-4" />
          All contacts
        </Link>
        <PageHeader
          title="Import contacts"
          description="Bring in contacts from a CSV file: a spreadsheet export or another CRM."
          actions={
            <Button variant="secondary" size="sm" asChild>
              <Link to="/contacts/imports">
                <History aria-hidden="true" />
                Import history
              </Link>
            </Button>
          }
        />
      </div>
      <WizardSteps current={step} />
      {body}
    </div>
  );
}
