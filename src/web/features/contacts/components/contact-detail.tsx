import { useNavigate } from '@tanstack/react-router';
import * as React from 'react';
import { toast } from 'sonner';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { errorMessage, isApiError } from '@/lib/api';
import { useCan, useMe } from '@/lib/session';
import { useDocumentTitle } from '@/lib/use-document-title';
import { useDeleteContact } from '../api/delete-contact';
import { useContact } from '../api/get-contact';
import { contactName } from '../api/types';
import { AddressCard, CustomFieldsCard, DetailsCard } from './contact-cards';
import { ContactHeader } from './contact-header';
import { useContactsEnv } from './contacts-env';
import { MergeDialog } from './merge-dialog';
import { Timeline } from './timeline';

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
      <ContactHeader
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
