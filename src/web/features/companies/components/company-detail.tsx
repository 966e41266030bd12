import { Link, useNavigate } from '@tanstack/react-router';
import { ChevronLeft, Globe, Trash2, Users } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { CustomFieldEditor } from '@/components/fields/custom-field';
import { fieldErrorMessage } from '@/components/fields/field-error';
import { InlineTextField } from '@/components/fields/inline-field';
import type { FieldDefinition } from '@/components/fields/types';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DisabledHint } from '@/components/ui/disabled-hint';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useDisabledReason, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';
import { formatDate, plural } from '@/lib/utils';
import { useDeleteCompany } from '../api/delete-company';
import { useCompany } from '../api/get-company';
import { useCompanyContacts } from '../api/list-company-contacts';
import type { Company, CompanyInput } from '../api/types';
import { useUpdateCompany } from '../api/update-company';

function CompanyContacts({ orgId, companyId, count }: { orgId: string; companyId: string; count: number }) {
  const contacts = useCompanyContacts(orgId, companyId);
  const rows = contacts.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader className="pb-3">
        <CardTitle className="flex items-center gap-2">
          <Users aria-hidden="true" className="size-4 text-muted-foreground" />
          Contacts <span className="font-normal text-muted-foreground">({count.toLocaleString()})</span>
        </CardTitle>
      </CardHeader>
      <CardContent>
        {contacts.isPending ? (
          <div className="grid gap-2" role="status" aria-label="Loading contacts">
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-4 w-1/2" />
          </div>
        ) : contacts.isError ? (
          <ErrorState
            title="Could not load contacts"
            error={contacts.error}
            onRetry={() => void contacts.refetch()}
          />
        ) : rows.length === 0 ? (
          <p className="text-sm text-muted-foreground">No contacts at this company yet.</p>
        ) : (
          <ul className="-mx-2 grid" aria-label="Contacts at this company">
            {rows.map((c) => {
              const name = `${c.firstName} ${c.lastName}`.trim() || c.email || 'Unnamed contact';
              return (
                <li key={c.id}>
                  <Link
                    to="/contacts/$id"
                    params={{ id: c.id }}
                    className="flex items-center gap-3 rounded-md px-2 py-2 outline-none hover:bg-subtle focus-visible:ring-2 focus-visible:ring-ring"
                  >
                    <Avatar name={name} size="sm" />
                    <span className="grid min-w-0 flex-1 leading-tight">
                      <span className="truncate text-sm font-medium">{name}</span>
                      <span className="truncate text-xs text-muted-foreground">
                        {[c.jobTitle, c.email].filter(Boolean).join(' · ') || '—'}
                      </span>
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
        {contacts.hasNextPage ? (
          <Button
            variant="ghost"
            size="sm"
            className="mt-2 w-full"
            onClick={() => void contacts.fetchNextPage()}
            loading={contacts.isFetchingNextPage}
          >
            Show more
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}

function safeWebsite(url: string | null): string | undefined {
  if (!url) return undefined;
  const withScheme = /^https?:\/\//i.test(url) ? url : `https://${url}`;
  try {
    const u = new URL(withScheme);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The company page: inline-editable details and custom fields, notes (a slot) and its contacts. */
export function CompanyDetail({
  companyId,
  fields,
  notes,
}: {
  companyId: string;
  /** Company custom field definitions, in display order. */
  fields: FieldDefinition[];
  notes: React.ReactNode;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('contacts:write');
  const cannotDelete = useDisabledReason('contacts:write', 'delete companies');
  const query = useCompany(orgId, companyId);
  const update = useUpdateCompany(orgId);
  const remove = useDeleteCompany(orgId);
  const navigate = useNavigate();
  const [deleting, setDeleting] = React.useState(false);
  useDocumentTitle(query.data?.name ?? 'Company');

  if (query.isPending) {
    return (
      <div className="grid gap-6" role="status" aria-label="Loading company">
        <Skeleton className="h-12 w-72" />
        <Skeleton className="h-96" />
      </div>
    );
  }
  if (query.isError) {
    return (
      <ErrorState
        title={isApiError(query.error, 'NOT_FOUND') ? 'Company not found' : 'Could not load this company'}
        error={query.error}
        onRetry={isApiError(query.error, 'NOT_FOUND') ? undefined : () => void query.refetch()}
      />
    );
  }
  const company: Company = query.data;
  const save = (input: CompanyInput) => update.mutateAsync({ id: company.id, ...input });
  const err = (path: string[]) => (e: unknown) => fieldErrorMessage(e, path);
  const text = (key: 'name' | 'domain' | 'industry' | 'size' | 'website', label: string) => (
    <InlineTextField
      label={label}
      display={company[key] ?? ''}
      initial={company[key] ?? ''}
      onSave={(v) => save({ [key]: key === 'name' ? v.trim() : v.trim() || null })}
      errorFor={err([key])}
      disabled={!canWrite}
      type={key === 'website' ? 'url' : 'text'}
      testId={`company-${key}`}
    />
  );
  const address = company.address ?? {};
  const addressField = (key: keyof NonNullable<Company['address']>, label: string) => (
    <InlineTextField
      label={label}
      display={address[key] ?? ''}
      initial={address[key] ?? ''}
      onSave={(v) => {
        const next = Object.fromEntries(Object.entries({ ...address, [key]: v.trim() }).filter(([, x]) => x));
        return save({ address: Object.keys(next).length > 0 ? next : null });
      }}
      errorFor={err(['address', key])}
      disabled={!canWrite}
    />
  );
  const website = safeWebsite(company.website);

  const onDelete = () =>
    remove.mutate(
      { id: company.id },
      {
        onSuccess: () => {
          toast.success(`${company.name} deleted`);
          void navigate({ to: '/companies' });
        },
        onError: (e) => {
          toast.error('Could not delete the company', { description: errorMessage(e) });
          setDeleting(false);
        },
      },
    );

  return (
    <div className="grid gap-6">
      <Link
        to="/companies"
        className="inline-flex w-fit items-center gap-1 text-[0.8125rem] text-muted-foreground hover:text-foreground"
      >
        <ChevronLeft aria-hidden="true" className="size-4" />
        All companies
      </Link>
      <div className="flex flex-wrap items-start gap-4">
        <Avatar name={company.name} square className="size-12 text-base" />
        <div className="grid min-w-0 flex-1 gap-1">
          <h1 className="truncate text-xl font-semibold tracking-tight" data-testid="company-heading">
            {company.name}
          </h1>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-muted-foreground">
            {website ? (
              <a
                href={website}
                target="_blank"
                rel="noopener noreferrer nofollow"
                className="inline-flex items-center gap-1.5 hover:underline"
              >
                <Globe aria-hidden="true" className="size-3.5" />
                {company.domain || company.website}
              </a>
            ) : company.domain ? (
              <span>{company.domain}</span>
            ) : null}
            <span>{plural(company.contactCount, 'contact')}</span>
            <span>Added {formatDate(company.createdAt)}</span>
          </div>
        </div>
        <DisabledHint reason={cannotDelete} align="end">
          <Button
            variant="destructive-ghost"
            size="sm"
            onClick={() => setDeleting(true)}
            disabled={!canWrite}
          >
            <Trash2 aria-hidden="true" />
            Delete company
          </Button>
        </DisabledHint>
      </div>
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <div className="grid gap-6">
          <Card>
            <CardHeader className="pb-2">
              <CardTitle>Details</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="divide-y divide-border">
                {text('name', 'Name')}
                {text('domain', 'Domain')}
                {text('website', 'Website')}
                {text('industry', 'Industry')}
                {text('size', 'Size')}
                {addressField('street', 'Street')}
                {addressField('postalCode', 'Postal code')}
                {addressField('city', 'City')}
                {addressField('region', 'Region')}
                {addressField('country', 'Country')}
              </dl>
            </CardContent>
          </Card>
          {fields.length > 0 ? (
            <Card>
              <CardHeader className="pb-2">
                <CardTitle>Custom fields</CardTitle>
              </CardHeader>
              <CardContent>
                <dl className="divide-y divide-border">
                  {fields.map((f) => (
                    <CustomFieldEditor
                      key={f.id}
                      definition={f}
                      value={company.customFields[f.key]}
                      onSave={(value) => save({ customFields: { [f.key]: value } })}
                      disabled={!canWrite}
                    />
                  ))}
                </dl>
              </CardContent>
            </Card>
          ) : null}
        </div>
        <div className="grid gap-6">
          <CompanyContacts orgId={orgId} companyId={company.id} count={company.contactCount} />
          {notes}
        </div>
      </div>
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete ${company.name}?`}
        description={`Its ${plural(company.contactCount, 'contact')} stay, without a company. Notes on the company are deleted.`}
        confirmLabel="Delete company"
        onConfirm={onDelete}
        pending={remove.isPending}
      />
    </div>
  );
}
