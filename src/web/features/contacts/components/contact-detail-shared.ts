import type { SubscriptionStatus } from '@common/contacts';
import * as React from 'react';
import type { Contact, ContactInput } from '../api/types';
import { useUpdateContact } from '../api/update-contact';
import { useContactsEnv } from './contacts-env';

/** What the contact page's parts share: status labels, list parsing, and the save hook. */
export const STATUS_LABELS: Record<SubscriptionStatus, string> = {
  subscribed: 'Subscribed',
  not_subscribed: 'Not subscribed',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  complained: 'Complained',
};
export const STATUS_VARIANTS = {
  subscribed: 'success',
  not_subscribed: 'neutral',
  unsubscribed: 'neutral',
  bounced: 'warning',
  complained: 'destructive',
} as const;

export const splitList = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function useSaver(orgId: string, contact: Contact) {
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
