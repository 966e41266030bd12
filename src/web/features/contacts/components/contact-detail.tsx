import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '@common/contacts';
import { Link, useNavigate } from '@tanstack/react-router';
import {
  Building2,
  ChevronLeft,
  FileJson,
  GitMerge,
  Mail,
  MoreHorizontal,
  Pencil,
  Plus,
  ShieldAlert,
  Trash2,
} from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { CustomFieldEditor } from '@/components/fields/custom-field';
import { fieldErrorMessage } from '@/components/fields/field-error';
import {
  FieldRow,
  InlineSelectField,
  InlineSwitchField,
  InlineTextField,
} from '@/components/fields/inline-field';
import { Avatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { TagChip } from '@/components/ui/tag-chip';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';
import { formatDate, formatDateTime } from '@/lib/utils';
import { useDeleteContact } from '../api/delete-contact';
import { contactExportUrl } from '../api/export-contact';
import { useContact } from '../api/get-contact';
import { type Contact, type ContactInput, contactName } from '../api/types';
import { useUpdateContact } from '../api/update-contact';
import { tagColor, useContactsEnv } from './contacts-env';
import { MergeDialog } from './merge-dialog';
import { TagPicker } from './tag-input';
import { Timeline } from './timeline';

const STATUS_LABELS: Record<SubscriptionStatus, string> = {
  subscribed: 'Subscribed',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  complained: 'Complained',
};
const STATUS_VARIANTS = {
  subscribed: 'success',
  unsubscribed: 'neutral',
  bounced: 'warning',
  complained: 'destructive',
} as const;

const splitList = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

function useSaver(orgId: string, contact: Contact) {
  const update = useUpdateContact(orgId);
  const env = useContactsEnv();
  return React.useCallback(
    async (input: ContactInput) => {
      const result = await update.mutateAsync({ id: contact.id, ...input });
      if ('tags' in input || 'ownerId' in input) env.onContactsChanged();
      return result;
    },
    [update, contact.id, env],
  );
}

function TagsEditor({ orgId, contact, canWrite }: { orgId: string; contact: Contact; canWrite: boolean }) {
  const env = useContactsEnv();
  const save = useSaver(orgId, contact);
  const [adding, setAdding] = React.useState(false);
  const [pending, setPending] = React.useState(false);
  const setTags = async (tags: string[], done: string) => {
    setPending(true);
    try {
      await save({ tags });
      toast.success(done);
    } catch (e) {
      toast.error('Could not change the tags', { description: fieldErrorMessage(e, ['tags']) });
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="flex flex-wrap items-center gap-1.5" data-testid="contact-tags">
      {contact.tags.map((t) => (
        <TagChip
          key={t}
          name={t}
          color={tagColor(env, t)}
          onRemove={
            canWrite
              ? () =>
                  void setTags(
                    contact.tags.filter((x) => x !== t),
                    `Removed tag “${t}”`,
                  )
              : undefined
          }
          removeDisabled={pending}
        />
      ))}
      {canWrite ? (
        adding ? (
          <TagPicker
            aria-label="Add a tag"
            exclude={contact.tags}
            autoFocus
            className="h-7 w-48 text-xs"
            onBlur={() => setAdding(false)}
            onPick={(name) => {
              setAdding(false);
              if (!contact.tags.some((t) => t.toLowerCase() === name.toLowerCase())) {
                void setTags([...contact.tags, name], `Added tag “${name}”`);
              }
            }}
          />
        ) : (
          <Button
            variant="ghost"
            size="sm"
            className="h-6 px-2 text-xs"
            onClick={() => setAdding(true)}
            disabled={pending}
          >
            <Plus aria-hidden="true" />
            Add tag
          </Button>
        )
      ) : contact.tags.length === 0 ? (
        <span className="text-[0.8125rem] text-muted-foreground">No tags</span>
      ) : null}
    </div>
  );
}

function CompanyField({ orgId, contact, canWrite }: { orgId: string; contact: Contact; canWrite: boolean }) {
  const { CompanyPicker } = useContactsEnv();
  const save = useSaver(orgId, contact);
  const [editing, setEditing] = React.useState(false);
  const [error, setError] = React.useState<string>();
  const id = React.useId();
  const onChange = async (company: { id: string; name: string } | null) => {
    try {
      await save({ companyId: company?.id ?? null });
      setError(undefined);
      setEditing(false);
    } catch (e) {
      setError(fieldErrorMessage(e, ['companyId']));
    }
  };
  return (
    <FieldRow label="Company" htmlFor={editing ? id : undefined} error={error}>
      {editing ? (
        <div className="flex items-center gap-2">
          <div className="flex-1">
            <CompanyPicker
              id={id}
              value={contact.company}
              onChange={(c) => void onChange(c)}
              autoFocus
              onBlur={() => setEditing(false)}
            />
          </div>
          {contact.company ? (
            <Button
              variant="ghost"
              size="sm"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => void onChange(null)}
            >
              Remove
            </Button>
          ) : null}
        </div>
      ) : (
        <div className="flex min-h-8 items-center gap-2">
          {contact.company ? (
            <Link
              to="/companies/$id"
              params={{ id: contact.company.id }}
              className="truncate font-medium text-accent hover:underline"
            >
              {contact.company.name}
            </Link>
          ) : (
            <span className="text-muted-foreground">{canWrite ? 'No company' : '—'}</span>
          )}
          {canWrite ? (
            <Button
              variant="ghost"
              size="icon"
              className="size-7"
              aria-label="Edit Company"
              onClick={() => setEditing(true)}
            >
              <Pencil aria-hidden="true" />
            </Button>
          ) : null}
        </div>
      )}
    </FieldRow>
  );
}

function DetailsCard({ orgId, contact, canWrite }: { orgId: string; contact: Contact; canWrite: boolean }) {
  const env = useContactsEnv();
  const save = useSaver(orgId, contact);
  const err = (path: string[]) => (e: unknown) => fieldErrorMessage(e, path);
  const text = (
    key: 'firstName' | 'lastName' | 'jobTitle' | 'source',
    label: string,
    extra: Partial<React.ComponentProps<typeof InlineTextField>> = {},
  ) => (
    <InlineTextField
      label={label}
      display={contact[key]}
      initial={contact[key]}
      onSave={(v) => save({ [key]: v.trim() })}
      errorFor={err([key])}
      disabled={!canWrite}
      testId={`field-${key}`}
      {...extra}
    />
  );
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle>Details</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="divide-y divide-border">
          {text('firstName', 'First name')}
          {text('lastName', 'Last name')}
          <InlineTextField
            label="Email"
            type="email"
            display={contact.email ?? ''}
            initial={contact.email ?? ''}
            onSave={(v) => save({ email: v.trim() || null })}
            errorFor={(e) =>
              isApiError(e, 'DUPLICATE_EMAIL')
                ? `${e.message} Merge the two contacts instead.`
                : fieldErrorMessage(e, ['email'])
            }
            disabled={!canWrite}
            testId="field-email"
          />
          <InlineTextField
            label="Other emails"
            display={contact.emails.join(', ')}
            initial={contact.emails.join(', ')}
            onSave={(v) => save({ emails: splitList(v) })}
            errorFor={err(['emails'])}
            disabled={!canWrite}
            placeholder="Separate with commas"
          />
          <InlineTextField
            label="Phones"
            type="tel"
            display={contact.phones.join(', ')}
            initial={contact.phones.join(', ')}
            onSave={(v) => save({ phones: splitList(v) })}
            errorFor={err(['phones'])}
            disabled={!canWrite}
            placeholder="Separate with commas"
          />
          {text('jobTitle', 'Job title')}
          <CompanyField orgId={orgId} contact={contact} canWrite={canWrite} />
          <InlineSelectField
            label="Owner"
            value={contact.owner?.id ?? null}
            options={env.members.map((m) => ({ value: m.userId, label: m.name || m.email }))}
            onSave={(v) => save({ ownerId: v })}
            errorFor={err(['ownerId'])}
            disabled={!canWrite}
            allowEmpty
            emptyLabel="No owner"
          />
          <InlineSelectField
            label="Subscription"
            value={contact.subscriptionStatus}
            options={SUBSCRIPTION_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
            onSave={(v) => save({ subscriptionStatus: (v ?? 'subscribed') as SubscriptionStatus })}
            errorFor={err(['subscriptionStatus'])}
            disabled={!canWrite}
          />
          {text('source', 'Source')}
          <InlineTextField
            label="Consent"
            display={
              contact.consent
                ? `${contact.consent.source}${contact.consent.at ? ` · ${formatDateTime(contact.consent.at)}` : ''}`
                : ''
            }
            initial={contact.consent?.source ?? ''}
            onSave={(v) =>
              save({
                consent: v.trim()
                  ? { source: v.trim(), at: contact.consent?.at ?? new Date().toISOString() }
                  : null,
              })
            }
            errorFor={err(['consent'])}
            disabled={!canWrite}
            emptyLabel="No consent recorded"
            placeholder="Where consent was given, e.g. “Newsletter form”"
          />
          <InlineSwitchField
            label="Restricted processing"
            checked={contact.restricted}
            onSave={(v) => save({ restricted: v })}
            errorFor={err(['restricted'])}
            disabled={!canWrite}
            description={
              contact.restricted
                ? 'On: no marketing email or automated processing.'
                : 'Turn on when the person asks to restrict processing.'
            }
          />
        </dl>
        <p className="mt-4 text-xs text-muted-foreground">
          Added {formatDate(contact.createdAt)} · Updated {formatDateTime(contact.updatedAt)}
        </p>
      </CardContent>
    </Card>
  );
}

function AddressCard({ orgId, contact, canWrite }: { orgId: string; contact: Contact; canWrite: boolean }) {
  const save = useSaver(orgId, contact);
  const address = contact.address ?? {};
  const addressField = (key: keyof NonNullable<Contact['address']>, label: string) => (
    <InlineTextField
      label={label}
      display={address[key] ?? ''}
      initial={address[key] ?? ''}
      onSave={(v) => {
        const next = { ...address, [key]: v.trim() || undefined };
        const clean = Object.fromEntries(Object.entries(next).filter(([, x]) => x));
        return save({ address: Object.keys(clean).length > 0 ? clean : null });
      }}
      errorFor={(e) => fieldErrorMessage(e, ['address', key])}
      disabled={!canWrite}
    />
  );
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle>Address</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="divide-y divide-border">
          {addressField('street', 'Street')}
          {addressField('postalCode', 'Postal code')}
          {addressField('city', 'City')}
          {addressField('region', 'Region')}
          {addressField('country', 'Country')}
        </dl>
      </CardContent>
    </Card>
  );
}

function CustomFieldsCard({
  orgId,
  contact,
  canWrite,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
}) {
  const env = useContactsEnv();
  const save = useSaver(orgId, contact);
  if (env.fields.length === 0) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Custom fields</CardTitle>
          <CardDescription>
            None yet.{' '}
            <Link to="/settings/fields" className="font-medium text-accent hover:underline">
              Add custom fields
            </Link>{' '}
            to record what matters to your team.
          </CardDescription>
        </CardHeader>
      </Card>
    );
  }
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle>Custom fields</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="divide-y divide-border" data-testid="custom-fields">
          {env.fields.map((f) => (
            <CustomFieldEditor
              key={f.id}
              definition={f}
              value={contact.customFields[f.key]}
              onSave={(value) => save({ customFields: { [f.key]: value } })}
              disabled={!canWrite}
            />
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}

function Header({
  orgId,
  contact,
  canWrite,
  onMerge,
  onDelete,
}: {
  orgId: string;
  contact: Contact;
  canWrite: boolean;
  onMerge: () => void;
  onDelete: () => void;
}) {
  const name = contactName(contact);
  return (
    <div className="grid gap-4">
      <Link
        to="/contacts"
        className="inline-flex w-fit items-center gap-1 text-[0.8125rem] text-muted-foreground hover:text-foreground"
      >
        <ChevronLeft aria-hidden="true" className="size-4" />
        All contacts
      </Link>
      <div className="flex flex-wrap items-start gap-4">
        <Avatar name={name} className="size-12 text-base" />
        <div className="grid min-w-0 flex-1 gap-1.5">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="truncate text-xl font-semibold tracking-tight" data-testid="contact-heading">
              {name}
            </h1>
            <Badge variant={STATUS_VARIANTS[contact.subscriptionStatus] ?? 'neutral'}>
              {STATUS_LABELS[contact.subscriptionStatus] ?? contact.subscriptionStatus}
            </Badge>
            {contact.restricted ? (
              <Badge
                variant="warning"
                data-testid="restricted-badge"
                title="Processing restricted at the person’s request"
              >
                <ShieldAlert aria-hidden="true" className="size-3" />
                Restricted processing
              </Badge>
            ) : null}
          </div>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-muted-foreground">
            {contact.email ? (
              <span className="inline-flex min-w-0 items-center gap-1.5">
                <Mail aria-hidden="true" className="size-3.5" />
                <span className="truncate">{contact.email}</span>
              </span>
            ) : null}
            {contact.company ? (
              <Link
                to="/companies/$id"
                params={{ id: contact.company.id }}
                className="inline-flex min-w-0 items-center gap-1.5 hover:text-foreground hover:underline"
              >
                <Building2 aria-hidden="true" className="size-3.5" />
                <span className="truncate">{contact.company.name}</span>
              </Link>
            ) : null}
            {contact.jobTitle ? <span className="truncate">{contact.jobTitle}</span> : null}
          </div>
          <TagsEditor orgId={orgId} contact={contact} canWrite={canWrite} />
        </div>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="secondary" size="sm" aria-label="Contact actions">
              <MoreHorizontal aria-hidden="true" />
              Actions
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="min-w-48">
            <DropdownMenuItem onSelect={onMerge} disabled={!canWrite}>
              <GitMerge aria-hidden="true" />
              Merge with another contact…
            </DropdownMenuItem>
            <DropdownMenuItem asChild>
              <a href={contactExportUrl(contact.id)} download data-testid="contact-export-json">
                <FileJson aria-hidden="true" />
                Export data (JSON)
              </a>
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            <DropdownMenuItem destructive onSelect={onDelete} disabled={!canWrite}>
              <Trash2 aria-hidden="true" />
              Delete contact
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
    </div>
  );
}

function DetailSkeleton() {
  return (
    <div className="grid gap-6" role="status" aria-label="Loading contact">
      <div className="flex items-center gap-4">
        <Skeleton className="size-12 rounded-full" />
        <div className="grid gap-2">
          <Skeleton className="h-5 w-56" />
          <Skeleton className="h-4 w-72" />
        </div>
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Skeleton className="h-96" />
        <Skeleton className="h-96" />
      </div>
    </div>
  );
}

/** The contact page: header, inline-editable details, custom fields, notes (a slot), timeline, merge, delete. */
export function ContactDetail({
  contactId,
  notes,
}: {
  contactId: string;
  /** The notes panel (from the notes feature), placed above the timeline. */
  notes: React.ReactNode;
}) {
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('contacts:write');
  const env = useContactsEnv();
  const query = useContact(orgId, contactId);
  const remove = useDeleteContact(orgId);
  const navigate = useNavigate();
  const [merging, setMerging] = React.useState(false);
  const [deleting, setDeleting] = React.useState(false);
  useDocumentTitle(query.data ? contactName(query.data) : 'Contact');

  if (query.isPending) return <DetailSkeleton />;
  if (query.isError) {
    return (
      <ErrorState
        title={isApiError(query.error, 'NOT_FOUND') ? 'Contact not found' : 'Could not load this contact'}
        error={query.error}
        onRetry={isApiError(query.error, 'NOT_FOUND') ? undefined : () => void query.refetch()}
      />
    );
  }
  const contact = query.data;

  const onDelete = () => {
    remove.mutate(
      { id: contact.id },
      {
        onSuccess: () => {
          toast.success(`${contactName(contact)} deleted`);
          env.onContactsChanged();
          void navigate({ to: '/contacts' });
        },
        onError: (e) => {
          toast.error('Could not delete the contact', { description: errorMessage(e) });
          setDeleting(false);
        },
      },
    );
  };

  return (
    <div className="grid gap-6">
      <Header
        orgId={orgId}
        contact={contact}
        canWrite={canWrite}
        onMerge={() => setMerging(true)}
        onDelete={() => setDeleting(true)}
      />
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <div className="grid gap-6">
          <DetailsCard orgId={orgId} contact={contact} canWrite={canWrite} />
          <CustomFieldsCard orgId={orgId} contact={contact} canWrite={canWrite} />
          <AddressCard orgId={orgId} contact={contact} canWrite={canWrite} />
        </div>
        <div className="grid gap-6">
          {notes}
          <Timeline orgId={orgId} contactId={contact.id} />
        </div>
      </div>
      <MergeDialog orgId={orgId} contact={contact} open={merging} onOpenChange={setMerging} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete ${contactName(contact)}?`}
        description="The contact is removed with their notes and history. This cannot be undone."
        confirmLabel="Delete contact"
        onConfirm={onDelete}
        pending={remove.isPending}
      />
    </div>
  );
}
