import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { contactQueryOptions } from '@/features/contacts/api/get-contact';
import { timelineKey } from '@/features/contacts/api/get-timeline';
import { ContactDetail } from '@/features/contacts/components/contact-detail';
import { NotesPanel } from '@/features/notes/components/notes-panel';
import { useCan, useMe } from '@/lib/session';

export const Route = createFileRoute('/_app/contacts/$id')({
  loader: ({ context, params }) => {
    const me = context.queryClient.getQueryData<{ activeOrganization: { id: string } | null }>(['me']);
    const orgId = me?.activeOrganization?.id;
    if (orgId) void context.queryClient.prefetchQuery(contactQueryOptions(orgId, params.id));
  },
  component: ContactPage,
});

function ContactPage() {
  const { id } = Route.useParams();
  const me = useMe();
  const orgId = me.activeOrganization!.id;
  const canWrite = useCan('contacts:write');
  const queryClient = useQueryClient();
  return (
    <ContactDetail
      key={id}
      contactId={id}
      notes={
        <NotesPanel
          target={{ type: 'contact', id }}
          canWrite={canWrite}
          // A note shows up in the contact's timeline.
          onChanged={() => void queryClient.invalidateQueries({ queryKey: timelineKey(orgId, id) })}
        />
      }
    />
  );
}
