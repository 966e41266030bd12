import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { CreateOrganizationForm } from './create-organization-form';

export function CreateOrganizationDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create organisation</DialogTitle>
          <DialogDescription>
            An organisation has its own contacts, campaigns and members. You will be its owner.
          </DialogDescription>
        </DialogHeader>
        {open ? (
          <CreateOrganizationForm
            onCreated={(organization) => {
              toast.success(`Created ${organization.name}`, {
                description: 'It is now your active organisation.',
              });
              onOpenChange(false);
            }}
            secondaryAction={
              <Button variant="secondary" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
            }
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
