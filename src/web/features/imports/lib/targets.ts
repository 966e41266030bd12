import { fieldKeyOf } from '@common/fields';
import type { FieldDefinition } from '@/components/fields/types';
import type { Delimiter, Encoding, NewFieldType, StandardField, Target } from '../api/types';

export const STANDARD_LABELS: Record<StandardField, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  fullName: 'Full name',
  phone: 'Phone',
  companyName: 'Company',
  jobTitle: 'Job title',
  source: 'Source',
  tags: 'Tags',
  street: 'Street',
  city: 'City',
  region: 'Region / state',
  postalCode: 'Postal code',
  country: 'Country',
  subscriptionStatus: 'Subscription status',
  consentBasis: 'Consent basis',
};

/** Shown under a standard field in the column select. */
export const STANDARD_HINTS: Partial<Record<StandardField, string>> = {
  email: 'Matches existing contacts (case-insensitive)',
  fullName: 'Split into first and last name',
  phone: 'Several numbers may be separated by ; or ,',
  companyName: 'Links to the company, created if new',
  tags: 'Split on ; or ,',
  subscriptionStatus: 'yes / subscribed / opted in, or unsubscribed, bounced, complained',
  consentBasis: 'Lawful basis of a subscription: consent, contract, legitimate interest…',
};

/** Standard fields in the order the select lists them. */
export const STANDARD_GROUPS: Array<{ label: string; fields: StandardField[] }> = [
  { label: 'Person', fields: ['email', 'firstName', 'lastName', 'fullName', 'phone', 'jobTitle'] },
  { label: 'Company and origin', fields: ['companyName', 'source', 'tags'] },
  { label: 'Marketing email', fields: ['subscriptionStatus', 'consentBasis'] },
  { label: 'Address', fields: ['street', 'city', 'region', 'postalCode', 'country'] },
];

export const NEW_FIELD_TYPE_LABELS: Record<NewFieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  boolean: 'Yes / no',
  url: 'URL',
  email: 'Email',
  phone: 'Phone',
};

export const ENCODING_LABELS: Record<Encoding, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 (little-endian)',
  'utf-16be': 'UTF-16 (big-endian)',
  'windows-1252': 'Windows-1252 (Western European)',
};

export const DELIMITER_LABELS: Record<Delimiter, string> = {
  ',': 'Comma  ( , )',
  ';': 'Semicolon  ( ; )',
  '\t': 'Tab',
};

/** A target as the value of the column select ("ignore", "standard:email", "custom:lead_score", "new"). */
export function targetValue(t: Target): string {
  switch (t.type) {
    case 'ignore':
      return 'ignore';
    case 'standard':
      return `standard:${t.field}`;
    case 'custom':
      return `custom:${t.key}`;
    case 'new_field':
      return 'new';
  }
}

/** The key the server gives a field created from `label` (the server's own rule). */
export const newFieldKey = fieldKeyOf;

export function targetLabel(t: Target, fields: FieldDefinition[]): string {
  switch (t.type) {
    case 'ignore':
      return 'Not imported';
    case 'standard':
      return STANDARD_LABELS[t.field] ?? t.field;
    case 'custom':
      return fields.find((f) => f.key === t.key)?.label ?? t.key;
    case 'new_field':
      return `${t.label || 'New field'} (new)`;
  }
}

/**
 * The checks the server makes before it starts (one rule, src/common/imports.ts), run first in
 * the browser so the user sees them next to the column at fault.
 */
export { checkMapping, type MappingProblems } from '@common/imports';

/** "12 s", "3 min", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}
