import type { SubscriptionStatus } from '../../../common/contacts.js';
import type { ConsentBasis } from '../../../common/email.js';
import type { TagRow } from '../tags/tags.repo.js';
import type { ContactRow } from './contacts.repo.js';

export interface Address {
  street?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

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
  /**
   * The consent record: the lawful basis and where it was given; `at` defaults to now. Required
   * to make a contact subscribed (see write/contact.ts).
   */
  consent?: { basis: ConsentBasis; source: string; at?: string } | null;
  restricted?: boolean;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** Orders tag names; one collator for every row instead of `localeCompare`'s one per call. */
export const compareNames = new Intl.Collator().compare;

export function presentContact(row: ContactRow, tags: Map<string, TagRow>) {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    emails: row.emails ?? [],
    phones: row.phones ?? [],
    jobTitle: row.job_title,
    company: row.company_id ? { id: row.company_id, name: row.company_name } : null,
    address: row.address ?? null,
    owner: row.owner_id ? { id: row.owner_id, name: row.owner_name ?? '' } : null,
    source: row.source,
    subscriptionStatus: row.subscription_status as ContactInput['subscriptionStatus'] & string,
    consent:
      row.consent_basis || row.consent_source || row.consent_at
        ? {
            basis: (row.consent_basis as ConsentBasis | null) ?? null,
            source: row.consent_source ?? '',
            at: iso(row.consent_at),
          }
        : null,
    restricted: row.restricted,
    tags: (row.tag_ids ?? [])
      .map((id) => tags.get(id)?.name)
      .filter((n): n is string => Boolean(n))
      .sort(compareNames),
    customFields: row.custom ?? {},
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
export type ContactDto = ReturnType<typeof presentContact>;
