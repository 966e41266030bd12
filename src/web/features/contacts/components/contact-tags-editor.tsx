import { Plus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { fieldErrorMessage } from '@/components/fields/field-error';
import { Button } from '@/components/ui/button';
import { TagChip } from '@/components/ui/tag-chip';
import type { Contact } from '../api/types';
import { useSaver } from './contact-detail-shared';
import { tagColor, useContactsEnv } from './contacts-env';
import { TagPicker } from './tag-input';

export function TagsEditor({
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
