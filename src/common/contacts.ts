/** Constants shared by server and web for contacts, companies and custom fields. */
export const SUBSCRIPTION_STATUSES = [
  'subscribed',
  'not_subscribed',
  'unsubscribed',
  'bounced',
  'complained',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** How each subscription status reads, wherever statuses are shown (filters, columns, pages). */
export const SUBSCRIPTION_STATUS_LABELS: Record<SubscriptionStatus, string> = {
  subscribed: 'Subscribed',
  not_subscribed: 'Not subscribed',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  complained: 'Complained',
};

/** How each lawful basis of a subscription reads (the values are CONSENT_BASES in email.ts). */
export const CONSENT_BASIS_LABELS: Record<
  'consent' | 'contract' | 'legitimate_interest' | 'legal_obligation',
  string
> = {
  consent: 'Consent',
  contract: 'Contract',
  legitimate_interest: 'Legitimate interest',
  legal_obligation: 'Legal obligation',
};

export const CUSTOM_FIELD_TYPES = [
  'text',
  'long_text',
  'number',
  'date',
  'boolean',
  'single_select',
  'multi_select',
  'url',
  'email',
  'phone',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const FIELD_ENTITIES = ['contact', 'company'] as const;
export type FieldEntity = (typeof FIELD_ENTITIES)[number];

/** Standard contact columns that can be sorted (prefix with '-' for descending). */
export const CONTACT_SORTS = [
  'createdAt',
  'updatedAt',
  'firstName',
  'lastName',
  'email',
  'companyName',
  'jobTitle',
] as const;

export const API_KEY_SCOPES = ['read', 'read_write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const TAG_COLORS = [
  '#6366f1',
  '#0ea5e9',
  '#10b981',
  '#f59e0b',
  '#ef4444',
  '#ec4899',
  '#8b5cf6',
  '#64748b',
] as const;
