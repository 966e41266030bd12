import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { errorMessage } from '@/lib/api';
import { plural } from '@/lib/utils';
import { useEnrolContacts } from '../api/enrol';
import { type Choice, SelectField } from './fields';

/** "Enrol contacts": every contact of a segment starts a run now (active automations only). */
export function EnrolDialog({
  orgId,
  automationId,
  segments,
  open,
  onOpenChange,
}: {
  orgId: string;
  automationId: string;
  segments: Choice[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [segmentId, setSegmentId] = React.useState<string | undefined>();
  const enrol = useEnrolContacts(orgId);
  const submit = () => {
    if (!segmentId) return;
    enrol.mutate(
      { id: automationId, segmentId },
      {
        onSuccess: (r) => {
          toast.success(`Enrolled ${plural(r.enrolled, 'contact')}`, {
            description: r.skipped
              ? `${plural(r.skipped, 'contact')} skipped (already in a run, restricted, or no re-entry).`
              : undefined,
          });
          onOpenChange(false);
        },
        onError: (error) => toast.error('Could not enrol the contacts', { description: errorMessage(error) }),
      },
    );
  };
  return (
    <Dialog open={open} onOpenChange={(o) => (enrol.isPending ? undefined : onOpenChange(o))}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Enrol contacts</DialogTitle>
          <DialogDescription>
            Every contact in the segment starts this workflow now. Contacts already in a run, restricted
            contacts and (without re-entry) contacts that went through before are skipped.
          </DialogDescription>
        </DialogHeader>
        <SelectField
          label="Segment"
          value={segmentId}
          choices={segments}
          placeholder={segments.length ? 'Choose a segment…' : 'No segments yet'}
          onChange={setSegmentId}
        />
        <DialogFooter>
          <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={enrol.isPending}>
            Cancel
          </Button>
          <Button onClick={submit} disabled={!segmentId} loading={enrol.isPending}>
            Enrol
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
