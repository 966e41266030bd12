import type { SubscriptionStatus } from '@common/contacts';
import type { Address } from '@/components/fields/types';

/** A contact as the API returns it. Every string in it is untrusted: render as text only. */
export interface Contact {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  emails: string[];
  phones: string[];
  jobTitle: string;
  company: { id: string; name: string } | null;
  address: Address | null;
  owner: { id: string; name: string } | null;
  source: string;
  subscriptionStatus: SubscriptionStatus;
  consent: { source: string; at: string | null } | null;
  restricted: boolean;
  tags: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** The body of POST /contacts and PATCH /contacts/{id} (all optional). */
export interface ContactInput {
  firstName?: string;
  lastName?: string;
  email?: string | null;
  emails?: string[];
  phones?: string[];
  jobTitle?: string;
  companyId?: string | null;
  address?: Address | null;
  ownerId?: string | null;
  source?: string;
  subscriptionStatus?: SubscriptionStatus;
  consent?: { source: string; at: string } | null;
  restricted?: boolean;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  count?: number;
}

/** Keys of organisation data are scoped by organisation; everything about contacts sits under one prefix. */
export const contactsKey = (orgId: string) => ['orgs', orgId, 'contacts'] as const;
export const contactDetailKey = (orgId: string, id: string) => [...contactsKey(orgId), 'detail', id] as const;

export function contactName(c: Pick<Contact, 'firstName' | 'lastName' | 'email'>): string {
  const name = `${c.firstName} ${c.lastName}`.trim();
  return name || c.email || 'Unnamed contact';
}
