import { Link } from '@tanstack/react-router';
import { FileText, Plus } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useCan, useDisabledReason } from '@/lib/session';
import { formatDateTime } from '@/lib/utils';
import { useTemplates } from '../api/list-templates';

/** The organisation's email templates, newest first. */
export function TemplatesList({ orgId }: { orgId: string }) {
  const canWrite = useCan('campaigns:write');
  const cannot = useDisabledReason('campaigns:write', 'create templates');
  const query = useTemplates(orgId);
  const items = query.data ?? [];

  const newButton = (
    <DisabledHint reason={cannot} align="end">
      {canWrite ? (
        <Button asChild>
          <Link to="/templates/new">
            <Plus aria-hidden="true" />
            New template
          </Link>
        </Button>
      ) : (
        <Button disabled>
          <Plus aria-hidden="true" />
          New template
        </Button>
      )}
    </DisabledHint>
  );
  const empty = query.isSuccess && items.length === 0;

  return (
    <div className="grid gap-4">
      <PageHeader
        title="Templates"
        description="Reusable email content with merge fields, for campaigns and transactional email."
        actions={empty ? null : newButton}
      />
      {query.isPending ? (
        <Card className="grid gap-3 p-4" role="status" aria-label="Loading templates">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-5 w-full" />
          ))}
        </Card>
      ) : query.isError ? (
        <ErrorState
          title="Could not load the templates"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : empty ? (
        <EmptyState
          icon={FileText}
          title="No templates yet"
          description={
            canWrite
              ? 'Create your first template: write the email once, with merge fields such as the first name, and use it in campaigns.'
              : 'Nobody has created a template yet. Members who may change campaigns can create the first one.'
          }
          actions={canWrite ? newButton : null}
        />
      ) : (
        <Card className="overflow-hidden p-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Subject</TableHead>
                <TableHead className="w-20">Format</TableHead>
                <TableHead className="w-48">Updated</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((t) => (
                <TableRow key={t.id}>
                  <TableCell className="font-medium">
                    <Link
                      to="/templates/$id"
                      params={{ id: t.id }}
                      className="rounded outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                    >
                      {t.name}
                    </Link>
                  </TableCell>
                  <TableCell className="max-w-md truncate text-muted-foreground">{t.subject}</TableCell>
                  <TableCell className="text-muted-foreground uppercase">{t.format}</TableCell>
                  <TableCell className="text-muted-foreground">{formatDateTime(t.updatedAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
